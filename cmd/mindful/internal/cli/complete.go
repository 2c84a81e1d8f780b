package cli

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
)

// Shell completion asks the running daemon for ids; a daemon that is away
// or slow only means no proposals.
const completeTimeout = time.Second

func askDaemon[T any](c *invocation, ask func(*client.Client, context.Context) (T, error)) (T, bool) {
	var zero T
	cl, err := c.client()
	if err != nil {
		return zero, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	v, err := ask(cl, ctx)
	return v, err == nil
}

// feedIDs proposes the ids of the feeds (only those with Enabled ==
// *enabled, when enabled is not nil) for a command's first argument.
func feedIDs(enabled *bool) func(c *invocation, args []string) []string {
	return func(c *invocation, args []string) []string {
		if len(args) > 0 {
			return nil
		}
		fs, _ := askDaemon(c, (*client.Client).Feeds)
		var out []string
		for _, f := range fs {
			if enabled == nil || f.Enabled == *enabled {
				out = append(out, cobra.CompletionWithDesc(f.ID, f.Name))
			}
		}
		return out
	}
}

// scheduleIDs proposes the scheduled breaks' ids.
func scheduleIDs(c *invocation, args []string) []string {
	if len(args) > 0 {
		return nil
	}
	rs, _ := askDaemon(c, (*client.Client).Schedule)
	var out []string
	for _, r := range rs {
		out = append(out, cobra.CompletionWithDesc(strconv.FormatInt(r.ID, 10), fmt.Sprintf("%s: %s %s → %s", r.Name, r.Kind, r.Start, r.End)))
	}
	return out
}

// pairingCodes proposes the codes of pending pairing requests.
func pairingCodes(c *invocation, args []string) []string {
	if len(args) > 0 {
		return nil
	}
	p, _ := askDaemon(c, (*client.Client).Pairing)
	var out []string
	for _, r := range p.Pending {
		out = append(out, cobra.CompletionWithDesc(r.Code, r.Browser+" "+r.BrowserVersion))
	}
	return out
}

// pairedBrowsers proposes the paired browsers' ids.
func pairedBrowsers(c *invocation, args []string) []string {
	if len(args) > 0 {
		return nil
	}
	p, _ := askDaemon(c, (*client.Client).Pairing)
	var out []string
	for _, b := range p.Paired {
		out = append(out, cobra.CompletionWithDesc(b.ID, describeBrowser(b)))
	}
	return out
}

func describeBrowser(b api.PairedClient) string {
	return b.Browser + " " + b.BrowserVersion + ", paired " + b.PairedAt.Local().Format("2006-01-02")
}
