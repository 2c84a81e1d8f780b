package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
// MINDFUL_LAUNCH_ROWS, a regular expression, picks rows by name (each row
// sets up the state it needs).
func benchLaunch(b *testing.B, browser string, mk func(*sites) launchDriver) {
	launchMu.Lock()
	done := launchDone[browser]
	launchDone[browser] = true
	launchMu.Unlock()
	if done {
		return
	}
	pick := regexp.MustCompile(os.Getenv("MINDFUL_LAUNCH_ROWS"))
	s := startSites(b)
	s.setNoStore() // a restored tab reloads from the site, not from the cache
	addr := freePort(b)
	dataDir := filepath.Join(b.TempDir(), "data")
	d := startDaemon(b, addr, dataDir)
	// The bench ends many breaks early (2 a week by default).
	d.cli("break", "settings", "--early-ends-per-week", "50")
	drv := mk(s)
	drv.start(b, false)
	drv.pair(b, d)
	origin := drv.origin()
	prompt := `location.href.startsWith('` + origin + `/src/pages/prompt/prompt.html') && !!document.querySelector('#prompt')?.dataset.feed`
	breakOn := `location.href.startsWith('` + origin + `/src/pages/break/break.html') && document.querySelector('#break')?.dataset.state === 'on'`

	// running is whether the on-demand break "Bench" runs (known to the
	// running browser).
	running := false
	setBreak := func(on bool) {
		if running == on {
			return
		}
		drv.quit(b)
		if on {
			d.cli("break", "start", "--for", "1h", "--name", "Bench")
		} else {
			d.cli("break", "stop", "--reason", "the bench goes on")
		}
		running = on
		drv.start(b, false)
	}

	type kase struct {
		name, url, host, shown string
		stop                   func(testing.TB)
	}
	// record adds a finished row to the table.
	record := func(row launchRow) {
		slices.Sort(row.answer)
		slices.Sort(row.visible)
		launchMu.Lock()
		launchTable = append(launchTable, row)
		launchMu.Unlock()
		if len(row.visible) > 0 {
			b.ReportMetric(row.visible[len(row.visible)/2], browser+"-"+strings.ReplaceAll(row.name, " ", "-")+"-visible-ms-p50")
		}
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
		record(row)
	}
	rows := []struct {
		name string
		do   func(name string)
	}{
		{"quit, feed", func(name string) {
			setBreak(false)
			run(kase{name: name, url: "https://www.reddit.com/?n=%d", host: "www.reddit.com", shown: prompt, stop: drv.quit})
		}},
		{"kill, feed", func(name string) {
			setBreak(false)
			run(kase{name: name, url: "https://www.youtube.com/?n=%d", host: "www.youtube.com", shown: prompt, stop: drv.kill})
		}},
		{"quit, break site (break started while closed)", func(name string) {
			setBreak(false)
			setBreak(true)
			run(kase{name: name, url: "https://x.com/some/page/%d", host: "x.com", shown: breakOn, stop: drv.quit})
		}},
		{"kill mid-break, break site", func(name string) {
			setBreak(true)
			run(kase{name: name, url: "https://www.facebook.com/groups/%d/", host: "www.facebook.com", shown: breakOn, stop: drv.kill})
		}},
		{"break ended while closed: the site (gate cost)", func(name string) {
			setBreak(true)
			setBreak(false)
			run(kase{name: name, url: "https://x.com/after/%d", host: "x.com",
				shown: `location.hostname === 'x.com' && document.readyState === 'complete'`, stop: drv.quit})
		}},
		{"restored tabs after a quit (break started while closed, daemon up)", func(name string) {
			setBreak(false)
			record(benchRestored(b, s, d, drv, browser, name))
			running = false
		}},
		{"scheduled break began while closed, daemon down", func(name string) {
			setBreak(false)
			var row launchRow
			row, d = benchScheduled(b, s, d, drv, browser, name, breakOn)
			record(row)
		}},
	}
	for _, r := range rows {
		if pick.MatchString(r.name) {
			b.Logf("%s: %s", browser, r.name)
			r.do(r.name)
		}
	}
	drv.quit(b)
}

