package e2e

import (
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
	s := startSites(b)
	d := startDaemon(b, freePort(b), filepath.Join(b.TempDir(), "data"))
	browser := startChromium(b, s)
	popup := pairChromium(b, d, browser)
	waitRules(b, popup)
	page := tab(b, browser)
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
		spa = append(spa, eval[float64](b, page, `new Promise(resolve => {
			const t0 = performance.now();
			const seen = () => document.getElementById('mindful-overlay');
			new MutationObserver((_, obs) => { if (seen()) { obs.disconnect(); resolve(performance.now() - t0); } })
				.observe(document.documentElement, {childList: true, subtree: true});
			history.pushState({}, '', '/');
			if (seen()) resolve(performance.now() - t0);
		})`))
	}
	b.StopTimer()
	report(b, "chromium-prompt-after-navigation", nav)
	report(b, "chromium-overlay-after-pushstate", spa)
	b.ReportMetric(float64(s.requests("www.reddit.com")), "feed-requests-before-answer")
}

func report(b *testing.B, name string, ms []float64) {
	if len(ms) == 0 {
		return
	}
	slices.Sort(ms)
	b.ReportMetric(ms[len(ms)/2], name+"-p50-ms")
	b.ReportMetric(ms[len(ms)*9/10], name+"-p90-ms")
	b.ReportMetric(ms[len(ms)-1], name+"-max-ms")
	fmt.Printf("%s: n=%d p50=%.0fms p90=%.0fms min=%.0fms max=%.0fms\n", name, len(ms), ms[len(ms)/2], ms[len(ms)*9/10], ms[0], ms[len(ms)-1])
}
