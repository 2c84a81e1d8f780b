package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/admission"
)

const extOrigin = "chrome-extension://" + admission.ChromeExtensionID

// chromiumPath finds Debian's real Chromium binary (not the wrapper script,
// which adds an empty --load-extension). Without it the test skips on a
// developer machine and fails in CI.
func chromiumPath(t testing.TB) string {
	t.Helper()
	return browserPath(t, "Chromium", "MINDFUL_CHROMIUM", "/usr/lib/chromium/chromium", "chromium")
}

// browserPath is the browser binary named by the environment variable env,
// or def. Without it the test skips on a developer machine and fails in
// CI, naming the Debian package to install.
func browserPath(t testing.TB, name, env, def, pkg string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		p = def
	}
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("%s not found at %s (install Debian's %s: `make test` does it as root, or `sudo apt-get install %s`)", name, p, pkg, pkg)
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

// navigateRedirected opens url in the tab when mindful sends it elsewhere
// (a break page, a prompt). The extension may replace the navigation its
// rules redirected with one of its own (the break enforcer covering the
// tab), which Chromium reports as net::ERR_ABORTED for the first one: that
// is not an error here. Where the tab ends up, and what reached the site,
// is what the caller waits for and asserts.
func navigateRedirected(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, chromedp.Navigate(url)); err != nil && !strings.Contains(err.Error(), "net::ERR_ABORTED") {
		t.Fatalf("browser: navigate to %s: %v", url, err)
	}
}

// poll evaluates expr in the Chromium tab until it is truthy, and returns
// its value (pollPage).
func poll[T any](t testing.TB, ctx context.Context, what, expr string, timeout time.Duration) T {
	t.Helper()
	return pollPage[T](t, chromiumTab{ctx}, what, expr, timeout)
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

// eval evaluates expr in the Chromium tab (evalPage).
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	return evalPage[T](t, chromiumTab{ctx}, expr)
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

// TestChromiumWebPageCannotTalkToDaemon and TestFirefoxWebPageCannotTalkToDaemon
// run webPageCannotTalkToDaemon in each browser.
func TestChromiumWebPageCannotTalkToDaemon(t *testing.T) { webPageCannotTalkToDaemon(t, inChromium(t)) }
func TestFirefoxWebPageCannotTalkToDaemon(t *testing.T)  { webPageCannotTalkToDaemon(t, inFirefox(t)) }

// webPageCannotTalkToDaemon: a page from another local origin cannot
// complete a WebSocket handshake with the daemon or read its API.
func webPageCannotTalkToDaemon(t *testing.T, mk func(*sites) driver) {
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
	b := mk(s)

	for _, u := range []string{"http://evil.test/probe", "http://" + s.httpAddr + "/probe"} {
		t.Run(u, func(t *testing.T) {
			page := b.newTab(t)
			page.navigate(t, u)
			pollPage[bool](t, page, "the probe to finish", `window.result && window.result.closed === true && !!window.result.api`, 15*time.Second)
			res := evalPage[map[string]any](t, page, `window.result`)
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

// pairChromium pairs the extension in browser with d (pairWith) and
// returns the popup tab, which stays open and live.
func pairChromium(t testing.TB, d *daemonProc, browser context.Context) context.Context {
	t.Helper()
	return pairWith(t, d, &chromiumLaunch{browser: browser}).(chromiumTab).ctx
}
