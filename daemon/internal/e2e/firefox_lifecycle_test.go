package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// ffSessions counts "browser connected" lines for the client in the
// daemon's log: one per authenticated socket.
func ffSessions(d *daemonProc, clientID string) int {
	return strings.Count(d.log.String(), `msg="browser connected" component=ws client=`+clientID)
}

// idleFirefox starts Firefox with an event page that may sit idle for idle
// before Firefox suspends it (extensions.background.idle.timeout).
func idleFirefox(t testing.TB, idle time.Duration) func(*sites) driver {
	return func(s *sites) driver { return startFirefoxDriver(t, s, ffOptions{IdleTimeout: idle}) }
}

// TestFirefoxBackgroundSuspended: Firefox suspends an idle event page even
// while its WebSocket is open. The profile's idle timeout (3 s) is far below
// the daemon's ping interval, so here the background is suspended between
// pings. Whatever the browser does next wakes it: the link comes back by
// itself, the event that woke it arrives exactly once, and a feed opened
// right after a suspension is prompted once.
func TestFirefoxBackgroundSuspended(t *testing.T) {
	j := startJourney(t, idleFirefox(t, 3*time.Second), func(d *daemonProc) {
		d.cli("prompts", "settings", "--pause", "1s")
	})
	s, d, f, popup := j.s, j.d, j.b.(*firefoxLaunch).f, j.popup.(firefoxTab).p
	ffWaitRules(t, popup)
	clientID, _ := firefoxClient(t, d)
	// Nothing of ours stays open: the popup tab leaves for a plain site.
	popup.navigate(t, "http://plain.test/idle")
	page := f.tab(t)

	suspended := func(round int) {
		t.Helper()
		waitFor(t, "Firefox to suspend the idle background (the daemon sees the socket close)", 60*time.Second, func() bool {
			_, connected := firefoxClient(t, d)
			return !connected
		})
		t.Logf("round %d: background suspended, %d sessions so far", round, ffSessions(d, clientID))
	}

	for round, path := range []string{"/r/golang/comments/1/first/", "/r/golang/comments/2/second/"} {
		suspended(round)
		sessionsBefore := ffSessions(d, clientID)
		woke := time.Now()
		page.navigate(t, "https://www.reddit.com"+path)
		waitFor(t, "the link to come back", 30*time.Second, func() bool {
			_, connected := firefoxClient(t, d)
			return connected
		})
		t.Logf("round %d: link back %s after the navigation", round, time.Since(woke).Round(time.Millisecond))
		if n := ffSessions(d, clientID); n <= sessionsBefore {
			t.Fatalf("no new session after the wake-up (%d before, %d now)", sessionsBefore, n)
		}
		waitFor(t, "the visit that woke the background to be stored", 30*time.Second, func() bool {
			return len(countEvents(d.events(), "tab_navigated", "www.reddit.com")) == round+1
		})
	}

	// A feed opened while the background sleeps: one prompt, one answer.
	// (The tab first leaves reddit, so that "habit" goes back elsewhere.)
	page.navigate(t, "http://plain.test/before-the-feed")
	suspended(2)
	page.navigate(t, "https://www.facebook.com/")
	ffOnPrompt(t, page, "facebook")
	if n := s.requests("www.facebook.com"); n != 0 {
		t.Fatalf("%d requests reached facebook before the answer", n)
	}
	ffAfterPause(t, page)
	page.click(t, "#habit")
	waitFor(t, "the habit to be stored", 30*time.Second, func() bool { return len(prompts(d, "facebook")) > 0 })

	// Let the background be suspended once more, then wake it and check
	// nothing was sent twice.
	suspended(3)
	page.navigate(t, "http://offline.test/last")
	waitFor(t, "the last visit to be stored", 30*time.Second, func() bool {
		return len(countEvents(d.events(), "tab_navigated", "offline.test")) == 1
	})
	evs := d.events()
	if ps := prompts(d, "facebook"); len(ps) != 1 || ps[0].Answer != "habit" {
		t.Fatalf("facebook prompts after suspensions: %+v", ps)
	}
	if n := len(countEvents(evs, "tab_navigated", "www.reddit.com")); n != 2 {
		t.Fatalf("reddit visits stored %d times, want 2", n)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.ID] {
			t.Fatalf("event %s stored twice", e.ID)
		}
		seen[e.ID] = true
	}
	if n := ffSessions(d, clientID); n < 4 {
		t.Fatalf("%d sessions: the background was not suspended and woken each round", n)
	}
}

const (
	otherExtID   = "other@mindful-test.invalid"
	otherExtUUID = "0d7c5e1a-2b3f-4c6d-8e9f-a0b1c2d3e4f5"
)

