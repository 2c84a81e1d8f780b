// Package cli is the mindful command line: `mindful run` starts the daemon,
// every other subcommand is a client of the daemon's control API.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mindful-app/mindful/daemon"
	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/version"
	"github.com/mindful-app/mindful/installer/nativehost"
)

const usage = `mindful helps you notice habitual social-feed use and take real breaks.

Usage:
  mindful run [--addr HOST:PORT] [--data-dir DIR] [--no-tray]
                                   start the daemon (and the tray where a display exists)
  mindful status [--json]          the daemon's state and each browser
  mindful events [--since DURATION] [--json]
                                   stored activity (default: the last 24h; --since all)
  mindful pair list [--json]       pending pairing requests and paired browsers
  mindful pair approve CODE        approve the code the browser extension shows
  mindful pair revoke ID           unpair a browser
  mindful feeds list [--json]      the feeds mindful asks about
  mindful feeds add ID [--host HOST]... [--path PATTERN]... [--name NAME]
                                   add a feed, or hosts to one (e.g. feeds add mastodon --host mastodon.social)
  mindful feeds disable|enable ID  stop or start asking about a feed
  mindful prompts pause DURATION   no "Habit or need?" prompts for a while (e.g. 1h)
  mindful prompts resume           prompts again
  mindful prompts settings [--pause 3s] [--default-timebox 15m]
  mindful break start --for DURATION [--name N] [--locked]
                                   take a break now: 15m, 1h, rest-of-day, "until 08:00"
  mindful break stop --reason TEXT end the running break early (after a 10 s wait)
  mindful break list [--json]      the running break, the next one and the schedule
  mindful break settings [--your-reason TEXT] [--early-ends-per-week N]
  mindful schedule add --weekly START END | --once START END [--name N] [--locked] [--site HOST]...
                                   e.g. --weekly "Fri 15:30" "Sat 16:00", --weekly "weekdays 21:00" "07:00"
  mindful schedule remove ID       delete a scheduled break
  mindful schedule list [--json]   the scheduled breaks
  mindful summary [--date YYYY-MM-DD | --week] [--json | --markdown]
                                   the day in review: opens by answer, time on feeds, breaks, your usual
  mindful sync enable --dir FOLDER [--encrypt | --key CODE] [--name NAME] [--new-id]
                                   share breaks, schedules and reflections with your other computers
                                   through a folder you already sync (Syncthing, Nextcloud, Dropbox...)
  mindful sync disable             stop sharing (what was imported stays)
  mindful sync status [--json]     every device seen: id, name, last import; any problem
  mindful export [--format json|csv] [--out FILE]
                                   everything mindful stored (activity, breaks, notes, settings)
  mindful delete-all --yes         delete everything mindful stored, for good
  mindful dashboard [--page PAGE] [--date YYYY-MM-DD] [--print]
                                   open the dashboard in the browser (today, history, breaks, feeds, settings, data);
                                   --print only prints the one-time link
  mindful install [--dry-run] [--prefix DIR] [--browsers LIST] [--systemd]
                                   start at login, and let the extension pair by itself
                                   (native messaging; LIST: chrome,chromium,edge,brave,firefox)
  mindful uninstall [--purge] [--yes] [--dry-run]
                                   stop the daemon, remove what install wrote (--purge: the data too)
  mindful native-host              (internal) the native-messaging host; browsers start it
  mindful version                  print the version

Every subcommand takes --addr (env MINDFUL_ADDR, default 127.0.0.1:17717)
and --data-dir (env MINDFUL_DATA_DIR, default the per-user data directory).
`

// errHelp is returned for -h/--help after a subcommand.
var errHelp = errors.New("help requested")

// exitError carries an exit code: 1 for failures, 2 for usage errors.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

type command struct {
	name string
	run  func(c *cmdCtx, args []string) error
}

var commands = []command{
	{"break", cmdBreak},
	{"dashboard", cmdDashboard},
	{"delete-all", cmdDeleteAll}, // summary.go
	{"events", cmdEvents},
	{"export", cmdExport}, // summary.go
	{"feeds", cmdFeeds},
	{"install", cmdInstall},        // install.go
	{"native-host", cmdNativeHost}, // install.go; browsers start it
	{"pair", cmdPair},
	{"prompts", cmdPrompts},
	{"run", cmdRun},
	{"schedule", cmdSchedule},
	{"status", cmdStatus},
	{"summary", cmdSummary},     // summary.go
	{"sync", cmdSync},           // sync.go
	{"uninstall", cmdUninstall}, // install.go
	{"version", cmdVersion},
}

