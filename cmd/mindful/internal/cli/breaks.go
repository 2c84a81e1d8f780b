package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
)

func fmtEnd(t *time.Time) string {
	if t == nil {
		return "you end it"
	}
	return t.Local().Format("Mon 15:04")
}

func cmdBreakStart(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	forSpec := c.fs.String("for", "", "how long: `DURATION` such as 15m, 1h or 2h30m, rest-of-day, or \"until 08:00\"")
	name := c.fs.String("name", "", "a `NAME` for the break")
	locked := c.fs.Bool("locked", false, "the break cannot be ended early")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		if *forSpec == "" {
			return usageErr("break start needs --for, e.g. --for 1h, --for rest-of-day or --for \"until 08:00\"")
		}
		start := func(cl *client.Client, ctx context.Context) (api.Status, error) {
			return cl.StartBreak(ctx, api.BreakStartRequest{For: *forSpec, Name: *name, Locked: *locked})
		}
		return request(c, *asJSON, start, func(w io.Writer, st api.Status) {
			lock := ""
			if st.Break.Locked {
				lock = " (locked)"
			}
			fmt.Fprintf(w, "%s until %s%s\n", st.Break.Name, fmtEnd(st.Break.EndsAt), lock)
		})
	}
}

func cmdBreakStop(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	reason := c.fs.String("reason", "", "`TEXT`: why you end the break early, in a few words (kept for the day's reflection)")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		if strings.TrimSpace(*reason) == "" {
			return usageErr("break stop needs --reason: say in a few words why you end this break early")
		}
		cl, err := c.client()
		if err != nil {
			return err
		}
		ctx, cancel := requestContext()
		defer cancel()
		t, err := cl.RequestStop(ctx)
		if err != nil {
			return err
		}
		if err := waitOut(c.stderr, t.NotBefore); err != nil {
			fmt.Fprintln(c.stderr, "\nkept your break.")
			return &exitError{code: 1, err: err}
		}
		ctx2, cancel2 := requestContext()
		defer cancel2()
		st, err := cl.StopBreak(ctx2, t.Ticket, *reason)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, st)
		}
		fmt.Fprintf(c.stdout, "ended %q early. Your reason is kept for today's reflection.\n", t.Name)
		return nil
	}
}

func cmdBreakList(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		return request(c, *asJSON, (*client.Client).Breaks, printBreaks)
	}
}

func cmdBreakSettings(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	yourReason := c.fs.String("your-reason", "", "your own sentence (`TEXT`) for taking breaks, shown on the break page")
	perWeek := c.fs.Int("early-ends-per-week", -1, "how many breaks may be ended early each week (`N`)")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		var set api.BreakSettings
		if c.fs.Changed("your-reason") {
			set.Reason = yourReason
		}
		if *perWeek >= 0 {
			set.EarlyEndsPerWeek = perWeek
		}
		ask := (*client.Client).Breaks
		if set.Reason != nil || set.EarlyEndsPerWeek != nil {
			ask = func(cl *client.Client, ctx context.Context) (api.Breaks, error) { return cl.SetBreakSettings(ctx, set) }
		}
		return request(c, *asJSON, ask, func(w io.Writer, b api.Breaks) {
			fmt.Fprintf(w, "your reason: %q\nearly ends: %d of %d used this week\n", b.Reason, b.EarlyEndsThisWeek, b.EarlyEndsPerWeek)
		})
	}
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

func cmdScheduleAdd(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	weekly := c.fs.Bool("weekly", false, "a weekly break: START END, e.g. \"Fri 15:30\" \"Sat 16:00\" or \"weekdays 21:00\" \"07:00\"")
	once := c.fs.Bool("once", false, "a one-off break: START END, e.g. \"2026-12-24 18:00\" \"2026-12-26 09:00\"")
	name := c.fs.String("name", "", "a `NAME` for the break")
	locked := c.fs.Bool("locked", false, "the break cannot be ended early")
	var sites listFlag
	c.fs.Var(&sites, "site", "a `HOST` to block (repeatable; default: every site of every enabled feed)")
	return func(args []string) error {
		if len(args) > 2 {
			return usageErr("unexpected argument %q", args[2])
		}
		if *weekly == *once {
			return usageErr("schedule add needs either --weekly START END or --once START END")
		}
		if len(args) != 2 {
			return usageErr("schedule add needs START and END, e.g. --weekly \"Fri 15:30\" \"Sat 16:00\"")
		}
		kind := "weekly"
		if *once {
			kind = "once"
		}
		r := api.Rule{Kind: kind, Name: *name, Start: args[0], End: args[1], Locked: *locked}
		if len(sites) > 0 {
			r.Sites = sites
		}
		add := func(cl *client.Client, ctx context.Context) ([]api.Rule, error) {
			added, err := cl.AddSchedule(ctx, r)
			return []api.Rule{added}, err
		}
		return request(c, *asJSON, add, printRules)
	}
}

func cmdScheduleRemove(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if len(args) > 2 {
			return usageErr("unexpected argument %q", args[2])
		}
		if len(args) != 1 {
			return usageErr("schedule remove needs the id shown by `mindful schedule list`")
		}
		remove := func(cl *client.Client, ctx context.Context) ([]api.Rule, error) {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return nil, usageErr("schedule remove %q: want the numeric id from `mindful schedule list`", args[0])
			}
			return cl.RemoveSchedule(ctx, id)
		}
		return request(c, *asJSON, remove, printRules)
	}
}

func cmdScheduleList(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if len(args) > 2 {
			return usageErr("unexpected argument %q", args[2])
		}
		if len(args) != 0 {
			return usageErr("schedule list takes no argument")
		}
		return request(c, *asJSON, (*client.Client).Schedule, printRules)
	}
}
