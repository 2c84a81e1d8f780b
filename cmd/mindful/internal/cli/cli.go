// Package cli is the mindful command line: `mindful run` starts the daemon,
// every other subcommand is a client of the daemon's control API.
//
// commands() (commands.go) defines every command once: its words, help and
// examples, and a setup function that declares its flags and returns its
// handler, a plain function of the positional arguments. github.com/spf13/cobra
// parses the flags and finds the command; from the same tree come
// `mindful help CMD`, `mindful CMD --help`, the overview, the shell
// completion and the man page (WriteShare, run by gendocs at build time).
// Main keeps the command line's contracts: the first word is the command,
// flags may come before or after the arguments with one dash or two,
// --addr and --data-dir (MINDFUL_ADDR, MINDFUL_DATA_DIR) work everywhere,
// and a usage error exits 2 with the command's usage.
package cli

import (
	"context"
	"encoding/json"
	"errors"

	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/version"
	"github.com/mindful-app/mindful/installer/nativehost"
)

// exitError carries an exit code: 1 for failures, 2 for usage errors.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	// A browser starting the native-messaging host runs the binary the
	// host manifest names with the caller's origin (Chromium) or manifest
	// path and add-on id (Firefox) as arguments.
	if nativehost.IsHostInvocation(args) {
		args = append([]string{"native-host"}, args...)
	}
	root := newRoot(stdout, stderr)
	if len(args) == 0 {
		fmt.Fprint(stderr, root.overview())
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, root.overview())
		return 0
	case "-version", "--version":
		args = append([]string{"version"}, args[1:]...)
	case cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
		// The shell asks for completions: the words as typed, to cobra.
		if len(args) > 1 {
			if top := root.top(args[1]); top != nil {
				tolerate(top)
			}
		}
		root.cmd.SetArgs(args)
		if err := root.cmd.Execute(); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	// The first word is the command, always: "mindful --json status" is
	// an unknown command, as it always was.
	top := root.top(args[0])
	if top == nil {
		fmt.Fprintf(stderr, "mindful: unknown command %q\n\n%s", args[0], root.overview())
		return 2
	}
	cmd, err := root.execute(args)
	if err == nil {
		return 0
	}
	name := args[0]
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.code == 2 {
			fmt.Fprintf(stderr, "mindful %s: %v\n\n%s", name, ee.err, helpText(cmd))
		} else {
			fmt.Fprintf(stderr, "mindful %s: %v\n", name, ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "mindful %s: %v\n", name, err)
	return 1
}

// execute runs the command line args, whose first word is a command.
func (r *root) execute(args []string) (*cobra.Command, error) {
	known := pflag.NewFlagSet("", pflag.ContinueOnError)
	if top := r.top(args[0]); top != nil {
		tolerate(top)
		known.AddFlagSet(top.Flags())
	}
	known.AddFlagSet(r.cmd.PersistentFlags())
	r.cmd.SetArgs(append([]string{args[0]}, longFlags(known, args[1:])...))
	return r.cmd.ExecuteC()
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// parse checks the number of positional arguments (the flags are parsed
// by then): at least min, at most max (max < 0: no limit).
func (c *invocation) parse(args []string, min, max int) ([]string, error) {
	if max >= 0 && len(args) > max {
		return nil, usageErr("unexpected argument %q", args[max])
	}
	if len(args) < min {
		return nil, usageErr("missing argument")
	}
	return args, nil
}

func (c *invocation) client() (*client.Client, error) {
	dir, err := datadir.Resolve(*c.dataDir)
	if err != nil {
		return nil, err
	}
	return client.Open(c.daemonAddr(dir), dir)
}

// daemonAddr is where to find the daemon: --addr or MINDFUL_ADDR when
// given, else the address the daemon last listened on (a daemon started
// with --addr writes it to its data dir), else the default.
func (c *invocation) daemonAddr(dir string) string {
	given := os.Getenv("MINDFUL_ADDR") != "" || c.fs.Changed("addr")
	if !given {
		if a := datadir.ReadAddr(dir); a != "" {
			return a
		}
	}
	return *c.addr
}

// requestContext bounds one request to the daemon: 20 s.
func requestContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Second)
}

