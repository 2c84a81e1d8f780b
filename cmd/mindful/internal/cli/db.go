package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mindful-app/mindful/daemon"
	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/datadir"
)

// cmdDBCheck is `mindful db check`: it reads the database file directly,
// read-only, so it works while the daemon runs.
func cmdDBCheck(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		dir, err := datadir.Resolve(*c.dataDir)
		if err != nil {
			return err
		}
		// No timeout: a year of history takes seconds, a huge file longer.
		res, err := daemon.CheckDB(context.Background(), dir)
		if err != nil {
			return err
		}
		if *asJSON {
			if err := printJSON(c.stdout, res); err != nil {
				return err
			}
		} else {
			printCheck(c, res)
		}
		if !res.OK {
			return &exitError{code: 1, err: errors.New(res.Problem)}
		}
		return nil
	}
}

// cmdDBRecover is `mindful db recover`: it needs the daemon stopped (it
// takes the daemon's instance lock and says so when it cannot).
func cmdDBRecover(c *invocation) handler {
	asJSON := c.fs.Bool("json", false, "print JSON")
	force := c.fs.Bool("force", false, "copy a database that passed the check too")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		dir, err := datadir.Resolve(*c.dataDir)
		if err != nil {
			return err
		}
		res, err := daemon.RecoverDB(context.Background(), dir, *force)
		if err != nil {
			if errors.Is(err, daemon.ErrNothingToRecover) {
				fmt.Fprintln(c.stdout, err)
				return nil
			}
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, res)
		}
		printRecovery(c, res)
		return nil
	}
}

func printCheck(c *invocation, res api.DBCheck) {
	if res.OK {
		if res.State == "ok" {
			fmt.Fprintf(c.stdout, "%s: ok (quick_check passed in %.1fs)\n", res.Path, res.Seconds)
		} else {
			fmt.Fprintf(c.stdout, "%s: not made yet (mindful makes it when it first starts)\n", res.Path)
		}
		return
	}
	fmt.Fprintf(c.stdout, "%s: %s\n", res.Path, res.Problem)
	for i, p := range res.Problems {
		if i == 5 {
			fmt.Fprintf(c.stdout, "  ... and %d more\n", len(res.Problems)-i)
			break
		}
		fmt.Fprintf(c.stdout, "  %s\n", p)
	}
	fmt.Fprintf(c.stdout, "what to do: %s\n", res.Todo)
}

func printRecovery(c *invocation, res api.DBRecovery) {
	fmt.Fprintf(c.stdout, "recovered %s in %.1fs\n", res.Path, res.Seconds)
	if res.DamagedCopy != "" {
		fmt.Fprintf(c.stdout, "the old file is kept, unchanged, as %s\n", res.DamagedCopy)
	}
	fmt.Fprintln(c.stdout, "rows saved:")
	width := 0
	for _, t := range res.Tables {
		width = max(width, len(t.Table))
	}
	incomplete := false
	for _, t := range res.Tables {
		note := ""
		switch {
		case t.Skipped != "":
			note = "not copied: " + t.Skipped
		case !t.Complete:
			note = "some rows could not be read"
			incomplete = true
		}
		fmt.Fprintln(c.stdout, strings.TrimRight(fmt.Sprintf("  %-*s %9d  %s", width, t.Table, t.Saved, note), " "))
	}
	if incomplete {
		fmt.Fprintln(c.stdout, "rows on damaged pages are lost; browsers resend the events they still hold.")
	}
	fmt.Fprintln(c.stdout, "start mindful again (`mindful run`, or log out and in if it starts at login).")
}

// printDatabaseProblem is the status's warning about a database the
// daemon cannot use; it reports whether there was one.
func printDatabaseProblem(w io.Writer, db *api.Database) bool {
	if db == nil || db.OK || db.Problem == "" {
		return false
	}
	fmt.Fprintf(w, "DATABASE PROBLEM: %s\n", db.Problem)
	fmt.Fprintf(w, "  file: %s\n", db.Path)
	fmt.Fprintln(w, "  mindful stores nothing until this is fixed; the browsers keep their events until then.")
	fmt.Fprintf(w, "  what to do: %s\n", db.Todo)
	return true
}
