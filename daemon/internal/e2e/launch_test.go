package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Enforced from the first navigation (issue 13, docs/enforcement.md): one
// journey, written once against launchDriver and run in Chromium and
// Firefox. It keeps one profile and one daemon, quits or kills the browser,
// relaunches it and sends the navigation as soon as the browser answers;
// the fake site's request log must show 0 for every case.

// launchDriver is a browser that can be quit, killed and relaunched with
// the same profile.
type launchDriver interface {
	// start launches the browser on the kept profile (restore: reopen the
	// last session's tabs) and returns when it answers.
	start(t testing.TB, restore bool)
	// pair pairs the freshly installed extension with d (first start only)
	// and waits for its decided rules.
	pair(t testing.TB, d *daemonProc)
	// waitState waits until the extension's cached daemon state satisfies
	// cond (JavaScript over st).
	waitState(t testing.TB, what, cond string)
	// open sends a new tab to url without waiting for anything.
	open(t testing.TB, url string) launchTab
	// tabURLs are the addresses of the open tabs (after a restore).
	tabURLs(t testing.TB) []string
	quit(t testing.TB)
	kill(t testing.TB)
	origin() string
}

type launchTab interface {
	poll(t testing.TB, what, expr string, timeout time.Duration)
	// check evaluates expr once; summary says where the tab is and what it shows.
	check(expr string) bool
	summary() string
}

// launchJourney runs every case of the issue against one browser.
func launchJourney(t *testing.T, mk func(*sites) launchDriver) {
	s := startSites(t)
	b := mk(s)
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir)
	d.cli("break", "settings", "--your-reason", "Evenings are mine.")
	promptPage := b.origin() + "/src/pages/prompt/prompt.html"
	breakPage := b.origin() + "/src/pages/break/break.html"
	onPrompt := func(tab launchTab, feed string) {
		t.Helper()
		tab.poll(t, "the prompt for "+feed, `location.href.startsWith('`+promptPage+`') && document.querySelector('#prompt')?.dataset.feed === '`+feed+`'`, 30*time.Second)
	}
	onBreak := func(tab launchTab) {
		t.Helper()
		tab.poll(t, "the break page", `location.href.startsWith('`+breakPage+`') && document.querySelector('#break')?.dataset.state === 'on'`, 30*time.Second)
	}
	// Every case runs on this goroutine with this t (the browser and the
	// daemon outlive each case), one after the other.
	step := func(name string, fn func()) {
		t.Helper()
		began := time.Now()
		defer func() {
			if t.Failed() {
				t.Logf("%s failed; the tabs: %q", name, b.tabURLs(t))
			}
		}()
		fn()
		t.Logf("ok: %s (%s)", name, time.Since(began).Round(100*time.Millisecond))
	}
	zero := func(what, host string, before int) {
		t.Helper()
		if n := s.requests(host) - before; n != 0 {
			t.Fatalf("%s: %d requests reached %s", what, n, host)
		}
	}

	b.start(t, false)
	b.pair(t, d)
	step("quit, then a feed at once", func() {
		b.quit(t)
		before := s.requests("www.reddit.com")
		b.start(t, false)
		tab := b.open(t, "https://www.reddit.com/")
		onPrompt(tab, "reddit")
		zero("after a quit", "www.reddit.com", before)
	})

	step("killed, then a feed at once", func() {
		b.kill(t)
		before := s.requests("www.youtube.com")
		b.start(t, false)
		tab := b.open(t, "https://www.youtube.com/")
		onPrompt(tab, "youtube")
		zero("after a kill", "www.youtube.com", before)
	})

	step("restored tabs; a scheduled break began while closed, daemon down", func() {
		// A break scheduled for old.reddit.com only, from the next minute
		// that is at least 25 s away (schedules have minute resolution), for
		// a minute: it begins while the browser is closed and the daemon is
		// down.
		start := time.Now().Truncate(time.Minute).Add(time.Minute)
		if time.Until(start) < 25*time.Second {
			start = start.Add(time.Minute)
		}
		d.cli("schedule", "add", "--once", start.Format("2006-01-02 15:04"), start.Add(time.Minute).Format("2006-01-02 15:04"), "--name", "Soon", "--site", "old.reddit.com")
		// A feed tab open for a reason (prompts paused for 20 s: over
		// before the relaunch, and the extension knows it from its cache) and
		// a page of the scheduled break's site, both left open at quit.
		d.cli("prompts", "pause", "20s")
		b.waitState(t, "the schedule and the pause to reach the extension", `(st.breaks || []).some(b => b.name === 'Soon') && !!st.prompts_paused_until`)
		feed := b.open(t, "https://www.youtube.com/")
		feed.poll(t, "youtube to load (prompts paused)", `location.hostname === 'www.youtube.com'`, 30*time.Second)
		site := b.open(t, "https://old.reddit.com/r/golang/comments/1/a_post/")
		site.poll(t, "old.reddit.com to load before its break", `location.hostname === 'old.reddit.com'`, 30*time.Second)
		b.quit(t)
		if !time.Now().Before(start) {
			t.Fatalf("the machine is too slow for this case: the break began (%s) before the browser was closed", start.Format("15:04:05"))
		}
		d.stop()
		if wait := time.Until(start.Add(2 * time.Second)); wait > 0 {
			t.Logf("waiting %s for the scheduled break to begin", wait.Round(time.Second))
			time.Sleep(wait) // the break begins on the wall clock; nothing to wait on
		}
		yt, old := s.requests("www.youtube.com"), s.requests("old.reddit.com")
		b.start(t, true)
		var urls []string
		deadline := time.Now().Add(30 * time.Second)
		for {
			urls = b.tabURLs(t)
			var sawPrompt, sawBreak bool
			for _, h := range urls {
				sawPrompt = sawPrompt || strings.HasPrefix(h, promptPage+"?f=youtube")
				sawBreak = sawBreak || strings.HasPrefix(h, breakPage+"?")
			}
			if sawPrompt && sawBreak {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the restored tabs do not show the prompt and the break page: %q", urls)
			}
			time.Sleep(100 * time.Millisecond)
		}
		zero("restored feed tab", "www.youtube.com", yt)
		zero("restored break-site tab", "old.reddit.com", old)
		tab := b.open(t, "https://old.reddit.com/r/golang/")
		onBreak(tab)
		zero("a break that began while closed, daemon down", "old.reddit.com", old)
	})

	step("a break started while closed, daemon up", func() {
		b.quit(t)
		d = startDaemon(t, addr, dataDir)
		d.cli("break", "start", "--for", "30m", "--name", "Now")
		before := s.requests("x.com")
		b.start(t, false)
		tab := b.open(t, "https://x.com/some/page")
		onBreak(tab)
		zero("a break started while closed", "x.com", before)
	})

	step("killed mid-break", func() {
		b.kill(t)
		before := s.requests("www.facebook.com")
		b.start(t, false)
		tab := b.open(t, "https://www.facebook.com/groups/1/")
		onBreak(tab)
		zero("killed mid-break", "www.facebook.com", before)
	})

	step("a break that ended while closed blocks nothing", func() {
		b.quit(t)
		d.cli("break", "stop", "--reason", "the test is over")
		waitFor(t, "the break to end", 30*time.Second, func() bool { return !d.status().Break.Active })
		before := s.requests("x.com")
		launched := time.Now()
		b.start(t, false)
		tab := b.open(t, "https://x.com/some/page")
		tab.poll(t, "x.com to load", `location.hostname === 'x.com' && document.readyState === 'complete'`, 30*time.Second)
		t.Logf("x.com loaded %s after launch (the gate's cost at launch included)", time.Since(launched).Round(time.Millisecond))
		if s.requests("x.com") == before {
			t.Fatal("x.com got no request after the break ended")
		}
	})
}