// request asks the daemon one thing (ask, with a new client and a
// requestContext) and prints the answer: as JSON when asJSON, else with
// text, for people. ask takes the client first, so that a method of
// client.Client serves as it is: (*client.Client).Breaks.
func request[T any](c *invocation, asJSON bool, ask func(*client.Client, context.Context) (T, error), text func(io.Writer, T)) error {
	cl, err := c.client()
	if err != nil {
		return err
	}
	ctx, cancel := requestContext()
	defer cancel()
	v, err := ask(cl, ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(c.stdout, v)
	}
	text(c.stdout, v)
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cmdVersion(c *invocation) handler {
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "mindful %s\n", version.Version)
		return nil
	}
}

func cmdRun(c *invocation) handler {
	noTray := c.fs.Bool("no-tray", false, "run without the tray icon")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		return runDaemon(c, *noTray) // run.go
	}
}

func cmdStatus(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		cl, err := c.client()
		var st api.Status
		if err == nil {
			ctx, cancel := requestContext()
			defer cancel()
			st, err = cl.Status(ctx)
		}
		if err != nil {
			if *asJSON && errors.Is(err, client.ErrNotRunning) {
				printJSON(c.stdout, api.Status{Running: false, Version: version.Version, Addr: *c.addr, Clients: []api.Client{}})
			}
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, st)
		}
		fmt.Fprintf(c.stdout, "mindful %s is running on %s (since %s)\n", st.Version, st.Addr, st.StartedAt.Local().Format("2006-01-02 15:04"))
		fmt.Fprintf(c.stdout, "data: %s\n", st.DataDir)
		if printDatabaseProblem(c.stdout, st.Database) && len(st.Clients) == 0 { // db.go
			// The paired browsers are in the database: not known now.
		} else if len(st.Clients) == 0 {
			fmt.Fprintln(c.stdout, "browsers: none paired yet (install the extension, then `mindful pair approve CODE`)")
		} else {
			fmt.Fprintln(c.stdout, "browsers:")
			tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
			for _, b := range st.Clients {
				state := "not connected"
				if b.Connected {
					state = "connected"
				} else if b.LastSeen != nil {
					state = "last seen " + b.LastSeen.Local().Format("2006-01-02 15:04")
				}
				if b.Access == "limited" {
					state += fmt.Sprintf(", limited: no access to %s (grant it in the extension's popup)", strings.Join(b.MissingHosts, ", "))
				}
				fmt.Fprintf(tw, "  %s\t%s %s\t%s\n", b.ID, b.Browser, b.BrowserVersion, state)
			}
			tw.Flush()
		}
		if st.Break.Active {
			fmt.Fprintf(c.stdout, "on a break: %s until %s\n", st.Break.Name, fmtEnd(st.Break.EndsAt))
		} else if st.NextBreak != nil {
			fmt.Fprintf(c.stdout, "next break: %s at %s\n", st.NextBreak.Name, st.NextBreak.StartsAt.Local().Format("Mon 2 Jan 15:04"))
		}
		if st.PromptsPausedUntil != nil {
			fmt.Fprintf(c.stdout, "prompts paused until %s\n", st.PromptsPausedUntil.Local().Format("2006-01-02 15:04"))
		}
		if st.PendingPairings > 0 {
			fmt.Fprintf(c.stdout, "pending pairing requests: %d (see `mindful pair list`)\n", st.PendingPairings)
		}
		if st.Checkin.Due {
			fmt.Fprintln(c.stdout, "evening check-in: what did you notice today? (`mindful dashboard`)")
		}
		printSyncBrief(c.stdout, st.Sync) // sync.go
		return nil
	}
}

// parseSince accepts Go durations plus "Nd" days, and "all".
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "all" || s == "0" {
		return time.Time{}, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err == nil && n > 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("--since %q: want a duration such as 90m, 24h or 7d, or \"all\"", s)
	}
	return now.Add(-d), nil
}

