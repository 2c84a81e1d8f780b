package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// launchRuns is how many relaunches each case of the launch table gets.
const launchRuns = 10

// launchRow is one line of the launch table.
type launchRow struct {
	browser, name string
	requests      int       // requests that reached the site, over all runs
	missed        []string  // runs whose page was not shown within a minute: where the tab was
	answer        []float64 // launch → the browser answers (the navigation is sent), ms
	visible       []float64 // launch → the prompt / break page (or the site) is shown, ms
}

var (
	launchMu    sync.Mutex
	launchTable []launchRow
	launchDone  = map[string]bool{}
)

// benchLaunch runs the launch table's cases for one browser, launchRuns
// relaunches each, on one kept profile and one daemon. Go calls a benchmark
// more than once (b.N = 1, then -benchtime): the table is made once.
func benchLaunch(b *testing.B, browser string, mk func(*sites) launchDriver) {
	launchMu.Lock()
	done := launchDone[browser]
	launchDone[browser] = true
	launchMu.Unlock()
	if done {
		return
	}
	s := startSites(b)
	addr := freePort(b)
	d := startDaemon(b, addr, filepath.Join(b.TempDir(), "data"))
	drv := mk(s)
	drv.start(b, false)
	drv.pair(b, d)
	origin := drv.origin()
	prompt := `location.href.startsWith('` + origin + `/src/pages/prompt/prompt.html') && !!document.querySelector('#prompt')?.dataset.feed`
	breakOn := `location.href.startsWith('` + origin + `/src/pages/break/break.html') && document.querySelector('#break')?.dataset.state === 'on'`

	type kase struct {
		name, url, host, shown string
		stop                   func(testing.TB)
	}
	run := func(k kase) {
		row := launchRow{browser: browser, name: k.name}
		for i := 0; i < launchRuns; i++ {
			k.stop(b)
			before := s.requests(k.host)
			t0 := time.Now()
			drv.start(b, false)
			row.answer = append(row.answer, ms(time.Since(t0)))
			tab := drv.open(b, fmt.Sprintf(k.url, i))
			deadline := time.Now().Add(time.Minute)
			for !tab.check(k.shown) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if !tab.check(k.shown) {
				row.missed = append(row.missed, tab.summary())
				b.Logf("%s %s run %d: not shown within a minute; the tab: %s", browser, k.name, i, row.missed[len(row.missed)-1])
			} else {
				row.visible = append(row.visible, ms(time.Since(t0)))
			}
			row.requests += s.requests(k.host) - before
		}
		slices.Sort(row.answer)
		slices.Sort(row.visible)
		launchMu.Lock()
		launchTable = append(launchTable, row)
		launchMu.Unlock()
		if len(row.visible) > 0 {
			b.ReportMetric(row.visible[len(row.visible)/2], browser+"-"+strings.ReplaceAll(k.name, " ", "-")+"-visible-ms-p50")
		}
	}
	run(kase{name: "quit, feed", url: "https://www.reddit.com/?n=%d", host: "www.reddit.com", shown: prompt, stop: drv.quit})
	run(kase{name: "kill, feed", url: "https://www.youtube.com/?n=%d", host: "www.youtube.com", shown: prompt, stop: drv.kill})
	drv.quit(b)
	d.cli("break", "start", "--for", "1h", "--name", "Bench")
	drv.start(b, false)
	run(kase{name: "quit, break site (break started while closed)", url: "https://x.com/some/page/%d", host: "x.com", shown: breakOn, stop: drv.quit})
	run(kase{name: "kill mid-break, break site", url: "https://www.facebook.com/groups/%d/", host: "www.facebook.com", shown: breakOn, stop: drv.kill})
	drv.quit(b)
	d.cli("break", "stop", "--reason", "the bench goes on")
	drv.start(b, false)
	run(kase{name: "break ended while closed: the site (gate cost)", url: "https://x.com/after/%d", host: "x.com",
		shown: `location.hostname === 'x.com' && document.readyState === 'complete'`, stop: drv.quit})
	drv.quit(b)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkLaunchChromium and BenchmarkLaunchFirefox make the launch table
// (docs/enforcement.md): per case, launchRuns relaunches on a kept profile,
// the requests that reached the site, the time from launch until the
// browser answers (the navigation is sent then, and enforced from it), and
// until the prompt or break page (or, after a break, the site) is shown.
func BenchmarkLaunchChromium(b *testing.B) {
	chromiumPath(b)
	profile := filepath.Join(b.TempDir(), "profile")
	benchLaunch(b, "chromium", func(s *sites) launchDriver { return &chromiumLaunch{s: s, profile: profile} })
	printLaunchTable()
}

func BenchmarkLaunchFirefox(b *testing.B) {
	firefoxPath(b)
	profile := b.TempDir()
	benchLaunch(b, "firefox", func(s *sites) launchDriver { return &firefoxLaunch{s: s, profile: profile} })
	printLaunchTable()
}

// printLaunchTable prints the rows made so far.
func printLaunchTable() {
	launchMu.Lock()
	defer launchMu.Unlock()
	fmt.Printf("\nlaunch table (%d relaunches per row; ms from launch, p50 / max)\n", launchRuns)
	fmt.Printf("%-9s %-48s %9s %15s %15s %7s\n", "browser", "case", "requests", "browser answers", "page shown", "missed")
	for _, r := range launchTable {
		vis := "      -"
		if len(r.visible) > 0 {
			vis = fmt.Sprintf("%7.0f / %5.0f", r.visible[len(r.visible)/2], r.visible[len(r.visible)-1])
		}
		fmt.Printf("%-9s %-48s %9d %7.0f / %5.0f %s %7d\n", r.browser, r.name, r.requests,
			r.answer[len(r.answer)/2], r.answer[len(r.answer)-1], vis, len(r.missed))
	}
	fmt.Println()
}
