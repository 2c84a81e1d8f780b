package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

const breakPage = extOrigin + "/src/pages/break/break.html"

// onBreakPage waits until the Chromium tab shows the break page.
func onBreakPage(t testing.TB, page context.Context, timeout time.Duration) {
	t.Helper()
	onBreakIn(t, &chromiumLaunch{}, chromiumTab{page}, timeout)
}

// onBreakIn waits until b's tab p shows the break page.
func onBreakIn(t testing.TB, b driver, p browserTab, timeout time.Duration) {
	t.Helper()
	pollPage[bool](t, p, "the break page", `location.href.startsWith('`+b.origin()+`/src/pages/break/break.html') && document.querySelector('#break')?.dataset.state === 'on'`, timeout)
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

// waitState waits until the daemon state cached by the extension
// satisfies cond (waitPageState); popup is any mindful page.
func waitState(t testing.TB, popup context.Context, what, cond string) {
	t.Helper()
	waitPageState(t, chromiumTab{popup}, what, cond)
}

// TestChromiumBreak and TestFirefoxBreak run breakJourney in each browser.
func TestChromiumBreak(t *testing.T) { breakJourney(t, inChromium(t)) }
func TestFirefoxBreak(t *testing.T)  { breakJourney(t, inFirefox(t)) }

// breakJourney: a break started from the CLI switches an open tab to the
// break page and blocks listed sites over https and http, with nothing
// reaching them; it can be ended early only with a reason. A second break,
// stopped from the CLI, hands the open tab back by itself, and the sites
// load again.
func breakJourney(t *testing.T, mk func(*sites) driver) {
	j := startJourney(t, mk, func(d *daemonProc) {
		d.cli("prompts", "pause", "2h") // this journey is about breaks, not prompts
		d.cli("break", "settings", "--your-reason", "I want my evenings back.")
	})
	s, d, b, popup := j.s, j.d, j.b, j.popup
	waitPageState(t, popup, "the prompt pause to reach the extension", `!!st.prompts_paused_until`)

	open := b.newTab(t)
	open.navigate(t, "https://www.reddit.com/r/golang/")
	pollPage[bool](t, open, "reddit to load", `location.hostname === 'www.reddit.com'`, 15*time.Second)

	d.cli("break", "start", "--for", "1h", "--name", "Focus")
	onBreakIn(t, b, open, 10*time.Second)
	before := s.requests("www.reddit.com")
	if name := evalPage[string](t, open, `document.querySelector('#break-name').textContent`); !strings.Contains(name, "Focus") {
		t.Fatalf("break page names %q", name)
	}
	if r := evalPage[string](t, open, `document.querySelector('#reason').textContent`); !strings.Contains(r, "evenings back") {
		t.Fatalf("break page shows reason %q", r)
	}
	if left := evalPage[string](t, open, `document.querySelector('#time-left').textContent`); !strings.ContainsAny(left, "0123456789") {
		t.Fatalf("time left %q", left)
	}
	// The popup says so.
	popup.reload(t)
	if got := pollPage[string](t, popup, "the popup to show the break", `document.querySelector('#today-break')?.hidden === false ? document.querySelector('#today-break').textContent : ''`, 15*time.Second); !strings.Contains(got, "On a break: Focus") {
		t.Fatalf("popup says %q during the break", got)
	}

	// New navigations to blocked sites go nowhere but the break page.
	page := b.newTab(t)
	for _, u := range []string{"https://www.reddit.com/", "http://www.reddit.com/message/inbox", "https://x.com/home", "http://x.com/explore"} {
		page.navigate(t, u)
		onBreakIn(t, b, page, 10*time.Second)
		if at := evalPage[string](t, page, `location.href`); !strings.HasSuffix(at, "&u="+u) {
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
		return countType(evs, "break_attempt", "www.reddit.com") == 2 && countType(evs, "break_attempt", "x.com") == 2
	})
	// A reload of the break page is not another attempt.
	page.reload(t)
	onBreakIn(t, b, page, 10*time.Second)

	// A note on the break page goes into the day's record.
	page.typeText(t, "#note", "the Go release thread")
	page.click(t, "#save-note")
	waitFor(t, "the note to be stored", 20*time.Second, func() bool {
		for _, e := range d.events() {
			if e.Type == "break_note" && e.Note == "the Go release thread" {
				return true
			}
		}
		return false
	})
	// The queue is in order: the note came after the reload.
	if evs := d.events(); countType(evs, "break_attempt", "x.com") != 2 || countType(evs, "break_attempt", "www.reddit.com") != 2 {
		t.Fatalf("attempts after a reload: x.com %d, reddit %d; want 2 and 2", countType(evs, "break_attempt", "x.com"), countType(evs, "break_attempt", "www.reddit.com"))
	}
	// A site that is not listed still loads.
	other := b.newTab(t)
	other.navigate(t, "http://plain.test/during")
	pollPage[bool](t, other, "an unlisted site to load", `location.hostname === 'plain.test'`, 10*time.Second)

	// Ending early: the wait, then a reason is required.
	page.click(t, "#end-early")
	pollPage[bool](t, page, "the wait to end", `!document.querySelector('#confirm-end').disabled`, 20*time.Second)
	page.click(t, "#confirm-end")
	pollPage[bool](t, page, "an error for the missing reason", `document.querySelector('#end-error').textContent.trim() !== ''`, 10*time.Second)
	if !d.status().Break.Active {
		t.Fatal("the break ended without a reason")
	}
	page.typeText(t, "#early-reason", "my sister sent a link")
	page.click(t, "#confirm-end")
	waitFor(t, "the break to end", 20*time.Second, func() bool { return !d.status().Break.Active })
	if b := d.breaks(); b.EarlyEndsThisWeek != 1 {
		t.Fatalf("early ends this week = %d", b.EarlyEndsThisWeek)
	}
	// Access returns in every tab, with no reload loop.
	pollPage[bool](t, page, "the page to leave the break page", `location.hostname === 'x.com' || location.hostname === 'www.reddit.com'`, 15*time.Second)
	pollPage[bool](t, open, "the open tab to leave the break page", `location.hostname === 'www.reddit.com'`, 20*time.Second)
	open.navigate(t, "https://www.reddit.com/r/golang/")
	pollPage[bool](t, open, "reddit to load again", `location.hostname === 'www.reddit.com'`, 15*time.Second)
	if s.requests("www.reddit.com") <= before {
		t.Fatal("reddit got no request after the break")
	}

	// A second break, stopped from the CLI: the open tab leaves the break
	// page by itself, and the sites load again.
	d.cli("break", "start", "--for", "1h", "--name", "Again")
	onBreakIn(t, b, open, 10*time.Second)
	before, beforeX := s.requests("www.reddit.com"), s.requests("x.com")
	d.cli("break", "stop", "--reason", "the test is over")
	waitFor(t, "the second break to end", 20*time.Second, func() bool { return !d.status().Break.Active })
	pollPage[bool](t, open, "the open tab to leave the break page", `location.hostname === 'www.reddit.com'`, 20*time.Second)
	page.navigate(t, "https://x.com/home")
	pollPage[bool](t, page, "x.com to load after the break", `location.hostname === 'x.com'`, 15*time.Second)
	if s.requests("x.com") <= beforeX || s.requests("www.reddit.com") <= before {
		t.Fatal("the sites got no request after the break")
	}
}

// TestChromiumScheduledBreakWithDaemonDown and
// TestFirefoxScheduledBreakWithDaemonDown run scheduledBreakWithDaemonDown
// in each browser.
func TestChromiumScheduledBreakWithDaemonDown(t *testing.T) {
	scheduledBreakWithDaemonDown(t, inChromium(t))
}

func TestFirefoxScheduledBreakWithDaemonDown(t *testing.T) {
	scheduledBreakWithDaemonDown(t, inFirefox(t))
}

// scheduledBreakWithDaemonDown: the extension starts a scheduled break on
// time from its cached schedule while the daemon is dead, and ends it on
// time too.
func scheduledBreakWithDaemonDown(t *testing.T, mk func(*sites) driver) {
	j := startJourney(t, mk, func(d *daemonProc) { d.cli("prompts", "pause", "2h") })
	s, d, b, popup := j.s, j.d, j.b, j.popup

	// Schedules have minute resolution: the next minute that is at least
	// 15 s away, for one minute.
	start := time.Now().Truncate(time.Minute).Add(time.Minute)
	if time.Until(start) < 15*time.Second {
		start = start.Add(time.Minute)
	}
	end := start.Add(time.Minute)
	d.cli("schedule", "add", "--once", start.Format("2006-01-02 15:04"), end.Format("2006-01-02 15:04"), "--name", "Soon")
	waitPageState(t, popup, "the schedule to reach the extension", `(st.breaks || []).some(b => b.name === 'Soon')`)
	d.Kill()

	page := b.newTab(t)
	page.navigate(t, "https://www.reddit.com/")
	pollPage[bool](t, page, "reddit to load before the break", `location.hostname === 'www.reddit.com'`, 15*time.Second)
	before := s.requests("www.reddit.com")

	onBreakIn(t, b, page, time.Until(start)+20*time.Second)
	if time.Now().Before(start) {
		t.Fatalf("the break started early, at %s (planned %s)", time.Now(), start)
	}
	fresh := b.newTab(t)
	fresh.navigate(t, "https://www.reddit.com/r/all/")
	onBreakIn(t, b, fresh, 10*time.Second)
	if n := s.requests("www.reddit.com") - before; n != 0 {
		t.Fatalf("%d requests reached reddit during the break", n)
	}
	// When the break ends, the break page hands the tab back to the site
	// by itself, daemon still down.
	pollPage[bool](t, fresh, "reddit to load after the break", `location.hostname === 'www.reddit.com'`, time.Until(end)+20*time.Second)
	if time.Now().Before(end) {
		t.Fatalf("the break ended early, at %s (planned %s)", time.Now(), end)
	}
	if s.requests("www.reddit.com") == before {
		t.Fatal("reddit got no request after the break")
	}
}
