package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkChromiumPrompt measures, in a real Chromium with the extension
// and a paired daemon, the time from navigation start to the painted
// "Habit or need?" prompt (the prompt page's own clock against the
// navigation's start), and from an in-page route change to the overlay. It
// also checks, every time, that no request reached the feed.
func BenchmarkChromiumPrompt(b *testing.B) {
	j := startJourney(b, inChromium(b), nil)
	s := j.s
	waitPageRules(b, j.popup)
	page := j.b.newTab(b).(chromiumTab).ctx
	var nav, spa []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		do(b, page, chromedp.Navigate(fmt.Sprintf("https://www.reddit.com/?n=%d", i)))
		ms := poll[float64](b, page, "the prompt to paint", `Number(document.documentElement.dataset.shownMs || 0)`, 15*time.Second)
		nav = append(nav, ms)
		if n := s.requests("www.reddit.com"); n != 0 {
			b.Fatalf("%d requests reached the feed before an answer", n)
		}
		do(b, page, chromedp.Navigate(fmt.Sprintf("https://www.facebook.com/messages/t/%d", i)))
		poll[bool](b, page, "the messages page", `location.hostname === 'www.facebook.com' && document.readyState === 'complete'`, 15*time.Second)
		spa = append(spa, overlayMs(b, chromiumTab{page}))
	}
	b.StopTimer()
	report(b, "chromium-prompt-after-navigation", nav)
	report(b, "chromium-overlay-after-pushstate", spa)
	b.ReportMetric(float64(s.requests("www.reddit.com")), "feed-requests-before-answer")
	benchFeedRequests["chromium"] = s.requests("www.reddit.com")
}

// overlayMs runs overlayAfterPushState on a page that is not a feed.
func overlayMs(b *testing.B, p browserTab) float64 {
	b.Helper()
	ms := evalPage[float64](b, p, overlayAfterPushState)
	if ms < 0 {
		b.Fatal("overlay was there before the route change")
	}
	return ms
}

// benchResults holds the last sorted samples of each reported metric, for
// the per-browser table that BenchmarkFirefoxPrompt prints.
var benchResults = map[string][]float64{}

func report(b *testing.B, name string, ms []float64) {
	if len(ms) == 0 {
		return
	}
	slices.Sort(ms)
	benchResults[name] = ms
	b.ReportMetric(ms[len(ms)/2], name+"-p50-ms")
	b.ReportMetric(ms[len(ms)*9/10], name+"-p90-ms")
	b.ReportMetric(ms[len(ms)-1], name+"-max-ms")
	fmt.Printf("%s: n=%d p50=%.0fms p90=%.0fms min=%.0fms max=%.0fms\n", name, len(ms), ms[len(ms)/2], ms[len(ms)*9/10], ms[0], ms[len(ms)-1])
}

// BenchmarkChromiumBreak measures, in a real Chromium, the time from the
// `mindful break start` command to an already-open tab showing the break
// page, and from a new navigation to a blocked site to the break page. Each
// round ends the break early, which takes the daemon's 10 s wait, so the
// benchmark runs at most 5 rounds whatever b.N asks.
func BenchmarkChromiumBreak(b *testing.B) {
	s := startSites(b)
	d := startDaemon(b, freePort(b), filepath.Join(b.TempDir(), "data"))
	d.cli("prompts", "pause", "2h")
	d.cli("break", "settings", "--early-ends-per-week", "50")
	browser := startChromium(b, s)
	popup := pairChromium(b, d, browser)
	waitState(b, popup, "the prompt pause to reach the extension", `!!st.prompts_paused_until`)
	open := tab(b, browser)
	page := tab(b, browser)
	var switchMs, blockMs []float64
	rounds := min(b.N, 5)
	b.ResetTimer()
	for i := 0; i < rounds; i++ {
		do(b, open, chromedp.Navigate(fmt.Sprintf("https://www.reddit.com/r/golang/comments/%d/x/", i)))
		poll[bool](b, open, "reddit to load", `location.hostname === 'www.reddit.com'`, 15*time.Second)
		t0 := time.Now()
		d.cli("break", "start", "--for", "15m")
		pollFast(b, open, `location.href.startsWith('`+breakPage+`')`, 15*time.Second)
		switchMs = append(switchMs, float64(time.Since(t0).Microseconds())/1000)

		t1 := time.Now()
		do(b, page, chromedp.Navigate(fmt.Sprintf("https://www.reddit.com/?b=%d", i)))
		pollFast(b, page, `location.href.startsWith('`+breakPage+`')`, 15*time.Second)
		blockMs = append(blockMs, float64(time.Since(t1).Microseconds())/1000)

		b.StopTimer()
		d.cli("break", "stop", "--reason", "benchmark round over")
		waitFor(b, "the break to end", 30*time.Second, func() bool { return !d.status().Break.Active })
		// Both tabs go back to their sites by themselves; then the second
		// one leaves for a site that is never blocked.
		for _, tb := range []context.Context{open, page} {
			poll[bool](b, tb, "the tab to leave the break page", `!location.href.startsWith('`+breakPage+`')`, 15*time.Second)
		}
		do(b, page, chromedp.Navigate("http://plain.test/"))
		b.StartTimer()
	}
	b.StopTimer()
	report(b, "chromium-break-start-to-open-tab-switched", switchMs)
	report(b, "chromium-navigation-to-break-page", blockMs)
}

// pollFast is poll with a 10 ms interval, for latency measurements.
func pollFast(tb testing.TB, ctx context.Context, expr string, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s: %v", expr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
