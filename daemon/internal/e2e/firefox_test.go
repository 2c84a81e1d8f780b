package e2e

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pairFirefox points the extension at d through its options page, checks
// that the popup shows the code the daemon lists (with the browser named
// and the extension's origin shown), approves it with `mindful pair approve`
// and waits for "connected". It returns the popup tab, which stays open.
func pairFirefox(t testing.TB, d *daemonProc, f *firefox) *ffTab {
	t.Helper()
	popup := f.tab(t)
	popup.openExt(t, "/src/pages/options/options.html")
	ffPoll[bool](t, popup, "the options form", `!!document.querySelector('#daemon-addr')`, 10*time.Second)
	popup.setValue(t, "#daemon-addr", d.addr)
	popup.click(t, "#save")
	ffPoll[bool](t, popup, "options saved", `document.querySelector('#saved').textContent.includes('Saved')`, 10*time.Second)

	var code string
	waitFor(t, "a pending pairing request", 30*time.Second, func() bool {
		p := d.pairing()
		if len(p.Pending) == 1 {
			pp := p.Pending[0]
			code = pp.Code
			if pp.Browser != "firefox-esr" || !strings.HasPrefix(pp.BrowserVersion, "1") {
				t.Fatalf("pending pairing from browser %q %q, want firefox-esr", pp.Browser, pp.BrowserVersion)
			}
			if pp.Origin != ffOrigin {
				t.Fatalf("pending pairing shows origin %q, want %q", pp.Origin, ffOrigin)
			}
			return true
		}
		return false
	})
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		t.Fatalf("pairing code %q is not 6 digits", code)
	}
	if out := string(d.cli("pair", "list")); !strings.Contains(out, ffOrigin) {
		t.Fatalf("`mindful pair list` does not show the requesting origin %s:\n%s", ffOrigin, out)
	}
	popup.openExt(t, "/src/pages/popup/popup.html")
	shown := ffPoll[string](t, popup, "the popup to show the code", `document.querySelector('#pair-code')?.textContent.trim() || ''`, 15*time.Second)
	if shown != code {
		t.Fatalf("popup shows code %q, daemon has %q", shown, code)
	}
	out := string(d.cli("pair", "approve", code, "--addr", d.addr))
	if !strings.Contains(out, "paired firefox") {
		t.Fatalf("pair approve said %q", out)
	}
	ffPoll[bool](t, popup, "popup to say connected", `document.querySelector('#state')?.dataset.state === 'connected'`, 15*time.Second)
	return popup
}

// firefoxClient returns the status of the one Firefox client.
func firefoxClient(t testing.TB, d *daemonProc) (id string, connected bool) {
	t.Helper()
	st := d.status()
	for _, c := range st.Clients {
		if strings.HasPrefix(c.Browser, "firefox") {
			return c.ID, c.Connected
		}
	}
	t.Fatalf("no Firefox client in status: %+v", st.Clients)
	return "", false
}

// TestFirefoxPairReportAndReplay: the walking skeleton in a real Firefox.
// It pairs through the options page, the popup and `mindful pair approve`,
// its tab activity is stored as domains, and what it does while the daemon
// is down arrives exactly once after the restart.
func TestFirefoxPairReportAndReplay(t *testing.T) {
	s := startSites(t)
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir)
	f := startFirefox(t, s, ffOptions{})
	popup := pairFirefox(t, d, f)

	st := d.status()
	if len(st.Clients) != 1 || !st.Clients[0].Connected || st.Clients[0].Browser != "firefox-esr" {
		t.Fatalf("status after pairing: %+v", st.Clients)
	}
	clientID := st.Clients[0].ID
	if p := d.pairing(); len(p.Paired) != 1 || p.Paired[0].Origin != ffOrigin {
		t.Fatalf("paired client's origin: %+v", p.Paired)
	}

	page := f.tab(t)
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
		t.Fatal("the fake reddit got no request: the proxy is broken")
	}

	d.stop()
	ffPoll[bool](t, popup, "popup to say the daemon is not running", `document.querySelector('#state')?.dataset.state === 'offline'`, 30*time.Second)
	offlineAt := time.Now()
	page.navigate(t, "http://offline.test/while-down")
	waitFor(t, "the offline page to load", 10*time.Second, func() bool { return s.requests("offline.test") == 1 })
	ffPoll[bool](t, popup, "the visit to be queued", `Number(document.querySelector('#queued')?.textContent.match(/\d+/)?.[0] || 0) > 0`, 15*time.Second)

	restartAt := time.Now()
	d2 := startDaemon(t, addr, dataDir)
	waitFor(t, "the offline visit to arrive", 90*time.Second, func() bool {
		return len(countEvents(d2.events(), "tab_navigated", "offline.test")) > 0
	})
	ffPoll[bool](t, popup, "the queue to drain", `Number(document.querySelector('#queued')?.textContent.match(/\d+/)?.[0] || 0) === 0`, 30*time.Second)
	evs := d2.events()
	got := countEvents(evs, "tab_navigated", "offline.test")
	if len(got) != 1 {
		t.Fatalf("offline visit stored %d times, want exactly 1: %+v", len(got), got)
	}
	if got[0].TS.Before(offlineAt.Add(-time.Second)) || !got[0].TS.Before(restartAt) {
		t.Fatalf("offline visit ts %s is not its original time (between %s and %s)", got[0].TS, offlineAt, restartAt)
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

// TestFirefoxAndChromiumTwoClients: a Chromium and a Firefox on the same
// machine pair with the same daemon and are two clients, each named by its
// browser, each with its own extension origin.
func TestFirefoxAndChromiumTwoClients(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	pairChromium(t, d, startChromium(t, s))
	pairFirefox(t, d, startFirefox(t, s, ffOptions{}))
	st := d.status()
	got := map[string]bool{}
	for _, c := range st.Clients {
		got[c.Browser] = c.Connected
	}
	if len(st.Clients) != 2 || !got["chromium"] || !got["firefox-esr"] {
		t.Fatalf("clients %+v, want a connected chromium and a connected firefox-esr", st.Clients)
	}
	origins := map[string]bool{}
	for _, p := range d.pairing().Paired {
		origins[p.Origin] = true
	}
	if !origins[extOrigin] || !origins[ffOrigin] {
		t.Fatalf("paired origins %v, want %s and %s", origins, extOrigin, ffOrigin)
	}
	var raw map[string]any
	if err := json.Unmarshal(d.cli("status", "--json"), &raw); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(raw["clients"])
	if !strings.Contains(string(b), `"browser":"firefox-esr"`) {
		t.Fatalf("`mindful status --json` clients: %s", b)
	}
}

// TestFirefoxXPIInstalledForGood: the zipped build, unsigned, installs as a
// permanent add-on in Firefox ESR with xpinstall.signatures.required=false
// (the README's way to keep it) and pairs like the temporary one.
func TestFirefoxXPIInstalledForGood(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	f := startFirefox(t, s, ffOptions{XPI: true})
	popup := pairFirefox(t, d, f)
	ffWaitRules(t, popup)
	page := f.tab(t)
	page.navigate(t, "https://www.reddit.com/")
	ffOnPrompt(t, page, "reddit")
	if n := s.requests("www.reddit.com"); n != 0 {
		t.Fatalf("%d requests reached the feed before the answer", n)
	}
}