// otherExtension writes a second, unrelated add-on: a web-accessible page
// that opens its own WebSocket to the daemon and says hello with whatever
// client id and token it is given in the URL fragment, or asks to pair.
func otherExtension(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"manifest.json": `{
  "manifest_version": 3, "name": "not mindful", "version": "1.0",
  "browser_specific_settings": {"gecko": {"id": "` + otherExtID + `"}},
  "content_security_policy": {"extension_pages": "script-src 'self'; connect-src 'self' ws://127.0.0.1:*"},
  "web_accessible_resources": [{"resources": ["probe.html"], "matches": ["<all_urls>"]}]
}`,
		"probe.html": `<!doctype html><meta charset="utf-8"><title>probe</title><script src="probe.js"></script>`,
		"probe.js": `
const q = new URLSearchParams(location.hash.slice(1));
window.result = {messages: []};
const ws = new WebSocket('ws://' + q.get('addr') + '/ws');
ws.onopen = () => {
  window.result.open = true;
  const body = {client_id: q.get('client'), browser: 'firefox', browser_version: '153.7.0', ext_version: '0.1.0'};
  if (q.get('token')) body.token = q.get('token');
  ws.send(JSON.stringify({v: 1, type: q.get('token') ? 'hello' : 'pair_request', id: 'o-1', body}));
};
ws.onmessage = (m) => { window.result.messages.push(JSON.parse(m.data)); };
ws.onclose = (e) => { window.result.closed = {code: e.code, reason: e.reason}; };
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestFirefoxOtherExtensionRefused: another add-on in the same Firefox gets
// nowhere with mindful's token. Its hello with a valid token (copied out of
// mindful's storage) is refused because the token is bound to mindful's
// moz-extension:// origin, and its own pairing request shows its origin to
// the user who would approve it.
func TestFirefoxOtherExtensionRefused(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	f := startFirefox(t, s, ffOptions{ExtraUUIDs: map[string]string{otherExtID: otherExtUUID}})
	popup := pairFirefox(t, d, f)
	clientID, _ := firefoxClient(t, d)
	if id := f.install(otherExtension(t)); id != otherExtID {
		t.Fatalf("installed %q, want %q", id, otherExtID)
	}
	// The real token, read from mindful's own storage.
	stolen := ffEval[map[string]string](t, popup, `browser.storage.local.get(['token', 'clientId'])`)
	if len(stolen["token"]) != 64 || stolen["clientId"] != clientID {
		t.Fatalf("mindful's storage: token of %d characters, client %q (want %q)", len(stolen["token"]), stolen["clientId"], clientID)
	}
	otherOrigin := "moz-extension://" + otherExtUUID

	probe := func(fragment string) (*ffTab, map[string]any) {
		t.Helper()
		page := f.tab(t)
		page.navigate(t, "http://plain.test/to-other")
		ffEval[any](t, page, `location.assign('`+otherOrigin+`/probe.html#`+fragment+`')`)
		ffPoll[bool](t, page, "the other add-on's probe to load", `location.origin === '`+otherOrigin+`' && !!window.result`, 15*time.Second)
		return page, ffPoll[map[string]any](t, page, "the daemon's answer to the probe", `window.result.closed || window.result.messages.length ? window.result : null`, 20*time.Second)
	}

	t.Run("hello with mindful's token", func(t *testing.T) {
		page, res := probe("addr=" + d.addr + "&client=" + clientID + "&token=" + stolen["token"])
		if res["open"] != true {
			t.Fatalf("the socket did not open (the daemon should refuse the hello, not the upgrade): %v", res)
		}
		res = ffPoll[map[string]any](t, page, "the socket to close", `window.result.closed ? window.result : null`, 20*time.Second)
		b, _ := json.Marshal(res)
		if code := res["closed"].(map[string]any)["code"]; code != float64(4001) {
			t.Fatalf("close code %v, want 4001: %s", code, b)
		}
		if strings.Contains(string(b), `"welcome"`) || !strings.Contains(string(b), `"unauthorized"`) {
			t.Fatalf("the other add-on was not refused: %s", b)
		}
		logs := d.log.String()
		if !strings.Contains(logs, `msg="websocket hello refused" component=ws client=`+clientID+` origin=`+otherOrigin+
			` reason="token bound to another origin" paired_origin=`+ffOrigin) {
			t.Fatalf("the daemon's log does not show the refused hello from %s:\n%s", otherOrigin, logs)
		}
		// mindful itself is still paired and connected.
		if _, connected := firefoxClient(t, d); !connected {
			t.Fatal("mindful lost its link")
		}
		if st := d.status(); len(st.Clients) != 1 {
			t.Fatalf("clients after the refused hello: %+v", st.Clients)
		}
	})

	t.Run("its pairing request shows its origin", func(t *testing.T) {
		_, res := probe("addr=" + d.addr + "&client=0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9")
		b, _ := json.Marshal(res)
		if !strings.Contains(string(b), `"pair_pending"`) {
			t.Fatalf("no pair_pending for the other add-on: %s", b)
		}
		p := d.pairing()
		if len(p.Pending) != 1 || p.Pending[0].Origin != otherOrigin {
			t.Fatalf("pending pairings %+v, want one from %s", p.Pending, otherOrigin)
		}
		if out := string(d.cli("pair", "list")); !strings.Contains(out, otherOrigin) {
			t.Fatalf("`mindful pair list` does not show the other add-on's origin:\n%s", out)
		}
	})
}

// TestFirefoxKeepalive: with Firefox's idle timeout above the daemon's ping
// interval (here 24 s against 15 s, as 30 s against 15 s in a default
// profile), the pings and the extension API call made before each pong keep
// the event page, and so the very same socket, alive through more than two
// idle periods in which nothing else happens in the browser.
func TestFirefoxKeepalive(t *testing.T) {
	j := startJourney(t, idleFirefox(t, 24*time.Second), nil)
	d, popup := j.d, j.popup
	clientID, _ := firefoxClient(t, d)
	popup.navigate(t, "http://plain.test/idle")
	start := time.Now()
	// Polled every 250 ms for 50 s: one "disconnected" ends the test.
	for time.Since(start) < 50*time.Second {
		if _, connected := firefoxClient(t, d); !connected {
			t.Fatalf("the link dropped %s into an idle browser", time.Since(start).Round(time.Second))
		}
		time.Sleep(250 * time.Millisecond)
	}
	if n := ffSessions(d, clientID); n != 1 {
		t.Fatalf("%d sessions during the idle time, want the one socket kept", n)
	}
	popup.navigate(t, "https://www.reddit.com/r/golang/comments/3/third/")
	waitFor(t, "the visit to be stored on the same socket", 20*time.Second, func() bool {
		return len(countEvents(d.events(), "tab_navigated", "www.reddit.com")) == 1
	})
	if n := ffSessions(d, clientID); n != 1 {
		t.Fatalf("%d sessions, want 1", n)
	}
}

// TestFirefoxRestartReconnects: after the browser quits and starts again
// with the same profile (mindful installed for good), the extension
// reconnects by itself as the same client, with no new pairing, and its
// activity is stored again.
func TestFirefoxRestartReconnects(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	profile := t.TempDir()
	f := startFirefox(t, s, ffOptions{XPI: true, Profile: profile})
	pairFirefox(t, d, f)
	clientID, _ := firefoxClient(t, d)
	f.stop()
	waitFor(t, "the daemon to see the browser go", 30*time.Second, func() bool {
		_, connected := firefoxClient(t, d)
		return !connected
	})

	again := startFirefox(t, s, ffOptions{Profile: profile, Installed: true})
	waitFor(t, "the link to come back after the restart", 60*time.Second, func() bool {
		_, connected := firefoxClient(t, d)
		return connected
	})
	st := d.status()
	if len(st.Clients) != 1 || st.Clients[0].ID != clientID || st.PendingPairings != 0 {
		t.Fatalf("after the restart: clients %+v, %d pending pairings; want the same one client", st.Clients, st.PendingPairings)
	}
	if n := ffSessions(d, clientID); n != 2 {
		t.Fatalf("%d sessions, want 2 (before and after the restart)", n)
	}
	page := again.tab(t)
	page.navigate(t, "https://www.reddit.com/r/golang/comments/4/after-restart/")
	waitFor(t, "the visit after the restart to be stored", 30*time.Second, func() bool {
		evs := countEvents(d.events(), "tab_navigated", "www.reddit.com")
		return len(evs) == 1 && evs[0].Client == clientID
	})
}

// TestFirefoxIdleBrowserReconnects: a suspended background with nothing
// happening in the browser is woken by its own timers, and the link comes
// back each time. In an idle browser, Firefox wakes the event page about a
// minute after the last input (the idle detection; the 1-minute alarm may
// come first or right after) and from then on hands every restart of the page the
// "idle" state again, so with this test's 3 s idle timeout the page is
// woken again and again. The idle state is still recorded once.
func TestFirefoxIdleBrowserReconnects(t *testing.T) {
	j := startJourney(t, idleFirefox(t, 3*time.Second), nil)
	d, popup := j.d, j.popup
	clientID, _ := firefoxClient(t, d)
	popup.navigate(t, "http://plain.test/idle")
	waitFor(t, "Firefox to suspend the idle background", 60*time.Second, func() bool {
		_, connected := firefoxClient(t, d)
		return !connected
	})
	before := ffSessions(d, clientID)
	// No navigation, no message: only the background's own timers.
	waitFor(t, "three wake-ups of the background, each with a new socket", 180*time.Second, func() bool {
		return ffSessions(d, clientID) >= before+3
	})
	waitFor(t, "the idle state to be recorded", 20*time.Second, func() bool { return countType(d.events(), "idle_state", "") > 0 })
	var idle []string
	for _, e := range d.events() {
		if e.Type == "idle_state" {
			idle = append(idle, e.State)
		}
	}
	if !slices.Equal(idle, []string{"idle"}) {
		t.Fatalf("idle states recorded %v over %d wake-ups, want [idle] once", idle, ffSessions(d, clientID)-before)
	}
}
