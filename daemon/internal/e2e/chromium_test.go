package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/guard"
)

const extOrigin = "chrome-extension://" + guard.ChromeExtensionID

// chromiumPath finds Debian's real Chromium binary (not the wrapper script,
// which adds an empty --load-extension). Without it the test skips on a
// developer machine and fails in CI.
func chromiumPath(t testing.TB) string {
	t.Helper()
	p := os.Getenv("MINDFUL_CHROMIUM")
	if p == "" {
		p = "/usr/lib/chromium/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("Chromium not found at %s (install Debian's chromium: `make test` does it as root, or `sudo apt-get install chromium`)", p)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// startChromium launches headless Chromium with the unpacked extension and
// the fake sites mapped in; it returns the browser's context.
// extra options go last, so that they win (e.g. chromedp.UserDataDir).
func startChromium(t testing.TB, s *sites, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	return startChromiumWith(t, s, extDir, extra...)
}

// startChromiumWith is startChromium with the unpacked extension in extDir
// (none if extDir is "").
func startChromiumWith(t testing.TB, s *sites, extDir string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	ctx, _ := launchChromium(t, s, extDir, extra...)
	return ctx
}

// launchChromium is startChromiumWith that also returns a function that
// ends the browser at once (a benchmark that launches many), rather than
// only at the test's cleanup.
func launchChromium(t testing.TB, s *sites, extDir string, extra ...chromedp.ExecAllocatorOption) (context.Context, func()) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "HttpsUpgrades,HttpsFirstBalancedModeAutoEnable"),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.Flag("host-resolver-rules", s.resolverRules()),
		chromedp.Flag("ignore-certificate-errors-spki-list", s.spki),
	}
	if extDir != "" {
		opts = append(opts, chromedp.Flag("load-extension", extDir), chromedp.Flag("disable-extensions-except", extDir))
	}
	// Later options win: a test may replace the profile or add environment.
	opts = append(opts, extra...)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	stop := func() { bcancel(); acancel() }
	t.Cleanup(stop)
	// The first tab may be navigating away under chromedp while it attaches
	// (a tab the browser restored, sent to an extension page): try again.
	err := chromedp.Do(bctx)
	for try := 0; err != nil && strings.Contains(err.Error(), "execution context") && try < 5; try++ {
		err = chromedp.Do(bctx)
	}
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx, stop
}

// tab opens a new tab in the browser.
func tab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	return ctx
}

