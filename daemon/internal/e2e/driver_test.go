package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Each browser journey is written once, against driver and browserTab, and
// runs in Chromium (chromiumLaunch, over the DevTools protocol) and in
// Firefox (firefoxLaunch, over WebDriver BiDi): TestChromiumX and
// TestFirefoxX are thin wrappers that hand the journey a way to start its
// browser (inChromium, inFirefox). driver extends the launch journey's
// launchDriver (launch_test.go) with what the other journeys need;
// browserTab extends launchTab. Tests of what only one browser has (the
// Firefox event page's lifecycle, Chromium's site-access settings page)
// stay written for that browser.

// driver is a running browser with mindful in it.
type driver interface {
	launchDriver
	// name is the browser as the daemon lists it ("chromium", "firefox-esr").
	name() string
	// newTab opens a new, empty tab.
	newTab(t testing.TB) browserTab
}

// browserTab is one tab of a driver.
type browserTab interface {
	launchTab
	// evaluate evaluates expr once (awaiting a promise) within timeout and
	// returns its JSON value.
	evaluate(expr string, timeout time.Duration) (any, error)
	// navigate loads url and waits until the new document has loaded.
	navigate(t testing.TB, url string)
	reload(t testing.TB)
	// click clicks the element's centre with a real mouse click.
	click(t testing.TB, sel string)
	// typeText types text into the element with real key presses.
	typeText(t testing.TB, sel, text string)
	// setValue sets a form field's value as a script would.
	setValue(t testing.TB, sel, value string)
	// openExt brings the tab to one of mindful's pages (path from the
	// extension's root) and waits until it has loaded.
	openExt(t testing.TB, path string)
}

// inChromium and inFirefox are how the journeys' TestChromiumX and
// TestFirefoxX start their browser: Chromium with the unpacked extension,
// Firefox with it as a temporary add-on, each with a fresh profile.
func inChromium(t testing.TB) func(*sites) driver {
	return func(s *sites) driver { return startChromiumDriver(t, s, extDir) }
}

func inFirefox(t testing.TB) func(*sites) driver {
	return func(s *sites) driver { return startFirefoxDriver(t, s, ffOptions{}) }
}

// journey is where a browser journey starts: the fake sites, a daemon
// (set up by setup before the browser starts), the browser from mk, and
// the extension's popup, paired with the daemon.
type journey struct {
	s             *sites
	addr, dataDir string
	d             *daemonProc
	b             driver
	popup         browserTab
}

func startJourney(t testing.TB, mk func(*sites) driver, setup func(d *daemonProc)) *journey {
	t.Helper()
	j := &journey{s: startSites(t), addr: freePort(t), dataDir: filepath.Join(t.TempDir(), "data")}
	j.d = startDaemon(t, j.addr, j.dataDir)
	if setup != nil {
		setup(j.d)
	}
	j.b = mk(j.s)
	j.popup = pairWith(t, j.d, j.b)
	return j
}