// ---- Chromium

type chromiumLaunch struct {
	s       *sites
	profile string
	browser context.Context
}

func (c *chromiumLaunch) origin() string { return extOrigin }

func (c *chromiumLaunch) start(t testing.TB, restore bool) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{chromedp.UserDataDir(c.profile)}
	if restore {
		opts = append(opts, chromedp.Flag("restore-last-session", true))
	}
	c.browser = startChromiumWith(t, c.s, extDir, opts...)
}

func (c *chromiumLaunch) pair(t testing.TB, d *daemonProc) {
	t.Helper()
	popup := pairChromium(t, d, c.browser)
	waitFor(t, "the extension's decided rules", 30*time.Second, func() bool {
		n, err := chromedp.Run(popup, chromedp.Evaluate[int](`chrome.declarativeNetRequest.getSessionRules().then(r => r.filter(x => x.action.type === 'redirect').length)`, chromedp.EvalAwaitPromise))
		return err == nil && n > 0
	})
}

func (c *chromiumLaunch) waitState(t testing.TB, what, cond string) {
	t.Helper()
	page := tab(t, c.browser)
	do(t, page, chromedp.Navigate(extOrigin+"/src/pages/options/options.html"))
	waitState(t, page, what, cond)
}

type chromiumTab struct{ ctx context.Context }

func (c *chromiumLaunch) open(t testing.TB, url string) launchTab {
	t.Helper()
	ctx := tab(t, c.browser)
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.Navigate, page.NavigateParams{URL: url})
		return err
	}))
	return chromiumTab{ctx}
}

func (c *chromiumLaunch) tabURLs(t testing.TB) []string {
	t.Helper()
	infos, err := chromedp.Targets(c.browser)
	if err != nil {
		t.Fatalf("targets: %v", err)
	}
	var out []string
	for _, in := range infos {
		if in.Type == "page" {
			out = append(out, in.URL)
		}
	}
	return out
}

func (c *chromiumLaunch) quit(t testing.TB) {
	t.Helper()
	if err := chromedp.Cancel(c.browser); err != nil {
		t.Logf("closing chromium: %v", err)
	}
}

func (c *chromiumLaunch) kill(t testing.TB) {
	t.Helper()
	p := chromedp.FromContext(c.browser).Browser.Process()
	p.Signal(syscall.SIGKILL)
	p.Wait()
}

func (p chromiumTab) poll(t testing.TB, what, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		v, err := chromedp.Run(c, chromedp.Evaluate[any](expr))
		cancel()
		if err == nil && truthy(v) {
			return
		}
		if time.Now().After(deadline) {
			c, cancel := context.WithTimeout(p.ctx, 5*time.Second)
			page, _ := chromedp.Run(c, chromedp.Evaluate[string](pageSummary))
			cancel()
			t.Fatalf("timed out after %s waiting for %s (%s); last error: %v; the tab: %s", timeout, what, expr, err, page)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p chromiumTab) check(expr string) bool {
	c, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[any](expr))
	return err == nil && truthy(v)
}

func (p chromiumTab) summary() string {
	c, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	v, _ := chromedp.Run(c, chromedp.Evaluate[string](pageSummary))
	return v
}

// pageSummary is where a tab is and what it says, for a failure message.
const pageSummary = `location.href + ' | ' + (document.body?.innerText || '').replace(/\s+/g, ' ').slice(0, 300)`

func TestChromiumLaunch(t *testing.T) {
	chromiumPath(t)
	profile := filepath.Join(t.TempDir(), "profile")
	launchJourney(t, func(s *sites) launchDriver { return &chromiumLaunch{s: s, profile: profile} })
}
