package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

func fmtEnd(t *time.Time) string {
	if t == nil {
		return "you end it"
	}
	return t.Local().Format("Mon 15:04")
}

func cmdBreak(c *cmdCtx, args []string) error {
	asJSON := c.fs.Bool("json", false, "print JSON")
	forSpec := c.fs.String("for", "", "how long: 15m, 1h, rest-of-day, until 08:00 (break start)")
	name := c.fs.String("name", "", "a name for the break (break start)")
	locked := c.fs.Bool("locked", false, "the break cannot be ended early (break start)")
	reason := c.fs.String("reason", "", "why you end the break early (break stop)")
	yourReason := c.fs.String("your-reason", "", "your own sentence for taking breaks, shown on the break page (break settings)")
	perWeek := c.fs.Int("early-ends-per-week", -1, "how many breaks may be ended early each week (break settings)")
	pos, err := c.parse(args, 1, 1)
	if err != nil {
		return err
	}
	sub := pos[0]
	switch sub {
	case "start", "stop", "list", "settings":
	default:
		return usageErr("unknown break command %q (start, stop, list, settings)", sub)
	}
	if sub == "start" && *forSpec == "" {
		return usageErr("break start needs --for, e.g. --for 1h, --for rest-of-day or --for \"until 08:00\"")
	}
	if sub == "stop" && strings.TrimSpace(*reason) == "" {
		return usageErr("break stop needs --reason: say in a few words why you end this break early")
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	cx, cancel := ctx()
	defer cancel()
	switch sub {
	case "start":
		st, err := cl.StartBreak(cx, api.BreakStartRequest{For: *forSpec, Name: *name, Locked: *locked})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, st)
		}
		lock := ""
		if st.Break.Locked {
			lock = " (locked)"
		}
		fmt.Fprintf(c.stdout, "%s until %s%s\n", st.Break.Name, fmtEnd(st.Break.EndsAt), lock)
	case "stop":
		t, err := cl.RequestStop(cx)
		if err != nil {
			return err
		}
		if err := waitOut(c.stderr, t.NotBefore); err != nil {
			fmt.Fprintln(c.stderr, "\nkept your break.")
			return &exitError{code: 1, err: err}
		}
		cx2, cancel2 := ctx()
		defer cancel2()
		st, err := cl.StopBreak(cx2, t.Ticket, *reason)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, st)
		}
		fmt.Fprintf(c.stdout, "ended %q early. Your reason is kept for today's reflection.\n", t.Name)
	case "settings":
		var set api.BreakSettings
		if flagSet(c, "your-reason") {
			set.Reason = yourReason
		}
		if *perWeek >= 0 {
			set.EarlyEndsPerWeek = perWeek
		}
		var b api.Breaks
		if set.Reason != nil || set.EarlyEndsPerWeek != nil {
			b, err = cl.SetBreakSettings(cx, set)
		} else {
			b, err = cl.Breaks(cx)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, b)
		}
		fmt.Fprintf(c.stdout, "your reason: %q\nearly ends: %d of %d used this week\n", b.Reason, b.EarlyEndsThisWeek, b.EarlyEndsPerWeek)
	case "list":
		b, err := cl.Breaks(cx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, b)
		}
		printBreaks(c.stdout, b)
	}
	return nil
}