// pollPage evaluates expr in p until it is truthy, and returns its value.
// An evaluation that fails because the tab is navigating is retried until
// the deadline.
func pollPage[T any](t testing.TB, p browserTab, what, expr string, timeout time.Duration) T {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		v, err := p.evaluate(expr, 5*time.Second)
		if err == nil && truthy(v) {
			return decodeAs[T](t, what, v)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s (%s); last error: %v; the tab: %s", timeout, what, expr, err, p.summary())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// evalPage evaluates expr in p (awaiting a promise) and fails the test on
// an error.
func evalPage[T any](t testing.TB, p browserTab, expr string) T {
	t.Helper()
	v, err := p.evaluate(expr, 30*time.Second)
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return decodeAs[T](t, expr, v)
}

func decodeAs[T any](t testing.TB, what string, v any) T {
	t.Helper()
	var out T
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return out
}

// waitPageState waits until the daemon state cached by the extension
// satisfies cond (a JavaScript expression over st); p is any mindful page.
func waitPageState(t testing.TB, p browserTab, what, cond string) {
	t.Helper()
	pollPage[bool](t, p, what, `(globalThis.browser ?? chrome).storage.local.get('daemonState').then(s => { const st = s.daemonState || {}; return `+cond+`; })`, 30*time.Second)
}

// waitPageRules waits until the extension has turned the daemon's feeds
// into declarativeNetRequest redirects (the decided layer,
// docs/enforcement.md); p is any mindful page.
func waitPageRules(t testing.TB, p browserTab) {
	t.Helper()
	pollPage[bool](t, p, "the extension's feed rules",
		`(globalThis.browser ?? chrome).declarativeNetRequest.getSessionRules().then(r => r.some(x => x.action.type === 'redirect'))`, 30*time.Second)
}

// ---- Chromium

// startChromiumDriver starts a Chromium (startChromiumWith) as a driver.
func startChromiumDriver(t testing.TB, s *sites, extDir string, extra ...chromedp.ExecAllocatorOption) driver {
	t.Helper()
	return &chromiumLaunch{s: s, browser: startChromiumWith(t, s, extDir, extra...)}
}

func (c *chromiumLaunch) name() string { return "chromium" }

func (c *chromiumLaunch) newTab(t testing.TB) browserTab {
	t.Helper()
	return chromiumTab{tab(t, c.browser)}
}

func (p chromiumTab) evaluate(expr string, timeout time.Duration) (any, error) {
	c, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	return chromedp.Run(c, chromedp.Evaluate[any](expr, chromedp.EvalAwaitPromise))
}

// navigate opens url; the journeys then wait for where the tab ends up, so
// a navigation the extension replaced with its own is not an error
// (navigateRedirected).
func (p chromiumTab) navigate(t testing.TB, url string) {
	t.Helper()
	navigateRedirected(t, p.ctx, url)
}

func (p chromiumTab) reload(t testing.TB) {
	t.Helper()
	do(t, p.ctx, chromedp.Reload())
}

func (p chromiumTab) click(t testing.TB, sel string) {
	t.Helper()
	do(t, p.ctx, chromedp.Click(sel))
}

func (p chromiumTab) typeText(t testing.TB, sel, text string) {
	t.Helper()
	do(t, p.ctx, chromedp.SendKeys(sel, text))
}

func (p chromiumTab) setValue(t testing.TB, sel, value string) {
	t.Helper()
	do(t, p.ctx, chromedp.WaitVisible(sel), chromedp.SetValue(sel, value))
}

func (p chromiumTab) openExt(t testing.TB, path string) {
	t.Helper()
	do(t, p.ctx, chromedp.Navigate(extOrigin+path))
}

// ---- Firefox

// startFirefoxDriver starts a Firefox (startFirefox) as a driver.
func startFirefoxDriver(t testing.TB, s *sites, opt ffOptions) driver {
	t.Helper()
	return &firefoxLaunch{s: s, profile: opt.Profile, f: startFirefox(t, s, opt), started: true}
}

func (c *firefoxLaunch) name() string { return "firefox-esr" }

func (c *firefoxLaunch) newTab(t testing.TB) browserTab {
	t.Helper()
	return firefoxTab{c.f.tab(t)}
}

func (p firefoxTab) evaluate(expr string, timeout time.Duration) (any, error) {
	return ffTryWithin[any](p.p, expr, timeout)
}

func (p firefoxTab) navigate(t testing.TB, url string)       { t.Helper(); p.p.navigate(t, url) }
func (p firefoxTab) reload(t testing.TB)                     { t.Helper(); p.p.reload(t) }
func (p firefoxTab) click(t testing.TB, sel string)          { t.Helper(); p.p.click(t, sel) }
func (p firefoxTab) typeText(t testing.TB, sel, text string) { t.Helper(); p.p.typeText(t, sel, text) }
func (p firefoxTab) setValue(t testing.TB, sel, value string) {
	t.Helper()
	p.p.setValue(t, sel, value)
}
func (p firefoxTab) openExt(t testing.TB, path string) { t.Helper(); p.p.openExt(t, path) }
