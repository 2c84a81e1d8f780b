package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// firefoxLaunch drives launchJourney (launch_test.go) in Firefox: mindful
// installed for good from the .xpi at the first start, the profile kept.
type firefoxLaunch struct {
	s       *sites
	profile string
	f       *firefox
	started bool
	// atQuit are the web pages open when the browser was last quit.
	atQuit []string
}

func (c *firefoxLaunch) origin() string { return ffOrigin }

func (c *firefoxLaunch) start(t testing.TB, restore bool) {
	t.Helper()
	opt := ffOptions{Profile: c.profile, Installed: c.started, XPI: !c.started}
	if restore && len(c.atQuit) > 0 {
		// Firefox's own session restore (browser.startup.page=3) restored
		// nothing under the BiDi remote agent here, so the pages open at
		// the last quit are the start pages instead: Firefox loads them
		// itself at launch, before any extension code runs, as it loads
		// restored tabs.
		opt.Prefs = map[string]any{"browser.startup.page": 1, "browser.startup.homepage": strings.Join(c.atQuit, "|")}
	}
	c.f = startFirefox(t, c.s, opt)
	c.started = true
}

func (c *firefoxLaunch) pair(t testing.TB, d *daemonProc) {
	t.Helper()
	popup := pairFirefox(t, d, c.f)
	ffPoll[bool](t, popup, "the extension's decided rules",
		`browser.declarativeNetRequest.getSessionRules().then(r => r.some(x => x.action.type === 'redirect'))`, 30*time.Second)
}

func (c *firefoxLaunch) waitState(t testing.TB, what, cond string) {
	t.Helper()
	page := c.f.tab(t)
	page.openExt(t, "/src/pages/options/options.html")
	ffWaitState(t, page, what, cond)
}

type firefoxTab struct{ p *ffTab }

func (c *firefoxLaunch) open(t testing.TB, url string) launchTab {
	t.Helper()
	p := c.f.tab(t)
	if err := c.f.call("browsingContext.navigate", map[string]any{"context": p.id, "url": url, "wait": "none"}, nil); err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
	return firefoxTab{p}
}

func (c *firefoxLaunch) tabURLs(t testing.TB) []string {
	t.Helper()
	var tree struct {
		Contexts []struct {
			URL string `json:"url"`
		} `json:"contexts"`
	}
	if err := c.f.call("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		t.Fatalf("getTree: %v", err)
	}
	var out []string
	for _, ctx := range tree.Contexts {
		out = append(out, ctx.URL)
	}
	return out
}

// quit ends Firefox as a user's quit does (SIGTERM: a clean shutdown) and
// remembers the web pages that were open.
func (c *firefoxLaunch) quit(t testing.TB) {
	t.Helper()
	c.atQuit = nil
	for _, u := range c.tabURLs(t) {
		if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			c.atQuit = append(c.atQuit, u)
		}
	}
	f := c.f
	if f.bidi != nil {
		f.bidi.close()
		f.bidi = nil
	}
	syscall.Kill(f.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-f.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("firefox did not quit within 30 s of SIGTERM")
	}
	syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL) // whatever of its group outlived it
	f.stopped = true
}

func (c *firefoxLaunch) kill(t testing.TB) {
	t.Helper()
	f := c.f
	syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
	<-f.exited
	if f.bidi != nil {
		f.bidi.close()
		f.bidi = nil
	}
	f.stopped = true
}

func (p firefoxTab) poll(t testing.TB, what, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		v, err := ffTry[any](p.p, expr)
		if err == nil && truthy(v) {
			return
		}
		if time.Now().After(deadline) {
			page, _ := ffTry[string](p.p, pageSummary)
			t.Fatalf("timed out after %s waiting for %s (%s); last error: %v; the tab: %s", timeout, what, expr, err, page)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p firefoxTab) check(expr string) bool {
	v, err := ffTry[any](p.p, expr)
	return err == nil && truthy(v)
}

func (p firefoxTab) summary() string {
	v, _ := ffTry[string](p.p, pageSummary)
	return v
}

func TestFirefoxLaunch(t *testing.T) {
	firefoxPath(t)
	profile := t.TempDir()
	launchJourney(t, func(s *sites) launchDriver { return &firefoxLaunch{s: s, profile: profile} })
}
