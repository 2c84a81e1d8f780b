package cli

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strings"
)

// dashboardPages are the pages `mindful dashboard --page` opens.
var dashboardPages = []string{"today", "history", "breaks", "feeds", "settings", "data"}

// opener returns the command that opens a URL in the user's browser on
// this system, or an error naming what is missing.
func opener(url string) (*exec.Cmd, error) {
	switch runtime.GOOS {
	case "darwin":
		return exec.Command("open", url), nil
	case "windows":
		// "start" is a cmd builtin; the empty argument is the window title.
		return exec.Command("cmd", "/c", "start", "", url), nil
	}
	p, err := exec.LookPath("xdg-open")
	if err != nil {
		return nil, errors.New("no xdg-open on this system to open a browser")
	}
	return exec.Command(p, url), nil
}

func cmdDashboard(c *invocation) handler {
	print := c.fs.Bool("print", false, "print the one-time link instead of opening a browser")
	page := c.fs.String("page", "today", "the `PAGE` to open: "+strings.Join(dashboardPages, ", "))
	date := c.fs.String("date", "", "open Today for this `YYYY-MM-DD` day")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		if !slices.Contains(dashboardPages, *page) {
			return usageErr("--page %q: want one of %s", *page, strings.Join(dashboardPages, ", "))
		}
		cl, err := c.client()
		if err != nil {
			return err
		}
		ctx, cancel := requestContext()
		defer cancel()
		l, err := cl.DashboardLink(ctx, *page, *date)
		if err != nil {
			return err
		}
		if *print {
			fmt.Fprintln(c.stdout, l.URL)
			return nil
		}
		if err := openURL(l.URL); err != nil {
			fmt.Fprintf(c.stderr, "Could not open a browser (%v).\nOpen this link yourself within 2 minutes; it works once:\n", err)
			fmt.Fprintln(c.stdout, l.URL)
			return nil
		}
		fmt.Fprintln(c.stdout, "Opening the dashboard in your browser (the link works once, for 2 minutes).")
		return nil
	}
}