// cmdCtx is what a subcommand gets.
type cmdCtx struct {
	name           string
	stdout, stderr io.Writer
	fs             *flag.FlagSet
	addr, dataDir  *string
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "-version", "--version":
		name = "version"
	}
	// A browser starting the native-messaging host runs the binary the
	// host manifest names with the caller's origin (Chromium) or manifest
	// path and add-on id (Firefox) as arguments.
	if nativehost.IsHostInvocation(args) {
		name, args = "native-host", append([]string{"native-host"}, args...)
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		fs := flag.NewFlagSet("mindful "+name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cc := &cmdCtx{name: name, stdout: stdout, stderr: stderr, fs: fs}
		cc.addr = fs.String("addr", envOr("MINDFUL_ADDR", daemon.DefaultAddr), "daemon address `HOST:PORT`")
		cc.dataDir = fs.String("data-dir", os.Getenv("MINDFUL_DATA_DIR"), "data `DIR`")
		err := c.run(cc, args[1:])
		if err == nil {
			return 0
		}
		if errors.Is(err, errHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.code == 2 {
				fmt.Fprintf(stderr, "mindful %s: %v\n\n%s", name, ee.err, usage)
			} else {
				fmt.Fprintf(stderr, "mindful %s: %v\n", name, ee.err)
			}
			return ee.code
		}
		fmt.Fprintf(stderr, "mindful %s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stderr, "mindful: unknown command %q\n\n%s", name, usage)
	return 2
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// parse parses flags and checks the number of positional arguments.
func (c *cmdCtx) parse(args []string, min, max int) ([]string, error) {
	pos, err := parseInterspersed(c.fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, usageErr("%v", err)
	}
	if len(pos) < min || (max >= 0 && len(pos) > max) {
		if len(pos) > max && max >= 0 {
			return nil, usageErr("unexpected argument %q", pos[max])
		}
		return nil, usageErr("missing argument")
	}
	return pos, nil
}

func (c *cmdCtx) client() (*client.Client, error) {
	dir, err := datadir.Resolve(*c.dataDir)
	if err != nil {
		return nil, err
	}
	return client.Open(c.daemonAddr(dir), dir)
}

// daemonAddr is where to find the daemon: --addr or MINDFUL_ADDR when
// given, else the address the daemon last listened on (a daemon started
// with --addr writes it to its data dir), else the default.
func (c *cmdCtx) daemonAddr(dir string) string {
	given := os.Getenv("MINDFUL_ADDR") != ""
	c.fs.Visit(func(f *flag.Flag) { given = given || f.Name == "addr" })
	if !given {
		if a := datadir.ReadAddr(dir); a != "" {
			return a
		}
	}
	return *c.addr
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Second)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cmdVersion(c *cmdCtx, args []string) error {
	if _, err := c.parse(args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "mindful %s\n", version.Version)
	return nil
}

func cmdRun(c *cmdCtx, args []string) error {
	noTray := c.fs.Bool("no-tray", false, "run without the tray icon")
	if _, err := c.parse(args, 0, 0); err != nil {
		return err
	}
	return runDaemon(c, *noTray) // run.go
}

func cmdStatus(c *cmdCtx, args []string) error {
	asJSON := c.fs.Bool("json", false, "print JSON")
	if _, err := c.parse(args, 0, 0); err != nil {
		return err
	}
	cl, err := c.client()
	var st api.Status
	if err == nil {
		cx, cancel := ctx()
		defer cancel()
		st, err = cl.Status(cx)
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
	if len(st.Clients) == 0 {
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

func cmdEvents(c *cmdCtx, args []string) error {
	asJSON := c.fs.Bool("json", false, "print JSON")
	sinceFlag := c.fs.String("since", "24h", "how far back (`DURATION`, e.g. 90m, 24h, 7d, or all)")
	limit := c.fs.Int("limit", 10000, "at most `N` events")
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
	cx, cancel := ctx()
	defer cancel()
	evs, err := cl.Events(cx, since, *limit)
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
		case "idle_state":
			what = e.State
		case "prompt":
			what = e.FeedID + ": " + e.Answer
			if e.Purpose != "" {
				what += " (" + e.Purpose + ")"
			}
		case "feed_time":
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

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func cmdPair(c *cmdCtx, args []string) error {
	asJSON := c.fs.Bool("json", false, "print JSON (pair list)")
	pos, err := c.parse(args, 1, 2)
	if err != nil {
		return err
	}
	sub := pos[0]
	want := map[string]int{"list": 1, "approve": 2, "revoke": 2}
	n, ok := want[sub]
	if !ok {
		return usageErr("unknown pair command %q (list, approve, revoke)", sub)
	}
	if len(pos) != n {
		if n == 2 {
			return usageErr("pair %s needs one argument", sub)
		}
		return usageErr("pair %s takes no argument", sub)
	}
	// Check the code before talking to the daemon: a typo is a usage error
	// whether or not the daemon is running.
	var code string
	if sub == "approve" {
		code = strings.TrimSpace(pos[1])
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			return usageErr("pairing code %q: want the 6 digits the extension shows", code)
		}
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	cx, cancel := ctx()
	defer cancel()
	switch sub {
	case "list":
		p, err := cl.Pairing(cx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, p)
		}
		printPairing(c.stdout, p)
	case "approve":
		pc, err := cl.Approve(cx, code)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "paired %s %s as %s\n", pc.Browser, pc.BrowserVersion, pc.ID)
	case "revoke":
		id, err := cl.Revoke(cx, pos[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "unpaired %s\n", id)
	}
	return nil
}

func printPairing(w io.Writer, p api.Pairing) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if len(p.Pending) == 0 {
		fmt.Fprintln(tw, "no pending pairing requests")
	} else {
		fmt.Fprintln(tw, "pending (approve with `mindful pair approve CODE`):")
		for _, r := range p.Pending {
			fmt.Fprintf(tw, "  %s\t%s %s\t%s\tasked %s\n", r.Code, r.Browser, r.BrowserVersion, r.Origin, r.RequestedAt.Local().Format("15:04:05"))
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
