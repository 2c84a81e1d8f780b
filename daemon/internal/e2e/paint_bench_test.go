package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The paint benchmark (issue 19): in one run and one browser, the first
// paint of what a tab shows when it opens a feed, for
//
//   - reference: a minimal extension the benchmark builds itself, whose one
//     dynamic declarativeNetRequest rule redirects the feed to a bare HTML
//     page (the browser's floor for this mechanism);
//   - mindful:   the extension under test, unpaired, prompting from its
//     built-in catalog (what it does before and without the daemon);
//   - bare site: no extension, the site's own page.
//
// Each run launches each of the three in a fresh profile, in an order that
// rotates from run to run (interleaved, so the machine's load falls on all
// three alike). In each launch the first tab (cold: nothing of the page has
// run in this browser yet) and then a second tab (warm) open the feed, and,
// in every config two more tabs open a page of the same host that is not a
// feed (a post), where mindful must cost next to nothing (the reference
// there is what any extension with request rules on that host costs).
//
// Tabs stay open: closing one sets mindful's background to work (a prompt
// left unanswered is recorded) just as the next tab loads, which no person
// does. In headless Chromium every tab is a window of its own and stays
// visible, so the cold tab's prompt goes on breathing while the warm tab
// loads; in Firefox the tabs share a window and the earlier one is hidden.
//
// Times are the page's own: first contentful paint (the paint timing
// entry) and visible text (the last largest-contentful-paint entry: the
// main text drawn), both from the document's time origin, and the same two
// from the moment the driver sent the navigation (the time origin moved by
// the wall clock), which also counts the redirect before the document.

const (
	paintRef     = "reference"
	paintMindful = "mindful"
	paintBare    = "bare site"
	// paintDiag (MINDFUL_PAINT_DIAG=1) is mindful with its prompt page
	// replaced by the reference's bare page: what the extension around the
	// page costs, apart from the page itself.
	paintDiag = "mindful, bare page"

	paintFeedURL = "https://www.reddit.com/"
	// paintPostURL is a page of the feed host that is not a feed.
	paintPostURL = "https://www.reddit.com/r/golang/comments/abc123/a_post/"
	paintRuns    = 10
)

var paintConfigs = []string{paintMindful, paintRef, paintBare}

// paintVariant is a diagnostic copy of mindful's build with some files
// replaced: MINDFUL_PAINT_VARIANTS="name=dir,…" adds, in both browsers, the
// config "mindful+name", mindful's build with the files under dir laid over
// it (dir holds paths relative to the extension's root). It tells what a
// change would cost or save before it is made.
type paintVariant struct{ name, dir string }

func paintVariants() []paintVariant {
	var vs []paintVariant
	for _, kv := range strings.Split(os.Getenv("MINDFUL_PAINT_VARIANTS"), ",") {
		if name, dir, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && name != "" {
			vs = append(vs, paintVariant{"mindful+" + name, dir})
		}
	}
	return vs
}

// paintConfigsFor is paintConfigs, with paintDiag when MINDFUL_PAINT_DIAG
// is set, and the variants.
func paintConfigsFor(string) []string {
	cs := slices.Clone(paintConfigs)
	if os.Getenv("MINDFUL_PAINT_DIAG") != "" {
		cs = append(cs, paintDiag)
	}
	for _, v := range paintVariants() {
		cs = append(cs, v.name)
	}
	return cs
}

// isMindful tells the configs that are mindful or a copy of it.
func isMindful(cfg string) bool {
	return cfg == paintMindful || cfg == paintDiag || strings.HasPrefix(cfg, "mindful+")
}

// paintBuilds makes the unpacked builds of the diagnostic configs from
// mindful's build ext and the reference ref: cfg → directory.
func paintBuilds(tb testing.TB, ext, ref string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	copyExt := func(name string) string {
		dir := filepath.Join(tb.TempDir(), "variant")
		if err := os.CopyFS(dir, os.DirFS(ext)); err != nil {
			tb.Fatal(err)
		}
		out[name] = dir
		return dir
	}
	if os.Getenv("MINDFUL_PAINT_DIAG") != "" {
		dir := copyExt(paintDiag)
		page, err := os.ReadFile(filepath.Join(ref, "interstitial.html"))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "src/pages/prompt/prompt.html"), page, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for _, v := range paintVariants() {
		dir := copyExt(v.name)
		// os.CopyFS refuses to overwrite, so lay the files over one by one.
		err := filepath.WalkDir(v.dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(v.dir, path)
			body, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, rel), body, 0o644)
		})
		if err != nil {
			tb.Fatalf("variant %s: %v", v.name, err)
		}
	}
	return out
}

