package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// cmdSummary is `mindful summary [--date YYYY-MM-DD | --week] [--json | --markdown]`.
func cmdSummary(c *invocation) handler {
	date := c.fs.String("date", "", "the day (`YYYY-MM-DD`; default today)")
	week := c.fs.Bool("week", false, "the 7 days ending with --date or today")
	asJSON := c.fs.Bool("json", false, "print JSON")
	asMD := c.fs.Bool("markdown", false, "print Markdown, for a journal")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		if *asJSON && *asMD {
			return usageErr("--json and --markdown: choose one")
		}
		if *date != "" {
			if _, err := time.Parse(time.DateOnly, *date); err != nil {
				return usageErr("--date: want YYYY-MM-DD, got %q", *date)
			}
		}
		cl, err := c.client()
		if err != nil {
			return err
		}
		ctx, cancel := requestContext()
		defer cancel()
		if *week {
			w, err := cl.SummaryWeek(ctx, *date)
			if err != nil {
				return err
			}
			switch {
			case *asJSON:
				return printJSON(c.stdout, w)
			case *asMD:
				return WeekMarkdown(c.stdout, w, time.Local)
			}
			return WeekText(c.stdout, w, time.Local)
		}
		s, err := cl.Summary(ctx, *date)
		if err != nil {
			return err
		}
		switch {
		case *asJSON:
			return printJSON(c.stdout, s)
		case *asMD:
			return SummaryMarkdown(c.stdout, s, time.Local)
		}
		return SummaryText(c.stdout, s, time.Local)
	}
}

// cmdExport is `mindful export [--format json|csv] [--out FILE]`.
func cmdExport(c *invocation) handler {
	format := c.fs.String("format", "json", "`json` or csv")
	out := c.fs.String("out", "", "write to `FILE` (made with mode 0600) instead of standard output")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		if *format != "json" && *format != "csv" {
			return usageErr("--format: want json or csv, got %q", *format)
		}
		cl, err := c.client()
		if err != nil {
			return err
		}
		if *out == "" {
			return cl.Export(context.Background(), c.stdout, *format)
		}
		// Write next to the target and rename, so a failed export leaves no
		// half-written file under the asked name.
		tmp, err := os.CreateTemp(filepath.Dir(*out), ".mindful-export-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		if err := cl.Export(context.Background(), tmp, *format); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "exported to %s\n", *out)
		return nil
	}
}

// cmdDeleteAll is `mindful delete-all --yes`.
func cmdDeleteAll(c *invocation) handler {
	yes := c.fs.Bool("yes", false, "really delete everything")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		if !*yes {
			return usageErr("this deletes all your activity, breaks, notes, reflections and settings for good; run `mindful delete-all --yes` to do it (maybe `mindful export --out FILE` first)")
		}
		cl, err := c.client()
		if err != nil {
			return err
		}
		// Rebuilding a year of data takes a while.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := cl.DeleteAll(ctx); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "deleted: everything mindful stored about you is gone (paired browsers stay paired)")
		return nil
	}
}

// SummaryText writes the short friendly form of a day, times in loc.
func SummaryText(w io.Writer, s api.Summary, loc *time.Location) error {
	p := &printer{w: w}
	start := s.Start.In(loc)
	p.f("%s (from %s)\n", start.Format("Monday 2 January 2006"), start.Format("15:04"))
	if s.Opens.Total == 0 && s.SecondsOnFeeds == 0 {
		p.f("No feed opens")
		if s.Usual != nil {
			p.f(" (%s)", usualShort(s.Usual))
		}
		p.f(".\n")
	} else {
		line := plural(s.Opens.Total, "feed open", "feed opens")
		if s.Usual != nil {
			line = s.Usual.Text
		}
		p.f("%s: %s.\n", capitalize(line), answers(s.Opens))
		p.f("%s on feeds", duration(s.SecondsOnFeeds))
		var parts []string
		for _, f := range s.Feeds {
			if f.Seconds > 0 {
				parts = append(parts, f.ID+" "+duration(f.Seconds))
			}
		}
		if len(parts) > 0 {
			p.f(": %s", strings.Join(parts, ", "))
		}
		p.f(".\n")
	}
	for _, n := range s.Needs {
		p.f("Need, %s on %s: %q, %s.\n", n.At.In(loc).Format("15:04"), n.FeedID, n.Purpose, needTime(n))
	}
	if b := s.Breaks; b.Planned > 0 {
		p.f("Breaks: %d planned, %d kept, %d ended early", b.Planned, b.Kept, b.EndedEarly)
		for _, x := range b.Windows {
			if x.EndedEarly {
				p.f(" (%s: %q)", x.Name, x.Reason)
			}
		}
		p.f(".\n")
	}
	if len(s.Breaks.Attempts) > 0 {
		p.f("Tried during breaks: %s.\n", attempts(s.Breaks.Attempts))
	}
	for _, x := range s.Breaks.NotEnforced {
		p.f("Not enforced %s.\n", notEnforcedText(x, loc))
	}
	for _, n := range s.Notes {
		p.f("Note, %s: %s\n", n.At.In(loc).Format("15:04"), n.Note)
	}
	if s.Reflection != "" {
		p.f("Reflection: %s\n", s.Reflection)
	}
	return p.err
}

