package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mindful-app/mindful/daemon/api"
)

const breakPage = extOrigin + "/src/pages/break/break.html"

// onBreakPage waits until the tab shows the break page.
func onBreakPage(t testing.TB, page context.Context, timeout time.Duration) {
	t.Helper()
	poll[bool](t, page, "the break page", `location.href.startsWith('`+breakPage+`') && document.querySelector('#break')?.dataset.state === 'on'`, timeout)
}

func (d *daemonProc) breaks() api.Breaks {
	d.t.Helper()
	return cliJSON[api.Breaks](d, "break", "list", "--json")
}

func countType(evs []api.Event, typ, domain string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ && (domain == "" || e.Domain == domain) {
			n++
		}
	}
	return n
}

// waitBreakRules waits until the extension knows the break schedule.
func waitState(t testing.TB, popup context.Context, what, cond string) {
	t.Helper()
	waitFor(t, what, 30*time.Second, func() bool {
		ok, err := chromedp.Run(popup, chromedp.Evaluate[bool](`chrome.storage.local.get('daemonState').then(s => { const st = s.daemonState || {}; return `+cond+`; })`, chromedp.EvalAwaitPromise))
		return err == nil && ok
	})
}

// TestChromiumBreak: a break started from the CLI blocks the feed sites in
// the browser, switches an open tab to the break page, lets nothing reach
// the site, and can be ended early only with a reason.
func TestChromiumBreak(t *testing.T) {
	s := startSites(t)
	addr := freePort(t)
	d := startDaemon(t, addr, filepath.Join(t.TempDir(), "data"))
	d.cli("prompts", "pause", "2h") // this test is about breaks, not prompts
	d.cli("break", "settings", "--your-reason", "I want my evenings back.")
	browser := startChromium(t, s)
	popup := pairChromium(t, d, browser)
	waitState(t, popup, "the prompt pause to reach the extension", `!!st.prompts_paused_until`)

	open := tab(t, browser)
	do(t, open, chromedp.Navigate("https://www.reddit.com/r/golang/"))
	poll[bool](t, open, "reddit to load", `location.hostname === 'www.reddit.com'`, 15*time.Second)

	d.cli("break", "start", "--for", "1h", "--name", "Focus")
	onBreakPage(t, open, 10*time.Second)
	before := s.requests("www.reddit.com")
	if name := eval[string](t, open, `document.querySelector('#break-name').textContent`); !strings.Contains(name, "Focus") {
		t.Fatalf("break page names %q", name)
	}
	if r := eval[string](t, open, `document.querySelector('#reason').textContent`); !strings.Contains(r, "evenings back") {
		t.Fatalf("break page shows reason %q", r)
	}
	if left := eval[string](t, open, `document.querySelector('#time-left').textContent`); !strings.ContainsAny(left, "0123456789") {
		t.Fatalf("time left %q", left)
	}

	// New navigations to blocked sites go nowhere but the break page.
	page := tab(t, browser)
	for _, u := range []string{"https://www.reddit.com/", "http://www.reddit.com/message/inbox", "https://x.com/home"} {
		do(t, page, chromedp.Navigate(u))
		onBreakPage(t, page, 10*time.Second)
		if at := eval[string](t, page, `location.href`); !strings.HasSuffix(at, "&u="+u) {
			t.Fatalf("break page for %s is at %s", u, at)
		}
	}
	if n := s.requests("www.reddit.com") - before; n != 0 {
		t.Fatalf("%d requests reached reddit during the break", n)
	}
	if n := s.requests("x.com"); n != 0 {
		t.Fatalf("%d requests reached x.com during the break", n)
	}
	// Each navigation is one attempt, recorded when the break page commits.
	waitFor(t, "the attempts to be recorded", 20*time.Second, func() bool {
		evs := d.events()
		return countType(evs, "break_attempt", "www.reddit.com") == 2 && countType(evs, "break_attempt", "x.com") == 1
	})
	// A reload of the break page is not another attempt.
	do(t, page, chromedp.Reload())
	onBreakPage(t, page, 10*time.Second)

	// A note on the break page goes into the day's record.
	do(t, page, chromedp.SendKeys("#note", "the Go release thread"), chromedp.Click("#save-note"))
	waitFor(t, "the note to be stored", 20*time.Second, func() bool {
		for _, e := range d.events() {
			if e.Type == "break_note" && e.Note == "the Go release thread" {
				return true
			}
		}
		return false
	})
	// The queue is in order: the note came after the reload.
	if evs := d.events(); countType(evs, "break_attempt", "x.com") != 1 || countType(evs, "break_attempt", "www.reddit.com") != 2 {
		t.Fatalf("attempts after a reload: x.com %d, reddit %d; want 1 and 2", countType(evs, "break_attempt", "x.com"), countType(evs, "break_attempt", "www.reddit.com"))
	}

	// Ending early: the wait, then a reason is required.
	do(t, page, chromedp.Click("#end-early"))
	poll[bool](t, page, "the wait to end", `!document.querySelector('#confirm-end').disabled`, 20*time.Second)
	do(t, page, chromedp.Click("#confirm-end"))
	poll[bool](t, page, "an error for the missing reason", `document.querySelector('#end-error').textContent.trim() !== ''`, 10*time.Second)
	if !d.status().Break.Active {
		t.Fatal("the break ended without a reason")
	}
	do(t, page, chromedp.SendKeys("#early-reason", "my sister sent a link"), chromedp.Click("#confirm-end"))
	waitFor(t, "the break to end", 20*time.Second, func() bool { return !d.status().Break.Active })
	if b := d.breaks(); b.EarlyEndsThisWeek != 1 {
		t.Fatalf("early ends this week = %d", b.EarlyEndsThisWeek)
	}
	// Access returns in every tab, with no reload loop.
	poll[bool](t, page, "the page to leave the break page", `location.hostname === 'x.com' || location.hostname === 'www.reddit.com'`, 15*time.Second)
	do(t, open, chromedp.Navigate("https://www.reddit.com/r/golang/"))
	poll[bool](t, open, "reddit to load again", `location.hostname === 'www.reddit.com'`, 15*time.Second)
	if s.requests("www.reddit.com") <= before {
		t.Fatal("reddit got no request after the break")
	}
}