func flagSet(c *cmdCtx, name string) bool {
	set := false
	c.fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// waitOut shows a countdown to t on w; Ctrl-C cancels it.
func waitOut(w io.Writer, t time.Time) error {
	sig, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	fmt.Fprintln(w, "Take a breath. Ending the break in a few seconds (Ctrl-C keeps it).")
	for {
		left := time.Until(t)
		if left <= 0 {
			fmt.Fprintln(w)
			return nil
		}
		fmt.Fprintf(w, "\r%2d s ", int(left.Seconds()+0.999))
		select {
		case <-sig.Done():
			return fmt.Errorf("cancelled")
		case <-tick.C:
		case <-time.After(left):
		}
	}
}

func printBreaks(w io.Writer, b api.Breaks) {
	if b.Active.Active {
		lock := ""
		if b.Active.Locked {
			lock = " (locked)"
		}
		fmt.Fprintf(w, "on a break: %s until %s%s\n", b.Active.Name, fmtEnd(b.Active.EndsAt), lock)
	} else {
		fmt.Fprintln(w, "no break right now")
	}
	if b.Next != nil {
		fmt.Fprintf(w, "next: %s, %s → %s\n", b.Next.Name, b.Next.StartsAt.Local().Format("Mon 2 Jan 15:04"), fmtEnd(b.Next.EndsAt))
	}
	fmt.Fprintf(w, "early ends this week: %d of %d\n", b.EarlyEndsThisWeek, b.EarlyEndsPerWeek)
	printRules(w, b.Schedule)
}

func printRules(w io.Writer, rs []api.Rule) {
	if len(rs) == 0 {
		fmt.Fprintln(w, "no scheduled breaks (add one with `mindful schedule add --weekly \"Fri 15:30\" \"Sat 16:00\"`)")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tWHEN\tLOCKED\tSITES")
	for _, r := range rs {
		sites := "every feed site"
		if r.Sites != nil {
			sites = strings.Join(r.Sites, " ")
		}
		when := r.Start + " → " + r.End
		if r.Kind == "weekly" {
			when = "weekly " + when
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%s\n", r.ID, r.Name, when, r.Locked, sites)
	}
	tw.Flush()
}

func cmdSchedule(c *cmdCtx, args []string) error {
	asJSON := c.fs.Bool("json", false, "print JSON")
	weekly := c.fs.Bool("weekly", false, "a weekly break: START END, e.g. \"Fri 15:30\" \"Sat 16:00\" or \"weekdays 21:00\" \"07:00\"")
	once := c.fs.Bool("once", false, "a one-off break: START END, e.g. \"2026-12-24 18:00\" \"2026-12-26 09:00\"")
	name := c.fs.String("name", "", "a name for the break")
	locked := c.fs.Bool("locked", false, "the break cannot be ended early")
	var sites listFlag
	c.fs.Var(&sites, "site", "a `HOST` to block (repeatable; default: every site of every enabled feed)")
	pos, err := c.parse(args, 1, 3)
	if err != nil {
		return err
	}
	sub := pos[0]
	switch sub {
	case "list":
		if len(pos) != 1 {
			return usageErr("schedule list takes no argument")
		}
	case "remove":
		if len(pos) != 2 {
			return usageErr("schedule remove needs the id shown by `mindful schedule list`")
		}
	case "add":
		if *weekly == *once {
			return usageErr("schedule add needs either --weekly START END or --once START END")
		}
		if len(pos) != 3 {
			return usageErr("schedule add needs START and END, e.g. --weekly \"Fri 15:30\" \"Sat 16:00\"")
		}
	default:
		return usageErr("unknown schedule command %q (add, remove, list)", sub)
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	cx, cancel := ctx()
	defer cancel()
	var rs []api.Rule
	switch sub {
	case "list":
		rs, err = cl.Schedule(cx)
	case "remove":
		id, perr := strconv.ParseInt(pos[1], 10, 64)
		if perr != nil {
			return usageErr("schedule remove %q: want the numeric id from `mindful schedule list`", pos[1])
		}
		rs, err = cl.RemoveSchedule(cx, id)
	case "add":
		kind := "weekly"
		if *once {
			kind = "once"
		}
		r := api.Rule{Kind: kind, Name: *name, Start: pos[1], End: pos[2], Locked: *locked}
		if len(sites) > 0 {
			r.Sites = sites
		}
		var added api.Rule
		added, err = cl.AddSchedule(cx, r)
		rs = []api.Rule{added}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c.stdout, rs)
	}
	printRules(c.stdout, rs)
	return nil
}