// SummaryMarkdown writes a day as Markdown, pleasant to paste into a
// journal; times in loc.
func SummaryMarkdown(w io.Writer, s api.Summary, loc *time.Location) error {
	p := &printer{w: w}
	p.f("## %s\n\n", s.Start.In(loc).Format("Monday, 2 January 2006"))
	head := plural(s.Opens.Total, "feed open", "feed opens")
	if s.Usual != nil {
		head = s.Usual.Text
	}
	p.f("**%s** — %s.  \n", capitalize(head), answers(s.Opens))
	p.f("**%s** on feeds.\n\n", duration(s.SecondsOnFeeds))
	if len(s.Feeds) > 0 {
		p.f("| Feed | Opens | Habit | Need | Time |\n|---|---:|---:|---:|---:|\n")
		for _, f := range s.Feeds {
			p.f("| %s | %d | %d | %d | %s |\n", f.ID, f.Opens, f.Habit+f.HabitContinued, f.Need, duration(f.Seconds))
		}
		p.f("\n")
	}
	if len(s.Needs) > 0 {
		p.f("### Needs\n\n")
		for _, n := range s.Needs {
			p.f("- %s **%s** — %s: %s\n", n.At.In(loc).Format("15:04"), n.FeedID, quote(n.Purpose), needTime(n))
		}
		p.f("\n")
	}
	b := s.Breaks
	if b.Planned > 0 || len(b.Attempts) > 0 {
		p.f("### Breaks\n\n%d planned, %d kept, %d ended early.\n\n", b.Planned, b.Kept, b.EndedEarly)
		for _, x := range b.Windows {
			what := "kept"
			switch {
			case x.EndedEarly:
				what = "ended early: " + quote(x.Reason)
			case x.Running:
				what = "running"
			}
			end := "open-ended"
			if x.End != nil {
				end = x.End.In(loc).Format("15:04")
			}
			p.f("- %s–%s %s — %s\n", x.Start.In(loc).Format("15:04"), end, x.Name, what)
		}
		for _, x := range b.NotEnforced {
			p.f("- Not enforced %s\n", notEnforcedText(x, loc))
		}
		if len(b.Attempts) > 0 {
			p.f("- Tried during breaks: %s\n", attempts(b.Attempts))
		}
		p.f("\n")
	}
	if len(s.Notes) > 0 {
		p.f("### Notes from the break page\n\n")
		for _, n := range s.Notes {
			p.f("- %s %s\n", n.At.In(loc).Format("15:04"), oneLine(n.Note))
		}
		p.f("\n")
	}
	if s.Reflection != "" {
		p.f("### Reflection\n\n")
		for _, l := range strings.Split(s.Reflection, "\n") {
			p.f("> %s\n", l)
		}
		p.f("\n")
	}
	return p.err
}

