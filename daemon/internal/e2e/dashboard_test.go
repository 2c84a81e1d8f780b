package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// TestDashboard drives the real dashboard in headless Chromium: real events
// over a paired WebSocket, a one-time link from `mindful dashboard --print`,
// Today with the numbers of those events, the evening check-in pushed to a
// status watcher, a reflection that `mindful summary --json` then shows, a
// setting changed through the form, a forged POST refused, and the link
// refused the second time. It leaves screenshots of Today and History.
func TestDashboard(t *testing.T) {
	s := startSites(t)
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir)
	cl, err := client.Open(addr, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// Real events from a paired client: today and the 29 days before.
	conn, _ := goClient(t, d, "dash-client-1")
	now := time.Now()
	set, err := cl.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sendDashboardEvents(t, conn, now, set.DayStart)
	want := api.Opens{Total: 7, Habit: 3, HabitContinued: 1, Need: 2, LeftDuringPause: 1}
	var sum api.Summary
	waitFor(t, "today's summary to count the events", 30*time.Second, func() bool {
		sum = summaryJSON(t, d, "")
		return sum.Opens == want
	})
	if sum.SecondsOnFeeds <= 0 {
		t.Fatalf("no time on feeds from the events: %+v", sum)
	}

	// Watch the status as the tray does.
	statuses := make(chan api.Status, 64)
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	go cl.Watch(wctx, func(st api.Status) { statuses <- st })

	link := strings.TrimSpace(string(d.cli("dashboard", "--print")))
	if !strings.HasPrefix(link, "http://"+addr+"/login?token=") {
		t.Fatalf("mindful dashboard --print = %q", link)
	}
	browser := startChromium(t, s)
	tb := tab(t, browser)
	do(t, tb, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(link))
	here := poll[string](t, tb, "the dashboard to open", `location.pathname === '/today' ? location.href : ''`, 15*time.Second)
	if strings.Contains(here, "token") || here != "http://"+addr+"/today" {
		t.Fatalf("after login the address is %q; want the clean /today", here)
	}
	if got := eval[string](t, tb, `document.cookie`); got != "" {
		t.Fatalf("the session cookie is readable from the page: %q", got)
	}

	// Today shows the numbers of those events, as the summary has them.
	shown := eval[map[string]string](t, tb, `(() => {
		const o = {total: document.querySelector('#opens-total').textContent.trim(), time: document.querySelector('#time-total').textContent.trim()};
		for (const e of document.querySelectorAll('[data-answer]')) o[e.dataset.answer] = e.textContent.trim();
		return o;
	})()`)
	wantShown := map[string]string{"total": "7", "habit": "3", "continued": "1", "need": "2", "left": "1", "time": durText(sum.SecondsOnFeeds)}
	for k, v := range wantShown {
		if shown[k] != v {
			t.Errorf("Today shows %s = %q, want %q (all: %v)", k, shown[k], v, shown)
		}
	}
	if body := eval[string](t, tb, `document.body.innerText`); !strings.Contains(body, "the recipe video") || !strings.Contains(body, "reddit") {
		t.Errorf("Today lacks the need's purpose or the feed:\n%s", body)
	}

	// Settings through the form: the check-in time moves to the day start,
	// so today's check-in is due at once and the watcher hears it.
	do(t, tb, chromedp.Navigate("http://"+addr+"/settings"), chromedp.WaitVisible("#checkin_time"))
	do(t, tb,
		chromedp.SetValue("#checkin_time", set.DayStart),
		chromedp.SetValue("#prompt_pause_seconds", "5"),
		chromedp.Click(`form.settings button[type=submit]`),
	)
	poll[bool](t, tb, "the settings to be saved", `!!document.querySelector('.done') && document.querySelector('.done').textContent.includes('Settings saved')`, 15*time.Second)
	got, err := cl.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.CheckinTime != set.DayStart || got.PromptPauseSeconds != 5 {
		t.Fatalf("settings after the form: %+v", got)
	}
	due := waitStatus(t, statuses, "the check-in to be due", func(st api.Status) bool { return st.Checkin.Due })
	if due.Checkin.Date != sum.Date {
		t.Fatalf("check-in due for %q, want today %q", due.Checkin.Date, sum.Date)
	}
	if out := string(d.cli("status")); !strings.Contains(out, "evening check-in") {
		t.Fatalf("mindful status does not mention the due check-in:\n%s", out)
	}

	// A forged POST from the page itself, without the CSRF token: 403,
	// and nothing changes. (CSP forbids the page any fetch; the test lifts
	// that to show the server refuses on its own.)
	do(t, tb, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	}), chromedp.Navigate("http://"+addr+"/today"))
	forged := eval[float64](t, tb, `fetch('/settings', {method: 'POST', body: new URLSearchParams({day_start: '06:00', checkin_time: '22:00', prompt_pause_seconds: '9', retention_days: '1'})}).then(r => r.status)`)
	if forged != 403 {
		t.Fatalf("forged POST without the token: %v, want 403", forged)
	}
	if after, _ := cl.Settings(ctx); after != got {
		t.Fatalf("the forged POST changed the settings: %+v", after)
	}

	// The check-in on Today: answer it.
	do(t, tb, chromedp.Navigate("http://"+addr+"/today"), chromedp.WaitVisible("#reflection"))
	if n := eval[float64](t, tb, `document.querySelectorAll('.checkin.due').length`); n != 1 {
		t.Fatal("Today does not show the due check-in")
	}
	shot(t, tb, "today-due", false)
	const reflection = "I reached for Reddit whenever a build was running."
	do(t, tb, chromedp.SendKeys("#reflection", reflection), chromedp.Click(`.checkin button[type=submit]`))
	poll[bool](t, tb, "the reflection to be saved", `!!document.querySelector('.done') && document.querySelector('.done').textContent.includes('Thank you')`, 15*time.Second)
	if got := summaryJSON(t, d, "").Reflection; got != reflection {
		t.Fatalf("mindful summary --json reflection = %q, want %q", got, reflection)
	}
	waitStatus(t, statuses, "the check-in to end", func(st api.Status) bool { return !st.Checkin.Due })
	shot(t, tb, "today", true)

	do(t, tb, chromedp.Navigate("http://"+addr+"/history"), chromedp.WaitVisible("svg.chart"))
	if n := eval[float64](t, tb, `document.querySelectorAll('#main svg.chart rect.bar').length`); n < 30 {
		t.Fatalf("the history chart has %v bar segments for 30 days of data", n)
	}
	shot(t, tb, "history", true)
	do(t, tb, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	}), chromedp.Navigate("http://"+addr+"/history?days=90"), chromedp.WaitVisible("svg.chart"))
	shot(t, tb, "history-dark", false)

	// Breaks and feeds through their forms, seen by the CLI.
	do(t, tb, chromedp.EmulateViewport(1280, 900), chromedp.Navigate("http://"+addr+"/breaks"), chromedp.WaitVisible(`form[action="/breaks/add"]`))
	do(t, tb,
		chromedp.SetValue(`form[action="/breaks/add"] input[name=name]`, "Evenings"),
		chromedp.SetValue(`form[action="/breaks/add"] input[name=start]`, "weekdays 21:00"),
		chromedp.SetValue(`form[action="/breaks/add"] input[name=end]`, "07:00"),
		chromedp.Click(`form[action="/breaks/add"] button[type=submit]`),
	)
	poll[bool](t, tb, "the break to be added", `!!document.querySelector('.done')`, 15*time.Second)
	var rules []api.Rule
	if err := json.Unmarshal(d.cli("schedule", "list", "--json"), &rules); err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Name != "Evenings" || rules[0].Start != "weekdays 21:00" || rules[0].End != "07:00" {
		t.Fatalf("schedule after the form: %+v", rules)
	}
	shot(t, tb, "breaks", false)
	do(t, tb, chromedp.Navigate("http://"+addr+"/feeds"), chromedp.Click(`#feed-reddit button[type=submit]`))
	poll[bool](t, tb, "the feed to be turned off", `!!document.querySelector('.done')`, 15*time.Second)
	var feeds []api.Feed
	if err := json.Unmarshal(d.cli("feeds", "list", "--json"), &feeds); err != nil {
		t.Fatal(err)
	}
	for _, f := range feeds {
		if f.ID == "reddit" && f.Enabled {
			t.Fatal("reddit is still on after the form turned it off")
		}
	}
	shot(t, tb, "feeds", false)
	for _, p := range []string{"settings", "data"} {
		do(t, tb, chromedp.Navigate("http://"+addr+"/"+p), chromedp.WaitVisible("h1"))
		shot(t, tb, p, false)
	}

	// The link does not work twice, not even in another browser tab.
	other := tab(t, browser)
	do(t, other, chromedp.Navigate(link))
	body := poll[string](t, other, "the used link's page", `document.body && document.body.innerText`, 15*time.Second)
	if !strings.Contains(body, "already used") {
		t.Fatalf("the one-time link worked twice:\n%s", body)
	}
	if st := d.status(); st.Checkin.Due {
		t.Fatalf("check-in still due after the reflection: %+v", st.Checkin)
	}

	// Export, as the download links fetch it (same origin, the session's
	// cookie): JSON with the reflection, CSV with a header line.
	do(t, tb, chromedp.Navigate("http://"+addr+"/data"), chromedp.WaitVisible("#delete-start"))
	exp := eval[map[string]any](t, tb, `Promise.all(['json', 'csv'].map(f => fetch('/data/export?format=' + f).then(async r => [r.status, r.headers.get('content-disposition'), await r.text()]))).then(([j, c]) => ({j, c}))`)
	j, _ := exp["j"].([]any)
	c, _ := exp["c"].([]any)
	if len(j) != 3 || j[0] != float64(200) || !strings.Contains(fmt.Sprint(j[1]), "attachment") || !strings.Contains(fmt.Sprint(j[2]), reflection) {
		t.Fatalf("JSON export: %.300v", j)
	}
	if len(c) != 3 || c[0] != float64(200) || !strings.Contains(fmt.Sprint(c[1]), ".csv") || !strings.Contains(fmt.Sprint(c[2]), "\n") {
		t.Fatalf("CSV export: %.300v", c)
	}

	// Delete everything: a second step, the typed word, and it is gone.
	do(t, tb, chromedp.Navigate("http://"+addr+"/data"), chromedp.Click("#delete-start"), chromedp.WaitVisible("#confirm"))
	do(t, tb, chromedp.SendKeys("#confirm", "delete"), chromedp.Click(`form[action="/data/delete"] button[type=submit]`))
	poll[bool](t, tb, "everything to be deleted", `!!document.querySelector('.done') && document.querySelector('.done').textContent.includes('Everything is deleted')`, 30*time.Second)
	if gone := summaryJSON(t, d, ""); gone.Opens.Total != 0 || gone.Reflection != "" || gone.SecondsOnFeeds != 0 {
		t.Fatalf("after delete everything, today is %+v", gone)
	}
	if evs := d.events(); len(evs) != 0 {
		t.Fatalf("%d events left after delete everything", len(evs))
	}
}

