package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	ffPromptPage = ffOrigin + "/src/pages/prompt/prompt.html"
	ffBreakPage  = ffOrigin + "/src/pages/break/break.html"
)

// ffWaitRules waits until the extension has turned the daemon's feeds into
// declarativeNetRequest redirects (waitPageRules); page is any mindful page.
func ffWaitRules(t testing.TB, page *ffTab) {
	t.Helper()
	waitPageRules(t, firefoxTab{page})
}

// ffWaitState waits until the daemon state cached by the extension
// satisfies cond (waitPageState).
func ffWaitState(t testing.TB, page *ffTab, what, cond string) {
	t.Helper()
	waitPageState(t, firefoxTab{page}, what, cond)
}

// ffOnPrompt waits until the Firefox tab shows the prompt page for feed.
func ffOnPrompt(t testing.TB, page *ffTab, feed string) {
	t.Helper()
	onPromptIn(t, &firefoxLaunch{}, firefoxTab{page}, feed)
}

func ffAfterPause(t testing.TB, page *ffTab) {
	t.Helper()
	afterPauseIn(t, firefoxTab{page})
}

// TestFirefoxBreak: a break started from the CLI switches an open tab to
// the break page and blocks listed sites over https and http with nothing
// reaching them; when it ends, the sites load again.
func TestFirefoxBreak(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	d.cli("prompts", "pause", "2h") // this test is about breaks, not prompts
	d.cli("break", "settings", "--your-reason", "I want my evenings back.")
	f := startFirefox(t, s, ffOptions{})
	popup := pairFirefox(t, d, f)
	ffWaitState(t, popup, "the prompt pause to reach the extension", `!!st.prompts_paused_until`)

	open := f.tab(t)
	open.navigate(t, "https://www.reddit.com/r/golang/")
	ffPoll[bool](t, open, "reddit to load", `location.hostname === 'www.reddit.com'`, 15*time.Second)

	d.cli("break", "start", "--for", "1h", "--name", "Focus")
	ffOnBreakPage(t, open, 10*time.Second)
	before := s.requests("www.reddit.com")
	if name := ffEval[string](t, open, `document.querySelector('#break-name').textContent`); !strings.Contains(name, "Focus") {
		t.Fatalf("break page names %q", name)
	}
	if r := ffEval[string](t, open, `document.querySelector('#reason').textContent`); !strings.Contains(r, "evenings back") {
		t.Fatalf("break page shows reason %q", r)
	}
	// The popup says so, as in Chromium.
	popup.reload(t)
	if got := ffPoll[string](t, popup, "the popup to show the break", `document.querySelector('#today-break')?.hidden === false ? document.querySelector('#today-break').textContent : ''`, 15*time.Second); !strings.Contains(got, "On a break: Focus") {
		t.Fatalf("popup says %q during the break", got)
	}

	page := f.tab(t)
	for _, u := range []string{"https://www.reddit.com/", "http://www.reddit.com/message/inbox", "https://x.com/home", "http://x.com/explore"} {
		page.navigate(t, u)
		ffOnBreakPage(t, page, 10*time.Second)
	}
	if n := s.requests("www.reddit.com") - before; n != 0 {
		t.Fatalf("%d requests reached reddit during the break", n)
	}
	if n := s.requests("x.com"); n != 0 {
		t.Fatalf("%d requests reached x.com during the break", n)
	}
	waitFor(t, "the attempts to be recorded", 20*time.Second, func() bool {
		evs := d.events()
		return countType(evs, "break_attempt", "www.reddit.com") >= 1 && countType(evs, "break_attempt", "x.com") >= 1
	})
	// A site that is not listed still loads.
	page.navigate(t, "http://plain.test/during")
	ffPoll[bool](t, page, "an unlisted site to load", `location.hostname === 'plain.test'`, 10*time.Second)

	d.cli("break", "stop", "--reason", "the test is over")
	waitFor(t, "the break to end", 20*time.Second, func() bool { return !d.status().Break.Active })
	ffPoll[bool](t, open, "the open tab to leave the break page", `location.hostname === 'www.reddit.com'`, 20*time.Second)
	page.navigate(t, "https://x.com/home")
	ffPoll[bool](t, page, "x.com to load after the break", `location.hostname === 'x.com'`, 15*time.Second)
	if s.requests("x.com") == 0 || s.requests("www.reddit.com") <= before {
		t.Fatal("the sites got no request after the break")
	}
}

// ffOnBreakPage waits until the tab shows the break page.
func ffOnBreakPage(t testing.TB, page *ffTab, timeout time.Duration) {
	t.Helper()
	ffPoll[bool](t, page, "the break page", fmt.Sprintf(`location.href.startsWith(%q) && document.querySelector('#break')?.dataset.state === 'on'`, ffBreakPage), timeout)
}