func cmdEvents(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	sinceFlag := c.fs.String("since", "24h", "how far back (`DURATION`, e.g. 90m, 24h, 7d, or all)")
	limit := c.fs.Int("limit", 10000, "at most `N` events")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		since, err := parseSince(*sinceFlag, time.Now())
		if err != nil {
			return usageErr("%v", err)
		}
		cl, err := c.client()
		if err != nil {
			return err
		}
		ctx, cancel := requestContext()
		defer cancel()
		evs, err := cl.Events(ctx, since, *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			if evs == nil {
				evs = []api.Event{}
			}
			return printJSON(c.stdout, evs)
		}
		if len(evs) == 0 {
			fmt.Fprintln(c.stdout, "no events in that period")
			return nil
		}
		tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
		for _, e := range evs {
			what := e.Domain
			switch e.Type {
			case api.EventIdleState:
				what = e.State
			case api.EventPrompt:
				what = e.FeedID + ": " + e.Answer
				if e.Purpose != "" {
					what += " (" + e.Purpose + ")"
				}
			case api.EventFeedTime:
				if e.Seconds != nil {
					what = fmt.Sprintf("%s: %.0fs on the feed", e.FeedID, *e.Seconds)
				}
			default:
				if e.FeedID != "" {
					what += " [" + e.FeedID + "]"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.TS.Local().Format("2006-01-02 15:04:05"), short(e.Client), e.Type, what)
		}
		tw.Flush()
		if len(evs) == *limit {
			fmt.Fprintf(c.stderr, "(showing the first %d; use --limit or a shorter --since)\n", *limit)
		}
		return nil
	}
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func cmdPairList(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if len(args) > 0 {
			return usageErr("pair list takes no argument")
		}
		return request(c, *asJSON, (*client.Client).Pairing, printPairing)
	}
}

// oneArg checks that a subcommand got exactly one positional argument.
func oneArg(args []string, missing string) error {
	switch {
	case len(args) == 0:
		return usageErr("%s", missing)
	case len(args) > 1:
		return usageErr("unexpected argument %q", args[1])
	}
	return nil
}

func cmdPairApprove(c *invocation) handler {
	return func(args []string) error {
		if err := oneArg(args, "pair approve needs one argument"); err != nil {
			return err
		}
		// Check the code before talking to the daemon: a typo is a usage
		// error whether or not the daemon is running.
		code := strings.TrimSpace(args[0])
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			return usageErr("pairing code %q: want the 6 digits the extension shows", code)
		}
		cl, err := c.client()
		if err != nil {
			return err
		}
		ctx, cancel := requestContext()
		defer cancel()
		pc, err := cl.Approve(ctx, code)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "paired %s %s as %s\n", pc.Browser, pc.BrowserVersion, pc.ID)
		return nil
	}
}

func cmdPairRevoke(c *invocation) handler {
	return func(args []string) error {
		if err := oneArg(args, "pair revoke needs one argument"); err != nil {
			return err
		}
		cl, err := c.client()
		if err != nil {
			return err
		}
		ctx, cancel := requestContext()
		defer cancel()
		id, err := cl.Revoke(ctx, args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "unpaired %s\n", id)
		return nil
	}
}

func printPairing(w io.Writer, p api.Pairing) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if len(p.Pending) == 0 {
		fmt.Fprintln(tw, "no pending pairing requests")
	} else {
		fmt.Fprintln(tw, "pending (approve with `mindful pair approve CODE`):")
		for _, r := range p.Pending {
			origin := r.Origin
			if origin == "" {
				origin = "no origin: a local program"
			}
			fmt.Fprintf(tw, "  %s\t%s %s\t%s\tasked %s\n", r.Code, r.Browser, r.BrowserVersion, origin, r.RequestedAt.Local().Format("15:04:05"))
		}
	}
	sort.Slice(p.Paired, func(i, j int) bool { return p.Paired[i].PairedAt.Before(p.Paired[j].PairedAt) })
	if len(p.Paired) == 0 {
		fmt.Fprintln(tw, "no paired browsers")
	} else {
		fmt.Fprintln(tw, "paired:")
		for _, b := range p.Paired {
			state := ""
			if b.Connected {
				state = "connected"
			}
			fmt.Fprintf(tw, "  %s\t%s %s\tpaired %s\t%s\n", b.ID, b.Browser, b.BrowserVersion, b.PairedAt.Local().Format("2006-01-02 15:04"), state)
		}
	}
	tw.Flush()
}