// paintSample is one page load, in ms.
type paintSample struct {
	Href    string  `json:"href"`
	Origin  float64 `json:"origin"` // performance.timeOrigin, ms since the epoch
	FCP     float64 `json:"fcp"`
	Text    float64 `json:"text"`
	LCPText string  `json:"lcpText"`
	// From the navigate command rather than the document's time origin.
	FCPCmd, TextCmd float64
}

// paintRead reads the page's paint entries once first contentful paint is
// known (null before).
const paintRead = `new Promise(resolve => {
	const fcp = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
	if (!fcp) { resolve(null); return; }
	let lcp = null;
	try {
		new PerformanceObserver(l => { for (const e of l.getEntries()) lcp = e; }).observe({type: 'largest-contentful-paint', buffered: true});
	} catch (_) {}
	setTimeout(() => resolve({
		href: location.href, origin: performance.timeOrigin, fcp: fcp.startTime,
		text: lcp ? lcp.startTime : fcp.startTime,
		lcpText: lcp && lcp.element ? lcp.element.textContent.trim().slice(0, 60) : '(no largest-contentful-paint entry)',
	}), 100);
})`

// refExtension writes the reference extension for browser ("chrome" or
// "firefox") and returns its directory.
func refExtension(tb testing.TB, browser string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "reference-"+browser)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	m := map[string]any{
		"manifest_version": 3,
		"name":             "reference interstitial",
		"version":          "1.0",
		"permissions":      []string{"declarativeNetRequestWithHostAccess"},
		"host_permissions": []string{"*://www.reddit.com/*"},
		"web_accessible_resources": []any{map[string]any{
			"resources": []string{"interstitial.html"}, "matches": []string{"<all_urls>"},
		}},
	}
	if browser == "firefox" {
		m["background"] = map[string]any{"scripts": []string{"bg.js"}}
		m["browser_specific_settings"] = map[string]any{"gecko": map[string]any{"id": paintRefGeckoID}}
	} else {
		m["background"] = map[string]any{"service_worker": "bg.js"}
	}
	raw, _ := json.MarshalIndent(m, "", "  ")
	files := map[string]string{
		"manifest.json": string(raw),
		// The feed's home page only, like mindful's rule for it.
		"bg.js": `const api = globalThis.browser ?? globalThis.chrome;
api.declarativeNetRequest.updateDynamicRules({removeRuleIds: [1], addRules: [{
  id: 1, priority: 1,
  action: {type: 'redirect', redirect: {extensionPath: '/interstitial.html'}},
  condition: {regexFilter: '^https?://www\\.reddit\\.com/?(\\?.*)?$', resourceTypes: ['main_frame']},
}]});
`,
		"interstitial.html": `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Habit or need?</title></head>
<body><h1>Habit or need?</h1><p>You are about to open reddit.</p></body></html>
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

const (
	paintRefGeckoID = "reference@mindful.test"
	paintRefUUID    = "0d6c2f4e-5b7a-4e8e-9c1d-3f2a1b0c9d8e"
)

// paintPages serves a post page with a little more than the default: a
// header, some text and a script, like a real one without its weight.
func paintPages(s *sites) {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>a post</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto}</style></head><body>
<header><h1>A post about Go</h1></header><main>`)
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "<p>Comment %d: the quick brown fox jumps over the lazy dog, and the benchmark reads when this was painted.</p>\n", i)
	}
	b.WriteString(`</main><script>window.loadedAt = performance.now();</script></body></html>`)
	s.setPage("www.reddit.com/r/golang/comments/abc123/a_post/", b.String())
}

// paintLoader opens a new tab in one launched browser and loads url there,
// until the page at want has painted.
type paintLoader func(b *testing.B, url, want string) paintSample

// paintTable holds samples per config and kind ("feed cold", …).
type paintTable map[string]map[string][]float64

func (pt paintTable) add(cfg, kind string, v float64) {
	if pt[cfg] == nil {
		pt[cfg] = map[string][]float64{}
	}
	pt[cfg][kind] = append(pt[cfg][kind], v)
}