func do(t testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// poll evaluates expr in the tab until it is truthy, and returns its value.
// An evaluation that fails because the tab is navigating (the page, or its
// renderer process, changes under it) is retried until the deadline.
func poll[T any](t testing.TB, ctx context.Context, what, expr string, timeout time.Duration) T {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := chromedp.Run(c, chromedp.Evaluate[any](expr))
		cancel()
		if err == nil && truthy(v) {
			var out T
			b, _ := json.Marshal(v)
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			return out
		}
		lastErr = err
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s (%s); last error: %v", timeout, what, expr, lastErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	}
	return true
}

func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func countEvents(evs []api.Event, typ, domain string) []api.Event {
	var out []api.Event
	for _, e := range evs {
		if e.Type == typ && e.Domain == domain {
			out = append(out, e)
		}
	}
	return out
}

// TestChromiumPairReportAndReplay is the walking skeleton's proof: a real
// Chromium with the unpacked extension pairs with the real daemon through
// the popup and `mindful pair approve`, its tab activity is stored, and
// what it does while the daemon is down arrives exactly once after restart.
func TestChromiumPairReportAndReplay(t *testing.T) {
	s := startSites(t)
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir)
	browser := startChromium(t, s)

	popup := pairChromium(t, d, browser)
	st := d.status()
	clientID := st.Clients[0].ID

	// Browse to a mapped site: the visit is stored as its domain only.
	page := tab(t, browser)
	do(t, page, chromedp.Navigate("https://www.reddit.com/r/golang/comments/abc/a_post/?secret=1"))
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
	poll[bool](t, popup, "popup to say the daemon is not running", `document.querySelector('#state')?.dataset.state === 'offline'`, 30*time.Second)
	offlineAt := time.Now()
	do(t, page, chromedp.Navigate("http://offline.test/while-down"))
	waitFor(t, "the offline page to load", 10*time.Second, func() bool { return s.requests("offline.test") == 1 })
	poll[bool](t, popup, "the visit to be queued", `Number(document.querySelector('#queued')?.textContent.match(/\d+/)?.[0] || 0) > 0`, 15*time.Second)

	// Back again: the queued events arrive, exactly once, with their
	// original time.
	restartAt := time.Now()
	d2 := startDaemon(t, addr, dataDir)
	waitFor(t, "the offline visit to arrive", 60*time.Second, func() bool {
		return len(countEvents(d2.events(), "tab_navigated", "offline.test")) > 0
	})
	poll[bool](t, popup, "the queue to drain", `Number(document.querySelector('#queued')?.textContent.match(/\d+/)?.[0] || 0) === 0`, 30*time.Second)
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

// TestChromiumWebPageCannotTalkToDaemon: a page from another local origin
// cannot complete a WebSocket handshake with the daemon or read its API.
func TestChromiumWebPageCannotTalkToDaemon(t *testing.T) {
	s := startSites(t)
	addr := freePort(t)
	d := startDaemon(t, addr, filepath.Join(t.TempDir(), "data"))
	probe := fmt.Sprintf(`<!doctype html><title>probe</title><script>
window.result = {};
const ws = new WebSocket("ws://%[1]s/ws");
ws.onopen = () => { window.result.ws = "open"; ws.send('{"v":1,"type":"pair_request","id":"x","body":{}}'); };
ws.onmessage = (m) => { window.result.msg = String(m.data); };
ws.onerror = () => { window.result.ws = window.result.ws || "error"; };
ws.onclose = () => { window.result.closed = true; };
fetch("http://%[1]s/api/v1/status").then(r => r.text()).then(t => { window.result.api = "read:" + t; }, e => { window.result.api = "blocked"; });
</script>`, addr)
	s.setPage("evil.test/probe", probe)
	s.setPage("127.0.0.1/probe", probe)
	browser := startChromium(t, s)

	for _, u := range []string{"http://evil.test/probe", "http://" + s.httpAddr + "/probe"} {
		t.Run(u, func(t *testing.T) {
			page := tab(t, browser)
			do(t, page, chromedp.Navigate(u))
			poll[bool](t, page, "the probe to finish", `window.result && window.result.closed === true && !!window.result.api`, 15*time.Second)
			res := eval[map[string]any](t, page, `window.result`)
			if res["ws"] == "open" || res["msg"] != nil {
				t.Fatalf("a web page completed a handshake with the daemon: %v", res)
			}
			if api, _ := res["api"].(string); strings.HasPrefix(api, "read:") {
				t.Fatalf("a web page read the control API: %v", res)
			}
		})
	}
	// The daemon itself refused them (not just the browser).
	for _, o := range []string{"origin=http://evil.test", "origin=http://" + s.httpAddr} {
		if !strings.Contains(d.log.String(), "websocket refused") || !strings.Contains(d.log.String(), o) {
			t.Fatalf("daemon log does not show the refusal of %s:\n%s", o, d.log)
		}
	}
	if st := d.status(); len(st.Clients) != 0 || st.PendingPairings != 0 {
		t.Fatalf("a web page got somewhere: %+v", st)
	}
}

// pairChromium points the extension at d through its options page, checks
// that the popup shows the code the daemon lists, approves it with
// `mindful pair approve CODE --addr ADDR` and waits for "connected". It
// returns the popup tab, which stays open and live.
func pairChromium(t testing.TB, d *daemonProc, browser context.Context) context.Context {
	t.Helper()
	addr := d.addr
	// Point the extension at this daemon through its options page.
	popup := tab(t, browser)
	do(t, popup,
		chromedp.Navigate(extOrigin+"/src/pages/options/options.html"),
		chromedp.WaitVisible("#daemon-addr"),
		chromedp.SetValue("#daemon-addr", addr),
		chromedp.Click("#save"),
	)
	poll[bool](t, popup, "options saved", `document.querySelector('#saved').textContent.includes('Saved')`, 10*time.Second)

	// The extension asks to pair; the popup shows the code the daemon lists.
	var code string
	waitFor(t, "a pending pairing request", 30*time.Second, func() bool {
		p := d.pairing()
		if len(p.Pending) == 1 {
			code = p.Pending[0].Code
			if p.Pending[0].Browser != "chromium" {
				t.Fatalf("pending pairing from browser %q, want chromium", p.Pending[0].Browser)
			}
			return true
		}
		return false
	})
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		t.Fatalf("pairing code %q is not 6 digits", code)
	}
	do(t, popup, chromedp.Navigate(extOrigin+"/src/pages/popup/popup.html"))
	shown := poll[string](t, popup, "the popup to show the code", `document.querySelector('#pair-code')?.textContent.trim() || ''`, 15*time.Second)
	if shown != code {
		t.Fatalf("popup shows code %q, daemon has %q", shown, code)
	}

	// Approve on the trusted side, with the flag after the code.
	out := string(d.cli("pair", "approve", code, "--addr", addr))
	if !strings.Contains(out, "paired chromium") {
		t.Fatalf("pair approve said %q", out)
	}
	poll[bool](t, popup, "popup to say connected", `document.querySelector('#state')?.dataset.state === 'connected'`, 15*time.Second)
	st := d.status()
	if !st.Running || len(st.Clients) != 1 || !st.Clients[0].Connected || st.Clients[0].Browser != "chromium" {
		t.Fatalf("status after pairing: %+v", st)
	}
	return popup
}