// WeekText writes a week as one line per day and the totals.
func WeekText(w io.Writer, wk api.Week, loc *time.Location) error {
	p := &printer{w: w}
	p.f("%s to %s\n", wk.From, wk.To)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, d := range wk.Days {
		fmt.Fprintf(tw, "  %s\t%s\t%d habit\t%d need\t%s on feeds\tbreaks %d/%d kept\n", d.Start.In(loc).Format("Mon 2 Jan"),
			plural(d.Opens.Total, "open", "opens"), d.Opens.Habit+d.Opens.HabitContinued, d.Opens.Need, duration(d.SecondsOnFeeds), d.Breaks.Kept, d.Breaks.Planned)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	t := wk.Totals
	p.f("In all: %s (%.1f a day), %s on feeds, %d of %d breaks kept.\n",
		plural(t.Opens.Total, "open", "opens"), t.AvgOpens, duration(t.SecondsOnFeeds), t.Breaks.Kept, t.Breaks.Planned)
	return p.err
}

// WeekMarkdown writes a week as a Markdown table.
func WeekMarkdown(w io.Writer, wk api.Week, loc *time.Location) error {
	p := &printer{w: w}
	p.f("## Week %s to %s\n\n", wk.From, wk.To)
	p.f("| Day | Opens | Habit | Need | Time on feeds | Breaks kept |\n|---|---:|---:|---:|---:|---:|\n")
	for _, d := range wk.Days {
		p.f("| %s | %d | %d | %d | %s | %d/%d |\n", d.Start.In(loc).Format("Mon 2 Jan"), d.Opens.Total,
			d.Opens.Habit+d.Opens.HabitContinued, d.Opens.Need, duration(d.SecondsOnFeeds), d.Breaks.Kept, d.Breaks.Planned)
	}
	t := wk.Totals
	p.f("| **In all** | **%d** | **%d** | **%d** | **%s** | **%d/%d** |\n\n", t.Opens.Total,
		t.Opens.Habit+t.Opens.HabitContinued, t.Opens.Need, duration(t.SecondsOnFeeds), t.Breaks.Kept, t.Breaks.Planned)
	for _, d := range wk.Days {
		if d.Reflection != "" {
			p.f("- %s: %s\n", d.Start.In(loc).Format("Mon 2 Jan"), oneLine(d.Reflection))
		}
	}
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func answers(o api.Opens) string {
	return fmt.Sprintf("%d habit, %d habit (continued), %d need, %d left during the pause", o.Habit, o.HabitContinued, o.Need, o.LeftDuringPause)
}

func usualShort(u *api.Usual) string {
	return fmt.Sprintf("your usual is %.0f", u.Opens)
}

func needTime(n api.NeedOpen) string {
	s := fmt.Sprintf("%s of a %d min time box", duration(n.SecondsOnFeed), n.TimeboxMinutes)
	if n.OverSeconds > 0 {
		s += fmt.Sprintf(" (%s over)", duration(n.OverSeconds))
	}
	if n.Extended {
		s += ", extended"
	}
	return s
}

func attempts(as []api.SiteCount) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = fmt.Sprintf("%s %d×", a.Domain, a.Count)
	}
	return strings.Join(parts, ", ")
}

// notEnforcedText says whose and why: "in Firefox 14:00–16:00 for 2 h (not
// connected)" — the browser's absence, not a failure of the user.
func notEnforcedText(x api.Period, loc *time.Location) string {
	why := "no browser connected"
	switch x.Reason {
	case api.NotConnected:
		why = "not connected"
	case api.LimitedAccess:
		why = "no access to some sites"
	}
	where := ""
	if x.Browser != "" {
		where = "in " + x.Browser + " "
	}
	return fmt.Sprintf("%s%s for %s (%s)", where, spanText(x, loc), duration(x.Seconds), why)
}

func spanText(x api.Period, loc *time.Location) string {
	return x.Start.In(loc).Format("15:04") + "–" + x.End.In(loc).Format("15:04")
}

// duration says seconds briefly: "45 s", "22 min", "1 h 5 min".
func duration(secs int64) string {
	switch {
	case secs < 60:
		return fmt.Sprintf("%d s", secs)
	case secs < 3600:
		return fmt.Sprintf("%d min", (secs+30)/60)
	}
	m := (secs + 30) / 60
	if m%60 == 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func quote(s string) string { return "“" + oneLine(s) + "”" }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