// runPaint runs the interleaved runs; launch starts one browser for cfg and
// returns its loader and a function that ends it.
func runPaint(b *testing.B, s *sites, browserName string, runs int, launch func(cfg string) (paintLoader, func())) paintTable {
	pt := paintTable{}
	configs := paintConfigsFor(browserName)
	for i := 0; i < runs; i++ {
		for k := range configs {
			cfg := configs[(i+k)%len(configs)]
			load, stop := launch(cfg)
			feedWant := "-extension://"
			if cfg == paintBare {
				feedWant = paintFeedURL
			}
			before := s.requests("www.reddit.com")
			for _, kind := range []string{"cold", "warm"} {
				u := paintFeedURL
				if kind == "warm" {
					u += fmt.Sprintf("?w=%d", i)
				}
				sm := load(b, u, feedWant)
				pt.add(cfg, "feed "+kind+" fcp", sm.FCP)
				pt.add(cfg, "feed "+kind+" text", sm.Text)
				pt.add(cfg, "feed "+kind+" fcp cmd", sm.FCPCmd)
				pt.add(cfg, "feed "+kind+" text cmd", sm.TextCmd)
				if i == 0 {
					b.Logf("%s %s %s: %s fcp=%.0f text=%.0f (%q) from command: fcp=%.0f text=%.0f", browserName, cfg, kind, sm.Href, sm.FCP, sm.Text, sm.LCPText, sm.FCPCmd, sm.TextCmd)
				}
			}
			if cfg != paintBare {
				if n := s.requests("www.reddit.com") - before; n != 0 {
					b.Fatalf("%s %s: %d requests reached the feed", browserName, cfg, n)
				}
			}
			for j := 0; j < 2; j++ {
				sm := load(b, fmt.Sprintf("%s?p=%d", paintPostURL, j), paintPostURL)
				pt.add(cfg, "post fcp", sm.FCP)
				pt.add(cfg, "post text", sm.Text)
			}
			stop()
		}
	}
	return pt
}

// stat is "median (min–max)" of ms, and the median.
func stat(ms []float64) (string, float64) {
	if len(ms) == 0 {
		return "-", 0
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return fmt.Sprintf("%.0f ms (%.0f–%.0f)", med, s[0], s[len(s)-1]), med
}

// printPaint prints the feed table (with the ratio to the reference) and
// the post table (with the ratio to the bare site) as Markdown.
func printPaint(browserName string, runs int, pt paintTable) {
	fmt.Printf("\n%s, %d interleaved runs per cell, median (min–max), ratio of medians to the reference:\n\n", browserName, runs)
	for _, origin := range []string{"", " cmd"} {
		what := "from the document's time origin"
		if origin != "" {
			what = "from the navigate command"
		}
		fmt.Printf("| %s: %s | FCP cold | text cold | FCP warm | text warm |\n|---|---|---|---|---|\n", browserName, what)
		for _, cfg := range paintConfigsFor(browserName) {
			row := "| " + cfg + " |"
			for _, kind := range []string{"feed cold fcp", "feed cold text", "feed warm fcp", "feed warm text"} {
				txt, med := stat(pt[cfg][kind+origin])
				_, ref := stat(pt[paintRef][kind+origin])
				if ref > 0 {
					txt += fmt.Sprintf(" **%.2f×**", med/ref)
				}
				row += " " + txt + " |"
			}
			fmt.Println(row)
		}
		fmt.Println()
	}
	fmt.Printf("| %s: a post on the feed's host | FCP | text |\n|---|---|---|\n", browserName)
	for _, cfg := range append([]string{paintBare}, slices.DeleteFunc(paintConfigsFor(browserName), func(c string) bool { return c == paintBare })...) {
		row := "| " + cfg + " |"
		for _, kind := range []string{"post fcp", "post text"} {
			txt, med := stat(pt[cfg][kind])
			_, bare := stat(pt[paintBare][kind])
			if bare > 0 {
				txt += fmt.Sprintf(" **%+.1f %%**", (med/bare-1)*100)
			}
			row += " " + txt + " |"
		}
		fmt.Println(row)
	}
	fmt.Println()
}

// paintRunCount is how many interleaved runs a benchmark makes, whatever
// b.N (each run launches three browsers or more): paintRuns, or
// MINDFUL_PAINT_RUNS if set. The runs are made once per process, at the
// framework's first call (b.N is 1): -benchtime 1x, 2x or 20x all make one
// table, and a later call with a larger b.N makes none (0).
func paintRunCount(b *testing.B) int {
	paintDone.Lock()
	defer paintDone.Unlock()
	if paintDone.m[b.Name()] {
		return 0
	}
	paintDone.m[b.Name()] = true
	if n, err := strconv.Atoi(os.Getenv("MINDFUL_PAINT_RUNS")); err == nil && n > 0 {
		return n
	}
	return paintRuns
}

var paintDone = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

// paintChromiumFlags turn off, for the paint benchmark, the omnibox popup
// that headless Chromium builds as a WebUI page (in a renderer of its own,
// with hundreds of module scripts) for every tab the benchmark opens: in
// headless mode every tab is a window of its own, with an omnibox of its
// own, so that page loaded next to every measured one and took a core for
// 100–160 ms of the 2 (a trace shows it). In a browser a person uses, a
// tab opened in a window has no such cost. The flag replaces
// launchChromium's disable-features, so it repeats those.
var paintChromiumFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("disable-features", "HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"),
}