// sendDashboardEvents sends prompt answers and tab activity for today and
// the 29 days before, and waits for their acknowledgement.
func sendDashboardEvents(t *testing.T, c *websocket.Conn, now time.Time, dayStart string) {
	t.Helper()
	ds, err := time.Parse("15:04", dayStart)
	if err != nil {
		t.Fatal(err)
	}
	y, m, dd := now.Date()
	start := time.Date(y, m, dd, ds.Hour(), ds.Minute(), 0, 0, time.Local)
	if now.Before(start) {
		start = start.AddDate(0, 0, -1)
	}
	n := 0
	var evs []map[string]any
	ev := func(ts time.Time, typ string, fields map[string]any) {
		n++
		e := map[string]any{"id": fmt.Sprintf("dash-%d", n), "ts": ts.UTC().Format(time.RFC3339Nano), "type": typ}
		for k, v := range fields {
			e[k] = v
		}
		evs = append(evs, e)
	}
	prompt := func(ts time.Time, feed, domain, answer string, extra map[string]any) {
		f := map[string]any{"tab_id": 1, "window_id": 1, "domain": domain, "feed_id": feed, "answer": answer, "seconds_to_answer": 4.2, "via": "navigation"}
		for k, v := range extra {
			f[k] = v
		}
		ev(ts, "prompt", f)
	}
	visit := func(from, to time.Time, feed, domain string) {
		ev(from, "tab_navigated", map[string]any{"tab_id": 1, "window_id": 1, "domain": domain, "feed_id": feed})
		ev(from, "tab_activated", map[string]any{"tab_id": 1, "window_id": 1, "domain": domain})
		ev(to, "tab_activated", map[string]any{"tab_id": 2, "window_id": 1, "domain": "example.org"})
	}
	// Today, within the day so far (events before the daemon's session
	// count at most an hour each, which is plenty here).
	span := now.Sub(start)
	at := func(f float64) time.Time { return start.Add(time.Duration(float64(span) * f)) }
	visit(at(0.50), at(0.70), "reddit", "www.reddit.com")
	for i := range 3 {
		prompt(at(0.50+float64(i)*0.01), "reddit", "www.reddit.com", "habit", nil)
	}
	prompt(at(0.55), "reddit", "www.reddit.com", "habit_continued", nil)
	prompt(at(0.60), "youtube", "www.youtube.com", "need", map[string]any{"purpose": "the recipe video", "timebox_minutes": 15})
	prompt(at(0.62), "youtube", "www.youtube.com", "need", map[string]any{"purpose": "a reply", "timebox_minutes": 5})
	prompt(at(0.64), "x", "x.com", "left_during_pause", nil)
	// The days before: a calm pattern.
	for i := 1; i < 30; i++ {
		noon := start.AddDate(0, 0, -i).Add(8 * time.Hour)
		for j := range 1 + i%4 {
			prompt(noon.Add(time.Duration(j)*time.Minute), "reddit", "www.reddit.com", "habit", nil)
		}
		for j := range i % 3 {
			prompt(noon.Add(time.Duration(10+j)*time.Minute), "youtube", "www.youtube.com", "need", map[string]any{"purpose": "tutorial", "timebox_minutes": 15})
		}
		if i%2 == 0 {
			prompt(noon.Add(20*time.Minute), "reddit", "www.reddit.com", "habit_continued", nil)
		}
		if i%5 == 0 {
			prompt(noon.Add(25*time.Minute), "x", "x.com", "left_during_pause", nil)
		}
		visit(noon.Add(30*time.Minute), noon.Add(time.Duration(35+i%20)*time.Minute), "reddit", "www.reddit.com")
		visit(noon.Add(2*time.Hour), noon.Add(time.Duration(125+i%15)*time.Minute), "youtube", "www.youtube.com")
	}
	for i := 0; i < len(evs); i += 200 {
		batch := evs[i:min(i+200, len(evs))]
		b, _ := protocol.Encode(protocol.TypeEvents, fmt.Sprintf("dash-b-%d", i), "", map[string]any{"events": batch})
		if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
			t.Fatal(err)
		}
		for {
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			_, msg, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("waiting for the ack: %v", err)
			}
			env, _ := protocol.Decode(msg)
			if env.Type == protocol.TypeAck {
				var a protocol.Ack
				json.Unmarshal(env.Body, &a)
				if len(a.IDs) != len(batch) {
					t.Fatalf("acknowledged %d of %d events: %s", len(a.IDs), len(batch), env.Body)
				}
				break
			}
			if env.Type == protocol.TypeError {
				t.Fatalf("events refused: %s", env.Body)
			}
		}
	}
}

