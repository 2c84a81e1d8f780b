package e2e

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkFirefoxPrompt is BenchmarkChromiumPrompt in a real Firefox: the
// time from navigation start to the painted "Habit or need?" prompt (the
// prompt page's own clock, as in Chromium, and the wall clock from the
// navigate command to the page seen painted), and from an in-page route
// change to the overlay. It checks, every time, that no request reached
// the feed, and prints the two browsers side by side when both ran.
func BenchmarkFirefoxPrompt(b *testing.B) {
	j := startJourney(b, inFirefox(b), nil)
	s := j.s
	waitPageRules(b, j.popup)
	page := j.b.newTab(b).(firefoxTab).p
	f := page.f
	var nav, wall, spa []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		page.navSeq++
		mark := fmt.Sprintf("bench-%d", page.navSeq)
		ffEval[any](b, page, `window.__mindfulNav = '`+mark+`'`)
		t0 := time.Now()
		if err := f.call("browsingContext.navigate", map[string]any{"context": page.id, "url": fmt.Sprintf("https://www.reddit.com/?n=%d", i), "wait": "none"}, nil); err != nil {
			b.Fatal(err)
		}
		ffPollFast(b, page, `window.__mindfulNav !== '`+mark+`' && location.href.startsWith('`+ffPromptPage+`') && !!document.documentElement.dataset.shownMs`, 15*time.Second)
		wall = append(wall, float64(time.Since(t0).Microseconds())/1000)
		nav = append(nav, ffEval[float64](b, page, `Number(document.documentElement.dataset.shownMs)`))
		if n := s.requests("www.reddit.com"); n != 0 {
			b.Fatalf("%d requests reached the feed before an answer", n)
		}
		page.navigate(b, fmt.Sprintf("https://www.facebook.com/messages/t/%d", i))
		ffPoll[bool](b, page, "the messages page", `location.hostname === 'www.facebook.com' && document.readyState === 'complete'`, 15*time.Second)
		spa = append(spa, overlayMs(b, firefoxTab{page}))
	}
	b.StopTimer()
	report(b, "firefox-prompt-after-navigation", nav)
	report(b, "firefox-prompt-after-navigation-wall", wall)
	report(b, "firefox-overlay-after-pushstate", spa)
	b.ReportMetric(float64(s.requests("www.reddit.com")), "feed-requests-before-answer")
	benchFeedRequests["firefox"] = s.requests("www.reddit.com")
	if b.N > 1 { // not after the 1-round probe that precedes the real run
		sideBySide()
	}
}

// ffPollFast is ffPoll with a 10 ms interval, for latency measurements.
func ffPollFast(b testing.TB, p *ffTab, expr string, timeout time.Duration) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := ffTry[bool](p, expr)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s: %v", expr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// benchFeedRequests is, per browser, how many requests reached the feed
// before an answer in its last prompt benchmark.
var benchFeedRequests = map[string]int{}

// sideBySide prints the per-browser prompt numbers in one table.
func sideBySide() {
	fmt.Printf("\n%-9s %-34s %6s %6s %6s %6s  %s\n", "browser", "metric", "n", "p50", "p90", "max", "feed requests before the answer")
	for _, br := range []string{"chromium", "firefox"} {
		for _, m := range []string{"-prompt-after-navigation", "-prompt-after-navigation-wall", "-overlay-after-pushstate"} {
			ms, ok := benchResults[br+m]
			if !ok {
				continue
			}
			reqs := "-"
			if m == "-prompt-after-navigation" {
				if n, ok := benchFeedRequests[br]; ok {
					reqs = fmt.Sprint(n)
				}
			}
			fmt.Printf("%-9s %-34s %6d %4.0fms %4.0fms %4.0fms  %s\n", br, m[1:], len(ms), ms[len(ms)/2], ms[len(ms)*9/10], ms[len(ms)-1], reqs)
		}
	}
	fmt.Println()
}
