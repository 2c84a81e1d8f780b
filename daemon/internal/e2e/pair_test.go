package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// pairWith points b's extension at d through its options page, checks that
// the popup shows the code the daemon lists (with the browser named and the
// extension's origin shown), approves it with `mindful pair approve CODE
// --addr ADDR` and waits for "connected". It returns the popup tab, which
// stays open and live.
func pairWith(t testing.TB, d *daemonProc, b driver) browserTab {
	t.Helper()
	clientsBefore := len(d.status().Clients)
	// Point the extension at this daemon through its options page.
	popup := b.newTab(t)
	popup.openExt(t, "/src/pages/options/options.html")
	pollPage[bool](t, popup, "the options form", `!!document.querySelector('#daemon-addr')`, 10*time.Second)
	popup.setValue(t, "#daemon-addr", d.addr)
	popup.click(t, "#save")
	pollPage[bool](t, popup, "options saved", `document.querySelector('#saved').textContent.includes('Saved')`, 10*time.Second)

	// The extension asks to pair; the popup shows the code the daemon lists.
	var code string
	waitFor(t, "a pending pairing request", 30*time.Second, func() bool {
		p := d.pairing()
		if len(p.Pending) == 1 {
			pp := p.Pending[0]
			code = pp.Code
			if pp.Browser != b.name() || !strings.HasPrefix(pp.BrowserVersion, "1") {
				t.Fatalf("pending pairing from browser %q %q, want %s", pp.Browser, pp.BrowserVersion, b.name())
			}
			if pp.Origin != b.origin() {
				t.Fatalf("pending pairing shows origin %q, want %q", pp.Origin, b.origin())
			}
			return true
		}
		return false
	})
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		t.Fatalf("pairing code %q is not 6 digits", code)
	}
	if out := string(d.cli("pair", "list")); !strings.Contains(out, b.origin()) {
		t.Fatalf("`mindful pair list` does not show the requesting origin %s:\n%s", b.origin(), out)
	}
	popup.openExt(t, "/src/pages/popup/popup.html")
	shown := pollPage[string](t, popup, "the popup to show the code", `document.querySelector('#pair-code')?.textContent.trim() || ''`, 15*time.Second)
	if shown != code {
		t.Fatalf("popup shows code %q, daemon has %q", shown, code)
	}

	// Approve on the trusted side, with the flag after the code.
	out := string(d.cli("pair", "approve", code, "--addr", d.addr))
	if !strings.Contains(out, "paired "+b.name()+" ") {
		t.Fatalf("pair approve said %q", out)
	}
	pollPage[bool](t, popup, "popup to say connected", `document.querySelector('#state')?.dataset.state === 'connected'`, 15*time.Second)
	st := d.status()
	var mine int
	for _, c := range st.Clients {
		if c.Browser == b.name() && c.Connected {
			mine++
		}
	}
	if !st.Running || len(st.Clients) != clientsBefore+1 || mine != 1 {
		t.Fatalf("status after pairing %s: %+v", b.name(), st)
	}
	return popup
}

// TestChromiumPairReportAndReplay and TestFirefoxPairReportAndReplay
// run pairReportAndReplay in each browser.
func TestChromiumPairReportAndReplay(t *testing.T) { pairReportAndReplay(t, inChromium(t)) }
func TestFirefoxPairReportAndReplay(t *testing.T)  { pairReportAndReplay(t, inFirefox(t)) }

// pairReportAndReplay, the walking skeleton's proof: the browser pairs
// through the options page, the popup and `mindful pair approve`, its tab
// activity is stored as domains, and what it does while the daemon is down
// arrives exactly once, with its original time, after the restart.
func pairReportAndReplay(t *testing.T, mk func(*sites) driver) {
	j := startJourney(t, mk, nil)
	s, d, b, popup := j.s, j.d, j.b, j.popup

	st := d.status()
	if len(st.Clients) != 1 || !st.Clients[0].Connected || st.Clients[0].Browser != b.name() {
		t.Fatalf("status after pairing: %+v", st.Clients)
	}
	clientID := st.Clients[0].ID
	if p := d.pairing(); len(p.Paired) != 1 || p.Paired[0].Origin != b.origin() {
		t.Fatalf("paired client's origin: %+v", p.Paired)
	}

	// Browse to a mapped site: the visit is stored as its domain only.
	page := b.newTab(t)
	page.navigate(t, "https://www.reddit.com/r/golang/comments/abc/a_post/?secret=1")
	waitFor(t, "the reddit visit to be stored", 30*time.Second, func() bool {
		return len(countEvents(d.events(), "tab_navigated", "www.reddit.com")) == 1
	})
	for _, e := range d.events() {
		if e.Client != clientID || e.ID == "" || e.TS.IsZero() {
			t.Fatalf("event without client, id or ts: %+v", e)
		}
		if e.URL != "" {
			t.Fatalf("full URL stored without opt-in: %+v", e)
		}
	}
	if s.requests("www.reddit.com") == 0 {
		t.Fatal("the fake reddit got no request: the mapping is broken")
	}

	// The daemon goes away; the user keeps browsing.
	d.stop()
	pollPage[bool](t, popup, "popup to say the daemon is not running", `document.querySelector('#state')?.dataset.state === 'offline'`, 30*time.Second)
	offlineAt := time.Now()
	page.navigate(t, "http://offline.test/while-down")
	waitFor(t, "the offline page to load", 10*time.Second, func() bool { return s.requests("offline.test") == 1 })
	pollPage[bool](t, popup, "the visit to be queued", `Number(document.querySelector('#queued')?.textContent.match(/\d+/)?.[0] || 0) > 0`, 15*time.Second)

	// Back again: the queued events arrive, exactly once, with their
	// original time.
	restartAt := time.Now()
	d2 := startDaemon(t, j.addr, j.dataDir)
	waitFor(t, "the offline visit to arrive", 90*time.Second, func() bool {
		return len(countEvents(d2.events(), "tab_navigated", "offline.test")) > 0
	})
	pollPage[bool](t, popup, "the queue to drain", `Number(document.querySelector('#queued')?.textContent.match(/\d+/)?.[0] || 0) === 0`, 30*time.Second)
	evs := d2.events()
	got := countEvents(evs, "tab_navigated", "offline.test")
	if len(got) != 1 {
		t.Fatalf("offline visit stored %d times, want exactly 1: %+v", len(got), got)
	}
	if got[0].TS.Before(offlineAt.Add(-time.Second)) || !got[0].TS.Before(restartAt) {
		t.Fatalf("offline visit ts %s is not its original time (between %s and %s)", got[0].TS, offlineAt, restartAt)
	}
	if !got[0].ReceivedAt.After(restartAt.Add(-time.Second)) {
		t.Fatalf("offline visit received_at %s is before the restart %s", got[0].ReceivedAt, restartAt)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.ID] {
			t.Fatalf("event %s stored twice", e.ID)
		}
		seen[e.ID] = true
	}
	if n := len(countEvents(evs, "tab_navigated", "www.reddit.com")); n != 1 {
		t.Fatalf("reddit visit stored %d times after replay, want 1", n)
	}
}