// benchRestored measures the restored tabs: per run, with prompts paused a
// feed tab and a break-site tab load in a fresh session, the browser quits,
// the pause is lifted and a break starts while it is closed (daemon up), and
// the browser restores the session. Page shown is when both restored tabs
// show the break page (a break on demand covers every feed). It leaves the browser running, with
// no break.
func benchRestored(b *testing.B, s *sites, d *daemonProc, drv launchDriver, browser, name string) launchRow {
	row := launchRow{browser: browser, name: name}
	for i := 0; i < launchRuns; i++ {
		feedMark, siteMark := fmt.Sprintf("feed-run-%d", i), fmt.Sprintf("site-run-%d", i)
		feedURL, siteURL := "https://www.youtube.com/shorts/"+feedMark, "https://www.facebook.com/groups/"+siteMark+"/"
		d.cli("prompts", "pause", "10m")
		drv.waitState(b, "the pause to reach the extension", `!!st.prompts_paused_until && !(st.breaks || []).some(b => Date.parse(b.start) <= Date.now() && (!b.end || Date.parse(b.end) > Date.now()))`)
		feed := drv.open(b, feedURL)
		feed.poll(b, "youtube to load (prompts paused)", `location.hostname === 'www.youtube.com'`, time.Minute)
		site := drv.open(b, siteURL)
		site.poll(b, "www.facebook.com to load (no break)", `location.hostname === 'www.facebook.com'`, time.Minute)
		drv.quit(b)
		d.cli("prompts", "resume")
		d.cli("break", "start", "--for", "1h", "--name", "Bench")
		yt, fb := s.requests("www.youtube.com"), s.requests("www.facebook.com")
		t0 := time.Now()
		drv.start(b, true)
		row.answer = append(row.answer, ms(time.Since(t0)))
		deadline := time.Now().Add(time.Minute)
		shown := false
		for !shown && time.Now().Before(deadline) {
			if shown = restoredShown(b, drv, restoredPage(drv, false, "", feedMark), restoredPage(drv, false, "", siteMark)); !shown {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if shown {
			row.visible = append(row.visible, ms(time.Since(t0)))
		} else {
			row.missed = append(row.missed, strings.Join(drv.tabURLs(b), " "))
			b.Logf("%s %s run %d: not shown within a minute; the tabs: %s", browser, name, i, row.missed[len(row.missed)-1])
		}
		n := s.requests("www.youtube.com") - yt + s.requests("www.facebook.com") - fb
		row.requests += n
		b.Logf("%s %s run %d: %d requests reached the sites", browser, name, i, n)
		// The next run starts from a fresh session with no break.
		drv.quit(b)
		d.cli("break", "stop", "--reason", "the bench goes on")
		drv.start(b, false)
	}
	return row
}

// benchScheduled measures a scheduled break that began while the browser
// was closed and the daemon down: per run, a one-minute break is scheduled
// from the next minute at least 25 s away (schedules have minute
// resolution), the browser quits and the daemon stops before it begins, and
// after it began the browser relaunches and a page of its site opens at
// once. Runs alternate between two sites, so a run's site was never blocked
// by the run before (whose break may still run). A run whose break began
// before the browser was closed is done again. It returns the row and the
// daemon (started again after each run), and leaves the browser running.
func benchScheduled(b *testing.B, s *sites, d *daemonProc, drv launchDriver, browser, name, breakOn string) (launchRow, *daemonProc) {
	row := launchRow{browser: browser, name: name}
	// Hosts of the built-in catalog: the extension has host access to
	// them. A break's own site outside it needs access the user grants
	// (extension/src/background/access.js); without it nothing is enforced
	// there, at launch or later.
	hosts := []string{"old.reddit.com", "x.com"}
	for i := 0; i < launchRuns; i++ {
		host := hosts[i%2]
		start := time.Now().Truncate(time.Minute).Add(time.Minute)
		if time.Until(start) < 25*time.Second {
			start = start.Add(time.Minute)
		}
		sched := fmt.Sprintf("Sched-%d", i)
		d.cli("schedule", "add", "--once", start.Format("2006-01-02 15:04"), start.Add(time.Minute).Format("2006-01-02 15:04"), "--name", sched, "--site", host)
		drv.waitState(b, "the schedule to reach the extension", `(st.breaks || []).some(b => b.name === '`+sched+`')`)
		drv.quit(b)
		d.stop()
		if !time.Now().Before(start) {
			b.Logf("%s %s run %d: the break began (%s) before the browser was closed; run skipped", browser, name, i, start.Format("15:04:05"))
			d = startDaemon(b, d.addr, d.dataDir)
			drv.start(b, false)
			i--
			continue
		}
		time.Sleep(time.Until(start.Add(time.Second))) // the break begins on the wall clock
		before := s.requests(host)
		t0 := time.Now()
		drv.start(b, false)
		row.answer = append(row.answer, ms(time.Since(t0)))
		tab := drv.open(b, fmt.Sprintf("https://%s/scheduled/%d", host, i))
		deadline := time.Now().Add(time.Minute)
		for !tab.check(breakOn) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if tab.check(breakOn) {
			row.visible = append(row.visible, ms(time.Since(t0)))
		} else {
			row.missed = append(row.missed, tab.summary())
			b.Logf("%s %s run %d: not shown within a minute; the tab: %s", browser, name, i, row.missed[len(row.missed)-1])
		}
		n := s.requests(host) - before
		row.requests += n
		b.Logf("%s %s run %d (%s): %d requests reached the site", browser, name, i, host, n)
		// The daemon again, and a browser that connects to it at once (the
		// extension's reconnect backoff grew while the daemon was down).
		d = startDaemon(b, d.addr, d.dataDir)
		drv.quit(b)
		drv.start(b, false)
	}
	return row, d
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
