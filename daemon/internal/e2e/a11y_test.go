package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axeViolation is one rule axe-core found broken on a page.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axeSource is axe-core from npm (pinned in extension/package.json and
// package-lock.json; `.ci/deps.sh test` runs npm ci).
func axeSource(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "extension", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is missing (cd extension && npm ci): %v", err)
	}
	return string(b)
}

// audit runs axe-core (WCAG 2.x A and AA rules) on the page in ctx and
// fails the test on a serious or critical violation; it logs every
// violation, with its impact, per page.
func audit(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe, chromedp.EvalIgnoreExceptions)); err != nil {
		t.Fatalf("%s: inject axe-core: %v", page, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(res), &vs); err != nil {
		t.Fatalf("%s: axe result %q: %v", page, res, err)
	}
	serious := 0
	var summary []string
	for _, v := range vs {
		summary = append(summary, v.Impact+" "+v.ID)
		if v.Impact == "serious" || v.Impact == "critical" {
			serious++
			for _, n := range v.Nodes {
				t.Errorf("%s: %s (%s): %s at %v: %s", page, v.ID, v.Impact, v.Help, n.Target, n.HTML)
			}
		}
	}
	t.Logf("axe-core %s: %d violations, %d serious or critical %v", page, len(vs), serious, summary)
}

// colorScheme emulates prefers-color-scheme.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

// press sends real key events (CDP Input.dispatchKeyEvent).
func press(t *testing.T, ctx context.Context, keys string) {
	t.Helper()
	do(t, ctx, chromedp.KeyEvent(keys))
}

