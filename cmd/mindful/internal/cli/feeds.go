package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdFeeds(c *cmdCtx, args []string) error {
	asJSON := c.fs.Bool("json", false, "print JSON")
	name := c.fs.String("name", "", "display `NAME` (feeds add)")
	var hosts, paths listFlag
	c.fs.Var(&hosts, "host", "a `HOST` of the feed, e.g. mastodon.social (repeatable; feeds add)")
	c.fs.Var(&paths, "path", "a path `PATTERN` such as /home or /r/* (repeatable; replaces the feed's paths; feeds add)")
	pos, err := c.parse(args, 1, 2)
	if err != nil {
		return err
	}
	sub := pos[0]
	want := map[string]int{"list": 1, "add": 2, "disable": 2, "enable": 2}
	n, ok := want[sub]
	if !ok {
		return usageErr("unknown feeds command %q (list, add, disable, enable)", sub)
	}
	if len(pos) != n {
		if n == 2 {
			return usageErr("feeds %s needs a feed id", sub)
		}
		return usageErr("feeds %s takes no argument", sub)
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	cx, cancel := ctx()
	defer cancel()
	var f api.Feed
	switch sub {
	case "list":
		fs, err := cl.Feeds(cx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, fs)
		}
		printFeeds(c.stdout, fs)
		return nil
	case "add":
		f, err = cl.AddFeed(cx, api.FeedRequest{ID: pos[1], Name: *name, Hosts: hosts, Paths: paths})
	case "disable", "enable":
		f, err = cl.SetFeedEnabled(cx, pos[1], sub == "enable")
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c.stdout, f)
	}
	printFeeds(c.stdout, []api.Feed{f})
	return nil
}

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

func cmdPrompts(c *cmdCtx, args []string) error {
	asJSON := c.fs.Bool("json", false, "print JSON")
	pauseLen := c.fs.String("pause", "", "breathing pause before the choices work, e.g. 3s (prompts settings)")
	timebox := c.fs.String("default-timebox", "", "preselected time box for a need: 5m, 15m or 30m (prompts settings)")
	pos, err := c.parse(args, 1, 2)
	if err != nil {
		return err
	}
	sub := pos[0]
	switch {
	case sub == "pause" && len(pos) == 2, sub == "resume" && len(pos) == 1, sub == "settings" && len(pos) == 1:
	case sub == "pause":
		return usageErr("prompts pause needs a duration, e.g. `mindful prompts pause 1h`")
	case sub == "resume", sub == "settings":
		return usageErr("prompts %s takes no argument", sub)
	default:
		return usageErr("unknown prompts command %q (pause, resume, settings)", sub)
	}
	var until time.Time
	if sub == "pause" {
		d, err := parseDuration(pos[1])
		if err != nil {
			return usageErr("prompts pause %q: %v", pos[1], err)
		}
		until = time.Now().Add(d)
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
	cl, err := c.client()
	if err != nil {
		return err
	}
	cx, cancel := ctx()
	defer cancel()
	switch sub {
	case "settings":
		var ps api.PromptSettings
		if set.PauseSeconds != nil || set.DefaultTimeboxMinutes != nil {
			ps, err = cl.SetPromptSettings(cx, set)
		} else {
			ps, err = cl.PromptSettings(cx)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, ps)
		}
		fmt.Fprintf(c.stdout, "breathing pause: %gs (grows a little with each habit open today)\ndefault time box: %d minutes (offered: %v)\n", *ps.PauseSeconds, *ps.DefaultTimeboxMinutes, ps.TimeboxesMinutes)
		return nil
	case "pause":
		st, err := cl.PausePrompts(cx, until)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, st)
		}
		fmt.Fprintf(c.stdout, "prompts paused until %s\n", st.PromptsPausedUntil.Local().Format("2006-01-02 15:04"))
	case "resume":
		st, err := cl.ResumePrompts(cx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, st)
		}
		fmt.Fprintln(c.stdout, "prompts resumed")
	}
	return nil
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