// BenchmarkChromiumPaint: the paint comparison in a real Chromium.
func BenchmarkChromiumPaint(b *testing.B) {
	s := startSites(b)
	paintPages(s)
	ref := refExtension(b, "chrome")
	builds := paintBuilds(b, extDir, ref)
	runs := paintRunCount(b)
	b.ResetTimer()
	traceDir := os.Getenv("MINDFUL_PAINT_TRACE")
	launches := map[string]int{}
	pt := runPaint(b, s, "Chromium", runs, func(cfg string) (paintLoader, func()) {
		dir := map[string]string{paintRef: ref, paintMindful: extDir, paintBare: ""}[cfg]
		if d, ok := builds[cfg]; ok {
			dir = d
		}
		browser, stop := launchChromium(b, s, dir, paintChromiumFlags...)
		if dir != "" {
			chromiumRulesReady(b, browser, isMindful(cfg))
		}
		if traceDir != "" {
			// A trace of the whole browser from here to the browser's end.
			n := launches[cfg]
			launches[cfg]++
			end := chromiumTrace(b, browser, filepath.Join(traceDir, fmt.Sprintf("%s-%d.json", strings.ReplaceAll(cfg, " ", "_"), n)))
			stopBrowser := stop
			stop = func() { end(); stopBrowser() }
		}
		return func(b *testing.B, url, want string) paintSample {
			page := tab(b, browser)
			t0 := float64(time.Now().UnixMicro()) / 1000
			do(b, page, chromedp.Navigate(url))
			return pollPaint(b, want, t0, func() (*paintSample, error) {
				c, cancel := context.WithTimeout(page, 5*time.Second)
				defer cancel()
				return chromedp.Run(c, chromedp.Evaluate[*paintSample](paintRead, chromedp.EvalAwaitPromise))
			})
		}, stop
	})
	b.StopTimer()
	if runs > 0 {
		printPaint("Chromium", runs, pt)
	}
}

// chromiumRulesReady waits until the extension's service worker has its
// redirect rule in place, asking the worker itself (not one of the
// extension's pages, which would warm the page the benchmark measures).
// With decided, it also waits until mindful's background has decided and
// lifted its launch gate (the session rule rulesync.js calls the lift;
// docs/enforcement.md): the benchmark measures a browser past its launch
// window, where a page of a feed host that is not a feed goes straight
// through (in the window it takes the gate's hop).
func chromiumRulesReady(b *testing.B, browser context.Context, decided bool) {
	b.Helper()
	var sw context.Context
	waitFor(b, "the extension's redirect rule", 30*time.Second, func() bool {
		if sw == nil {
			targets, err := chromedp.Targets(browser)
			if err != nil {
				return false
			}
			for _, t := range targets {
				if t.Type == "service_worker" && strings.HasPrefix(t.URL, "chrome-extension://") {
					// Attach with a context without a deadline: the
					// first Run's context holds the attachment.
					c, _ := chromedp.NewContext(browser, chromedp.WithTargetID(t.TargetID))
					if chromedp.Do(c) == nil {
						sw = c
					}
					break
				}
			}
			if sw == nil {
				return false
			}
		}
		c, cancel := context.WithTimeout(sw, 5*time.Second)
		defer cancel()
		expr := `chrome.declarativeNetRequest.getDynamicRules().then(r => r.some(x => x.action.type === 'redirect'))`
		if decided {
			// 6000000: LIFT_ID in extension/src/background/rulesync.js.
			expr = `Promise.all([chrome.declarativeNetRequest.getDynamicRules(), chrome.declarativeNetRequest.getSessionRules()]).then(([d, s]) => d.some(x => x.action.type === 'redirect') && s.some(x => x.id === 6000000))`
		}
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		if err != nil && os.Getenv("MINDFUL_PAINT_DEBUG") != "" {
			b.Logf("rules: %v", err)
		}
		return err == nil && ok
	})
}