// TestChromiumAccessibility runs axe-core in real Chromium on every page
// mindful shows: the prompt in its pause and its choices, the break page,
// the popup, the options page and each dashboard page, light and dark. It
// answers a prompt with the keyboard alone, and checks that the pause is
// announced politely, once, not every second.
func TestChromiumAccessibility(t *testing.T) {
	axe := axeSource(t)
	s := startSites(t)
	addr := freePort(t)
	d := startDaemon(t, addr, filepath.Join(t.TempDir(), "data"))
	d.cli("prompts", "settings", "--pause", "4s")
	browser := startChromium(t, s)
	popup := pairChromium(t, d, browser)
	waitRules(t, popup)

	t.Run("prompt by keyboard", func(t *testing.T) {
		page := tab(t, browser)
		do(t, page, chromedp.Navigate("https://www.reddit.com/"))
		onPrompt(t, page, "reddit")
		// Count what the live regions say during the pause.
		do(t, page, chromedp.Evaluate[chromedp.Void](`window.__live = [];
			new MutationObserver(() => {
				const text = [...document.querySelectorAll('[aria-live], [role=status], [role=alert]')]
					.filter(r => r.offsetParent !== null || r.getClientRects().length)
					.map(r => r.innerText.trim()).join(' | ');
				if (window.__live.at(-1) !== text) window.__live.push(text);
			}).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});`))
		if !eval[bool](t, page, `document.querySelector('#need').disabled && document.querySelector('#countdown').closest('[aria-hidden="true"]') !== null`) {
			t.Fatal("during the pause the choices must be disabled and the ticking countdown hidden from screen readers")
		}
		// A screen reader learns why the choices are disabled.
		if got := eval[string](t, page, `document.querySelector('#need').getAttribute('aria-describedby')`); got == "" || !strings.Contains(eval[string](t, page, `document.getElementById('`+strings.Fields(got)[0]+`').textContent`), "wake") {
			t.Fatalf("the disabled choices are not described (aria-describedby %q)", got)
		}
		if live := eval[string](t, page, `document.querySelector('#pause-note').closest('[aria-live="polite"]')?.id || ''`); live == "" {
			t.Fatal("the pause note is not in a polite live region")
		}
		audit(t, page, axe, "prompt (pause)")
		afterPause(t, page)
		// The wake is announced once; the countdown never was.
		live := eval[[]string](t, page, `window.__live`)
		if len(live) == 0 || len(live) > 2 || !strings.Contains(live[len(live)-1], "awake") {
			t.Fatalf("live regions said %q during the pause; want one polite note that the choices are awake", live)
		}
		audit(t, page, axe, "prompt (choices)")

		// Keyboard alone: the choices take focus; Tab to "I need it".
		for i := 0; i < 5 && eval[string](t, page, `document.activeElement.id`) != "need"; i++ {
			press(t, page, kb.Tab)
		}
		if got := eval[string](t, page, `document.activeElement.id`); got != "need" {
			t.Fatalf("Tab reached %q, not the need choice", got)
		}
		press(t, page, kb.Enter)
		poll[bool](t, page, "the need form with the purpose focused", `document.querySelector('#prompt').dataset.phase === 'need' && document.activeElement.id === 'purpose'`, 5*time.Second)
		audit(t, page, axe, "prompt (need form)")
		press(t, page, "Check the news")
		for i := 0; i < 10 && eval[string](t, page, `document.activeElement.name`) != "timebox"; i++ {
			press(t, page, kb.Tab)
		}
		press(t, page, kb.ArrowRight) // 15 → 30 minutes
		if got := eval[string](t, page, `document.querySelector('input[name="timebox"]:checked').value`); got != "30" {
			t.Fatalf("the arrow key chose the %s min box, want 30", got)
		}
		for i := 0; i < 5 && eval[string](t, page, `document.activeElement.id`) != "open"; i++ {
			press(t, page, kb.Tab)
		}
		press(t, page, kb.Enter)
		poll[bool](t, page, "the feed to load", `location.hostname === 'www.reddit.com'`, 15*time.Second)
		waitFor(t, "the need to be stored", 20*time.Second, func() bool {
			ps := prompts(d, "reddit")
			return len(ps) == 1 && ps[0].Answer == "need" && ps[0].Purpose == "Check the news" && ps[0].TimeboxMinutes != nil && *ps[0].TimeboxMinutes == 30
		})
	})

	t.Run("break page", func(t *testing.T) {
		d.cli("break", "start", "--for", "1h", "--name", "Focus")
		page := tab(t, browser)
		navigateRedirected(t, page, "https://x.com/home")
		onBreakPage(t, page, 15*time.Second)
		for _, scheme := range []string{"light", "dark"} {
			do(t, page, colorScheme(scheme))
			audit(t, page, axe, "break ("+scheme+")")
		}
	})

	t.Run("popup and options", func(t *testing.T) {
		for _, p := range []string{"popup/popup.html", "options/options.html"} {
			page := tab(t, browser)
			do(t, page, chromedp.Navigate(extOrigin+"/src/pages/"+p), chromedp.WaitReady("body"))
			poll[bool](t, page, p+" to render", `document.readyState === 'complete'`, 10*time.Second)
			for _, scheme := range []string{"light", "dark"} {
				do(t, page, colorScheme(scheme))
				audit(t, page, axe, p+" ("+scheme+")")
			}
		}
	})

	t.Run("dashboard", func(t *testing.T) {
		// Something on each page: a scheduled break with its forms, a
		// feed that is off.
		d.cli("schedule", "add", "--weekly", "weekdays 21:00", "07:00", "--name", "Evenings")
		d.cli("feeds", "disable", "tiktok")
		page := tab(t, browser)
		link := strings.TrimSpace(string(d.cli("dashboard", "--print")))
		do(t, page, chromedp.Navigate(link))
		poll[bool](t, page, "the dashboard", `location.pathname === '/today'`, 15*time.Second)
		for _, p := range dashboardPageNames {
			do(t, page, chromedp.Navigate("http://"+addr+"/"+p), chromedp.WaitReady("main"))
			for _, scheme := range []string{"light", "dark"} {
				do(t, page, colorScheme(scheme))
				audit(t, page, axe, "dashboard /"+p+" ("+scheme+")")
			}
		}
	})
}

// dashboardPageNames are the dashboard's pages (`mindful dashboard --page`).
var dashboardPageNames = []string{"today", "history", "breaks", "feeds", "settings", "data"}
