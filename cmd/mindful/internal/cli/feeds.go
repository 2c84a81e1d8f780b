package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
func (l *listFlag) Type() string       { return "stringArray" }

func cmdFeedsList(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if len(args) > 0 {
			return usageErr("feeds list takes no argument")
		}
		return request(c, *asJSON, (*client.Client).Feeds, printFeeds)
	}
}

func cmdFeedsAdd(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	name := c.fs.String("name", "", "display `NAME`")
	var hosts, paths listFlag
	c.fs.Var(&hosts, "host", "a `HOST` of the feed, e.g. mastodon.social (repeatable)")
	c.fs.Var(&paths, "path", "a path `PATTERN` such as /home or /r/* (repeatable; replaces the feed's paths)")
	return func(args []string) error {
		if err := oneArg(args, "feeds add needs a feed id"); err != nil {
			return err
		}
		add := func(cl *client.Client, ctx context.Context) (api.Feed, error) {
			return cl.AddFeed(ctx, api.FeedRequest{ID: args[0], Name: *name, Hosts: hosts, Paths: paths})
		}
		return request(c, *asJSON, add, printFeed)
	}
}

// cmdFeedsEnable is `feeds enable ID` (on) or `feeds disable ID`.
func cmdFeedsEnable(on bool) func(c *invocation) handler {
	sub := map[bool]string{true: "enable", false: "disable"}[on]
	return func(c *invocation) handler {
		asJSON := c.fs.Bool("json", false, "print JSON")
		return func(args []string) error {
			if err := oneArg(args, "feeds "+sub+" needs a feed id"); err != nil {
				return err
			}
			enable := func(cl *client.Client, ctx context.Context) (api.Feed, error) {
				return cl.SetFeedEnabled(ctx, args[0], on)
			}
			return request(c, *asJSON, enable, printFeed)
		}
	}
}

// printFeed prints one feed, as the answer to a change.
func printFeed(w io.Writer, f api.Feed) { printFeeds(w, []api.Feed{f}) }

func printFeeds(w io.Writer, fs []api.Feed) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATE\tHOSTS\tPATHS")
	for _, f := range fs {
		state := "on"
		if !f.Enabled {
			state = "off"
		}
		hosts := strings.Join(f.Hosts, " ")
		if hosts == "" {
			hosts = "(none yet: feeds add " + f.ID + " --host HOST)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.ID, f.Name, state, hosts, strings.Join(f.Paths, " "))
	}
	tw.Flush()
}

func cmdPromptsPause(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if err := oneArg(args, "prompts pause needs a duration, e.g. `mindful prompts pause 1h`"); err != nil {
			return err
		}
		d, err := parseDuration(args[0])
		if err != nil {
			return usageErr("prompts pause %q: %v", args[0], err)
		}
		until := time.Now().Add(d)
		pause := func(cl *client.Client, ctx context.Context) (api.Status, error) { return cl.PausePrompts(ctx, until) }
		return request(c, *asJSON, pause, func(w io.Writer, st api.Status) {
			fmt.Fprintf(w, "prompts paused until %s\n", st.PromptsPausedUntil.Local().Format("2006-01-02 15:04"))
		})
	}
}

func cmdPromptsResume(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if len(args) > 0 {
			return usageErr("prompts resume takes no argument")
		}
		return request(c, *asJSON, (*client.Client).ResumePrompts, func(w io.Writer, _ api.Status) {
			fmt.Fprintln(w, "prompts resumed")
		})
	}
}

func cmdPromptsSettings(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	pauseLen := c.fs.String("pause", "", "breathing pause (`DURATION`) before the choices work, e.g. 3s")
	timebox := c.fs.String("default-timebox", "", "preselected time box (`DURATION`) for a need: 5m, 15m or 30m")
	return func(args []string) error {
		if len(args) > 0 {
			return usageErr("prompts settings takes no argument")
		}
		var set api.PromptSettings
		if *pauseLen != "" {
			d, err := time.ParseDuration(*pauseLen)
			if err != nil || d < 0 {
				return usageErr("--pause %q: want a duration such as 3s", *pauseLen)
			}
			secs := d.Seconds()
			set.PauseSeconds = &secs
		}
		if *timebox != "" {
			d, err := time.ParseDuration(*timebox)
			if err != nil || d <= 0 || d%time.Minute != 0 {
				return usageErr("--default-timebox %q: want whole minutes such as 15m", *timebox)
			}
			m := int(d.Minutes())
			set.DefaultTimeboxMinutes = &m
		}
		ask := (*client.Client).PromptSettings
		if set.PauseSeconds != nil || set.DefaultTimeboxMinutes != nil {
			ask = func(cl *client.Client, ctx context.Context) (api.PromptSettings, error) {
				return cl.SetPromptSettings(ctx, set)
			}
		}
		return request(c, *asJSON, ask, func(w io.Writer, ps api.PromptSettings) {
			fmt.Fprintf(w, "breathing pause: %gs (grows a little with each habit open today)\ndefault time box: %d minutes (offered: %v)\n", *ps.PauseSeconds, *ps.DefaultTimeboxMinutes, ps.TimeboxesMinutes)
		})
	}
}

// parseDuration accepts Go durations and whole days ("2d").
func parseDuration(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err == nil && n > 0 && fmt.Sprint(n) == d {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("want a duration such as 30m, 1h or 2d")
	}
	return d, nil
}