// BenchmarkFirefoxPaint: the paint comparison in a real Firefox.
func BenchmarkFirefoxPaint(b *testing.B) {
	s := startSites(b)
	paintPages(s)
	ref := refExtension(b, "firefox")
	builds := paintBuilds(b, firefoxExt(b), ref)
	runs := paintRunCount(b)
	b.ResetTimer()
	pt := runPaint(b, s, "Firefox", runs, func(cfg string) (paintLoader, func()) {
		opt := ffOptions{Without: cfg != paintMindful}
		if cfg == paintRef {
			opt.ExtraUUIDs = map[string]string{paintRefGeckoID: paintRefUUID}
		}
		f := startFirefox(b, s, opt)
		if cfg == paintRef {
			if id := f.install(ref); id != paintRefGeckoID {
				b.Fatalf("installed the reference as %q", id)
			}
		}
		if dir, ok := builds[cfg]; ok {
			if id := f.install(dir); id != ffExtID {
				b.Fatalf("installed %s as %q", cfg, id)
			}
		}
		if cfg == paintRef {
			firefoxRulesReady(b, f, paintRefUUID)
		} else if cfg != paintBare {
			firefoxRulesReady(b, f, ffUUID)
		}
		firefoxPastLaunch(b, f)
		return func(b *testing.B, url, want string) paintSample {
			page := f.tab(b)
			t0 := float64(time.Now().UnixMicro()) / 1000
			if err := f.call("browsingContext.navigate", map[string]any{"context": page.id, "url": url, "wait": "none"}, nil); err != nil {
				b.Fatal(err)
			}
			return pollPaint(b, want, t0, func() (*paintSample, error) {
				return ffTry[*paintSample](page, paintRead)
			})
		}, f.stop
	})
	b.StopTimer()
	if runs > 0 {
		printPaint("Firefox", runs, pt)
	}
}

// firefoxRulesReady waits until the add-on with this uuid has stored its
// dynamic rules in the profile (Firefox writes them to
// extension-dnr/<uuid>.json.lz4 once they are in force). BiDi cannot reach
// an add-on's background, and asking one of its pages would warm the page
// the benchmark measures.
func firefoxRulesReady(b *testing.B, f *firefox, uuid string) {
	b.Helper()
	path := filepath.Join(f.profile, "extension-dnr", uuid+".json.lz4")
	waitFor(b, "the add-on's stored request rules ("+path+")", 30*time.Second, func() bool {
		st, err := os.Stat(path)
		return err == nil && st.Size() > 0
	})
}

// paintProbeURL is a page of a feed host that is neither a feed nor a page
// the benchmark measures.
const paintProbeURL = "https://old.reddit.com/r/golang/comments/probe/"

// firefoxPastLaunch waits, in every config alike, until a page of a feed
// host that is not a feed loads as itself: until then mindful's launch gate
// holds such pages (docs/enforcement.md), and its background decides on
// the extension process's main thread, the prompt page's own. WebDriver
// BiDi cannot ask the background (Chromium's benchmark asks the service
// worker for the lift instead). A gate page that does not send the tab on
// by itself gets the probe again.
func firefoxPastLaunch(b *testing.B, f *firefox) {
	b.Helper()
	probe := f.tab(b)
	var sent time.Time
	waitFor(b, "a feed host's other pages to load as themselves (the end of the launch window)", 60*time.Second, func() bool {
		if href, err := ffTry[string](probe, `location.href`); err == nil && strings.HasPrefix(href, "https://old.reddit.com/") {
			return true
		}
		if time.Since(sent) > 2*time.Second {
			sent = time.Now()
			_ = f.call("browsingContext.navigate", map[string]any{"context": probe.id, "url": paintProbeURL, "wait": "none"}, nil)
		}
		return false
	})
}

// pollPaint reads until the tab is at want and has painted, and times the
// paint marks also from t0, when the navigate command was sent (ms).
func pollPaint(b *testing.B, want string, t0 float64, read func() (*paintSample, error)) paintSample {
	b.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last error
	var lastHref string
	for {
		sm, err := read()
		if err == nil && sm != nil && strings.Contains(sm.Href, want) {
			sm.FCPCmd = sm.Origin + sm.FCP - t0
			sm.TextCmd = sm.Origin + sm.Text - t0
			return *sm
		}
		if err == nil && sm != nil {
			lastHref = sm.Href
		}
		last = err
		if time.Now().After(deadline) {
			b.Fatalf("no paint of %s (last page %s): %v", want, lastHref, last)
		}
		time.Sleep(30 * time.Millisecond)
	}
}
