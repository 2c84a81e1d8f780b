package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
)

// Sharing breaks, schedules and reflections with the user's other
// computers through a folder they already sync (docs/sync.md):
// `mindful sync enable|disable|status`.

func cmdSyncEnable(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	dir := c.fs.String("dir", "", "the synced `FOLDER`")
	encrypt := c.fs.Bool("encrypt", false, "encrypt the segments with a new key, and print its code")
	key := c.fs.String("key", "", "the key `CODE` shown on your other device")
	name := c.fs.String("name", "", "this device's `NAME` (default the host name)")
	newID := c.fs.Bool("new-id", false, "give this device a new id (when two machines claim one)")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		if *dir == "" {
			return usageErr("sync enable needs --dir FOLDER: a folder your sync engine (Syncthing, Nextcloud, Dropbox...) shares")
		}
		if *encrypt && *key != "" {
			return usageErr("give either --encrypt (a new key) or --key CODE (the key of your other devices), not both")
		}
		abs, err := filepath.Abs(*dir)
		if err != nil {
			return usageErr("--dir %q: %v", *dir, err)
		}
		enable := func(cl *client.Client, ctx context.Context) (api.SyncStatus, error) {
			return cl.SyncEnable(ctx, api.SyncEnableRequest{Dir: abs, Encrypt: *encrypt, Key: *key, Name: *name, NewID: *newID})
		}
		return request(c, *asJSON, enable, printSyncAnswer)
	}
}

func cmdSyncDisable(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		return request(c, *asJSON, (*client.Client).SyncDisable, printSyncAnswer)
	}
}

func cmdSyncStatus(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		return request(c, *asJSON, (*client.Client).SyncStatus, printSyncAnswer)
	}
}

// printSyncAnswer prints the daemon's answer to a sync command: the new
// key's code, once, and the status.
func printSyncAnswer(w io.Writer, st api.SyncStatus) {
	if st.KeyCode != "" {
		fmt.Fprintf(w, "segments are encrypted. On each other device, run:\n  mindful sync enable --dir FOLDER --key %s\n"+
			"Keep this code like a password: it is shown only now.\n\n", st.KeyCode)
	}
	printSync(w, st, time.Now())
}

// printSync prints the sync status for people.
func printSync(w io.Writer, st api.SyncStatus, now time.Time) {
	if !st.Enabled {
		fmt.Fprintf(w, "sync: off (this device: %s, id %s; `mindful sync enable --dir FOLDER`)\n", st.Device.Name, st.Device.ID)
		return
	}
	enc := "not encrypted"
	if st.Encrypted {
		enc = "encrypted"
	}
	fmt.Fprintf(w, "sync: on, through %s (%s)\n", st.Dir, enc)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t%s\tthis device\t%d events today\n", st.Device.ID, st.Device.Name, st.Device.EventsToday)
	for _, d := range st.Devices {
		seen := "never"
		if d.LastWritten != nil {
			seen = "last seen " + ago(now.Sub(*d.LastWritten)) + " ago"
		}
		imp := ""
		if d.LastImport != nil {
			imp = ", imported " + d.LastImport.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s%s\t%d events today\n", d.ID, d.Name, seen, imp, d.EventsToday)
	}
	tw.Flush()
	for _, p := range st.Problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
}

// printSyncBrief is the short form in `mindful status`.
func printSyncBrief(w io.Writer, st *api.SyncStatus) {
	if st == nil {
		return
	}
	fmt.Fprintf(w, "sync: on, %d other device(s)", len(st.Devices))
	if len(st.Problems) > 0 {
		fmt.Fprintf(w, "; %d problem(s): %s (see `mindful sync status`)", len(st.Problems), st.Problems[0])
	}
	fmt.Fprintln(w)
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}