// TestChromiumScheduledBreakWithDaemonDown: the extension starts a scheduled
// break on time from its cached schedule while the daemon is dead, and ends
// it on time too.
func TestChromiumScheduledBreakWithDaemonDown(t *testing.T) {
	s := startSites(t)
	addr := freePort(t)
	d := startDaemon(t, addr, filepath.Join(t.TempDir(), "data"))
	d.cli("prompts", "pause", "2h")
	browser := startChromium(t, s)
	popup := pairChromium(t, d, browser)

	// Schedules have minute resolution: the next minute that is at least
	// 15 s away, for one minute.
	start := time.Now().Truncate(time.Minute).Add(time.Minute)
	if time.Until(start) < 15*time.Second {
		start = start.Add(time.Minute)
	}
	end := start.Add(time.Minute)
	d.cli("schedule", "add", "--once", start.Format("2006-01-02 15:04"), end.Format("2006-01-02 15:04"), "--name", "Soon")
	waitState(t, popup, "the schedule to reach the extension", `(st.breaks || []).some(b => b.name === 'Soon')`)
	d.Kill()

	page := tab(t, browser)
	do(t, page, chromedp.Navigate("https://www.reddit.com/"))
	poll[bool](t, page, "reddit to load before the break", `location.hostname === 'www.reddit.com'`, 15*time.Second)
	before := s.requests("www.reddit.com")

	onBreakPage(t, page, time.Until(start)+20*time.Second)
	if time.Now().Before(start) {
		t.Fatalf("the break started early, at %s (planned %s)", time.Now(), start)
	}
	fresh := tab(t, browser)
	do(t, fresh, chromedp.Navigate("https://www.reddit.com/r/all/"))
	onBreakPage(t, fresh, 10*time.Second)
	if n := s.requests("www.reddit.com") - before; n != 0 {
		t.Fatalf("%d requests reached reddit during the break", n)
	}
	// When the break ends, the break page hands the tab back to the site
	// by itself, daemon still down.
	poll[bool](t, fresh, "reddit to load after the break", `location.hostname === 'www.reddit.com'`, time.Until(end)+20*time.Second)
	if time.Now().Before(end) {
		t.Fatalf("the break ended early, at %s (planned %s)", time.Now(), end)
	}
	if s.requests("www.reddit.com") == before {
		t.Fatal("reddit got no request after the break")
	}
}