func summaryJSON(t *testing.T, d *daemonProc, date string) api.Summary {
	t.Helper()
	args := []string{"summary", "--json"}
	if date != "" {
		args = append(args, "--date", date)
	}
	var s api.Summary
	if err := json.Unmarshal(d.cli(args...), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// waitStatus waits for a pushed status that satisfies ok.
func waitStatus(t *testing.T, c <-chan api.Status, what string, ok func(api.Status) bool) api.Status {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case st := <-c:
			if ok(st) {
				return st
			}
		case <-deadline:
			t.Fatalf("no pushed status within 10 s: %s", what)
		}
	}
}

// durText is how the dashboard says a number of seconds.
func durText(secs int64) string {
	switch {
	case secs <= 0:
		return "0 min"
	case secs < 60:
		return "under a minute"
	case secs < 3600:
		return fmt.Sprintf("%d min", secs/60)
	case secs%3600/60 == 0:
		return fmt.Sprintf("%d h", secs/3600)
	}
	return fmt.Sprintf("%d h %d min", secs/3600, secs%3600/60)
}

// shot saves a full-page screenshot as screenshot-NAME.png into the test's
// directory and, when MINDFUL_SCREENSHOT_DIR is set and public (Today and
// History, which `make screenshot` publishes), there too;
// MINDFUL_SCREENSHOT_ALL=1 puts every page there, for a review.
func shot(t *testing.T, tb context.Context, name string, public bool) {
	t.Helper()
	c, cancel := context.WithTimeout(tb, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("MINDFUL_SCREENSHOT_DIR"); d != "" && (public || os.Getenv("MINDFUL_SCREENSHOT_ALL") != "") {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "screenshot-"+name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}

// TestCheckinMissedWhileOff: the daemon was not running at yesterday's
// check-in time; when it starts again (before today's), it offers
// yesterday's check-in, pushes nothing it should not, and a dismissal
// ends it. The clock is real: day start and check-in time are set around
// now, and the daemon's last heartbeat is put before yesterday's moment.
func TestCheckinMissedWhileOff(t *testing.T) {
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir)
	cl, err := client.Open(addr, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	now := time.Now()
	set, err := cl.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Today began two hours ago; its check-in is in an hour. Yesterday's
	// was 23 hours ago.
	set.DayStart = now.Add(-2 * time.Hour).Format("15:04")
	set.CheckinTime = now.Add(time.Hour).Format("15:04")
	if _, err := cl.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	yesterday := now.Add(-26 * time.Hour).Format(time.DateOnly)
	// Running all along, with today's check-in an hour away: nothing due
	// (the check-in re-reads the settings as soon as they change).
	waitFor(t, "no check-in to be due", 15*time.Second, func() bool { return !d.status().Checkin.Due })

	// The daemon stops; its last sign of life goes back 30 hours (as if
	// the computer had been off since then).
	d.stop()
	st, err := store.Open(ctx, filepath.Join(dataDir, datadir.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, "daemon.alive_at", now.Add(-30*time.Hour).UTC().Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	d2 := startDaemon(t, addr, dataDir)
	var got api.Checkin
	waitFor(t, "yesterday's check-in to be offered", 15*time.Second, func() bool {
		got = d2.status().Checkin
		return got.Due
	})
	if got.Date != yesterday {
		t.Fatalf("check-in due for %q, want yesterday %q", got.Date, yesterday)
	}
	// The tray's link opens Today for that day.
	var l api.DashboardLink
	if l, err = cl.DashboardLink(ctx, "today", got.Date); err != nil || !strings.Contains(l.URL, "/login?token=") {
		t.Fatalf("link for the check-in: %+v %v", l, err)
	}
	if _, err := cl.DismissCheckin(ctx, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the dismissed check-in to end", 15*time.Second, func() bool { return !d2.status().Checkin.Due })
}
