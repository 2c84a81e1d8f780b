package e2e

import (
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
}

func (c *firefoxLaunch) origin() string { return ffOrigin }

func (c *firefoxLaunch) start(t testing.TB, restore bool) {
	t.Helper()
	opt := ffOptions{Profile: c.profile, Installed: c.started, XPI: !c.started}
	if restore {
		opt.Prefs = map[string]any{"browser.startup.page": 3}
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

func (c *firefoxLaunch) quit(t testing.TB) {
	t.Helper()
	c.f.stop()
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
	ffPoll[bool](t, p.p, what, expr, timeout)
}

func TestFirefoxLaunch(t *testing.T) {
	firefoxPath(t)
	profile := t.TempDir()
	launchJourney(t, func(s *sites) launchDriver { return &firefoxLaunch{s: s, profile: profile} })
}
