package summary

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// fixture is a real store in a temporary directory and a Service on it,
// with a settable clock.
type fixture struct {
	t    testing.TB
	st   *store.Store
	svc  *Service
	now  time.Time
	loc  *time.Location
	n    int
	brks *breaks.Service
}

func newFixture(t testing.TB, loc *time.Location, now time.Time) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "mindful.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, st: st, now: now, loc: loc}
	clock := func() time.Time { return f.now }
	f.brks = breaks.New(breaks.Config{Store: st, Now: clock, Location: loc})
	f.svc = New(Config{Store: st, Breaks: f.brks, Now: clock, Loc: loc})
	return f
}

// at parses "2006-01-02 15:04" in the fixture's zone.
func (f *fixture) at(s string) time.Time {
	f.t.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, f.loc)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func i64(n int64) *int64 { return &n }

// ev builds an event of client c at time s.
func (f *fixture) ev(c, s, typ string) store.Event {
	f.n++
	return store.Event{ID: fmt.Sprintf("e%d", f.n), ClientID: c, TS: f.at(s), Type: typ, ReceivedAt: f.at(s)}
}

func (f *fixture) nav(c, s string, tab, win int64, domain, feed string) store.Event {
	e := f.ev(c, s, "tab_navigated")
	e.TabID, e.WindowID, e.Domain, e.FeedID = i64(tab), i64(win), domain, feed
	return e
}

func (f *fixture) focus(c, s string, win int64) store.Event {
	e := f.ev(c, s, "window_focus")
	e.WindowID = i64(win)
	return e
}

func (f *fixture) closeTab(c, s string, tab, win int64) store.Event {
	e := f.ev(c, s, "tab_closed")
	e.TabID, e.WindowID = i64(tab), i64(win)
	return e
}

func (f *fixture) idle(c, s, state string) store.Event {
	e := f.ev(c, s, "idle_state")
	e.State = state
	return e
}

func (f *fixture) prompt(c, s, feed, answer string) store.Event {
	e := f.ev(c, s, "prompt")
	e.FeedID, e.Answer, e.Domain = feed, answer, feed+".com"
	return e
}

func (f *fixture) need(c, s, feed, purpose string, timebox int64, secsOnFeed float64) []store.Event {
	p := f.prompt(c, s, feed, "need")
	p.Purpose, p.TimeboxMinutes = purpose, i64(timebox)
	ft := f.ev(c, s, "feed_time")
	ft.PromptID, ft.FeedID, ft.Seconds = p.ID, feed, &secsOnFeed
	return []store.Event{p, ft}
}

func (f *fixture) insert(evs ...store.Event) {
	f.t.Helper()
	// One client per call of InsertEvents, as the WebSocket layer does.
	by := map[string][]store.Event{}
	for _, e := range evs {
		by[e.ClientID] = append(by[e.ClientID], e)
	}
	for _, es := range by {
		if _, err := f.st.InsertEvents(context.Background(), es); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) session(c, from, to string) {
	f.t.Helper()
	ctx := context.Background()
	id, err := f.st.SessionStarted(ctx, c, f.at(from))
	if err != nil {
		f.t.Fatal(err)
	}
	if to != "" {
		if err := f.st.SessionEnded(ctx, id, f.at(to)); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) day(date string) api.Summary {
	f.t.Helper()
	s, err := f.svc.Day(context.Background(), date)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func berlin(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestNoDataIsZeros(t *testing.T) {
	f := newFixture(t, berlin(t), time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	for _, date := range []string{"", "2026-11-19", "2025-01-01", "2027-01-01"} {
		s := f.day(date)
		if s.Opens != (api.Opens{}) || s.SecondsOnFeeds != 0 || len(s.Feeds) != 0 || s.Usual != nil || s.Reflection != "" || s.Breaks.Planned != 0 {
			t.Errorf("Day(%q) = %+v, want zeros", date, s)
		}
		if s.Feeds == nil || s.Needs == nil || s.Notes == nil || s.Breaks.Windows == nil || s.Breaks.Attempts == nil || s.Breaks.NotEnforced == nil {
			t.Errorf("Day(%q): nil slices (JSON null) in %+v", date, s)
		}
	}
	if got := f.day("").Date; got != "2026-11-20" {
		t.Errorf("today = %s, want 2026-11-20", got)
	}
	for _, bad := range []string{"2026-13-01", "yesterday", "2026-11-1"} {
		if _, err := f.svc.Day(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "want YYYY-MM-DD") {
			t.Errorf("Day(%q) err = %v, want a YYYY-MM-DD error", bad, err)
		}
	}
	if _, err := f.svc.Days(context.Background(), "2026-11-20", "2026-11-01"); err == nil {
		t.Error("Days with to before from: no error")
	}
}

func TestDayCountsOpensTimeNeedsNotes(t *testing.T) {
	f := newFixture(t, berlin(t), time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	f.session("a", "2026-11-20 00:00", "")
	evs := []store.Event{
		f.focus("a", "2026-11-20 09:00", 1),
		f.prompt("a", "2026-11-20 09:00", "x", "habit"),
		f.prompt("a", "2026-11-20 09:01", "x", "habit_continued"),
		f.nav("a", "2026-11-20 09:01", 5, 1, "x.com", "x"),
		f.idle("a", "2026-11-20 09:11", "idle"), // 10 min on x
		f.idle("a", "2026-11-20 09:30", "active"),
		f.closeTab("a", "2026-11-20 09:35", 5, 1), // 5 more
		f.prompt("a", "2026-11-20 10:00", "y", "left_during_pause"),
	}
	evs = append(evs, f.need("a", "2026-11-20 12:00", "y", "reply to Sam", 5, 420)...)
	evs = append(evs, f.nav("a", "2026-11-20 12:00", 6, 1, "y.com", "y"), f.closeTab("a", "2026-11-20 12:07", 6, 1))
	note := f.ev("a", "2026-11-20 15:00", "break_note")
	note.Note, note.BreakKey = "the match score", "adhoc:1"
	att1 := f.ev("a", "2026-11-20 15:01", "break_attempt")
	att1.Domain, att1.BreakKey = "x.com", "adhoc:1"
	att2 := f.ev("a", "2026-11-20 15:02", "break_attempt")
	att2.Domain, att2.BreakKey = "x.com", "adhoc:1"
	f.insert(append(evs, note, att1, att2)...)
	if err := f.svc.SaveReflection(context.Background(), "2026-11-20", "  calmer than usual  "); err != nil {
		t.Fatal(err)
	}

	s := f.day("2026-11-20")
	want := api.Opens{Total: 4, Habit: 1, HabitContinued: 1, Need: 1, LeftDuringPause: 1}
	if s.Opens != want {
		t.Errorf("opens = %+v, want %+v", s.Opens, want)
	}
	if s.SecondsOnFeeds != 22*60 {
		t.Errorf("seconds_on_feeds = %d, want %d", s.SecondsOnFeeds, 22*60)
	}
	wantFeeds := []api.FeedDay{
		{ID: "x", Opens: 2, Habit: 1, HabitContinued: 1, Seconds: 15 * 60},
		{ID: "y", Opens: 2, Need: 1, LeftDuringPause: 1, Seconds: 7 * 60},
	}
	if fmt.Sprint(s.Feeds) != fmt.Sprint(wantFeeds) {
		t.Errorf("feeds = %+v, want %+v", s.Feeds, wantFeeds)
	}
	if len(s.Needs) != 1 || s.Needs[0].Purpose != "reply to Sam" || s.Needs[0].TimeboxMinutes != 5 || s.Needs[0].SecondsOnFeed != 420 || s.Needs[0].OverSeconds != 120 {
		t.Errorf("needs = %+v", s.Needs)
	}
	if len(s.Notes) != 1 || s.Notes[0].Note != "the match score" {
		t.Errorf("notes = %+v", s.Notes)
	}
	if len(s.Breaks.Attempts) != 1 || s.Breaks.Attempts[0] != (api.SiteCount{Domain: "x.com", Count: 2}) {
		t.Errorf("attempts = %+v", s.Breaks.Attempts)
	}
	if s.Reflection != "calmer than usual" {
		t.Errorf("reflection = %q", s.Reflection)
	}
	if s.Usual != nil {
		t.Errorf("usual = %+v, want null (no earlier data)", s.Usual)
	}
}

func TestDayStartsAtTheDayStartHour(t *testing.T) {
	f := newFixture(t, berlin(t), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	f.insert(
		f.prompt("a", "2026-11-20 03:59", "x", "habit"), // still the 19th
		f.prompt("a", "2026-11-20 04:00", "x", "habit"),
		f.prompt("a", "2026-11-21 03:59", "x", "need"),
		f.prompt("a", "2026-11-21 04:00", "x", "habit"), // the 21st
	)
	if got := f.day("2026-11-19").Opens.Total; got != 1 {
		t.Errorf("19th: %d opens, want 1", got)
	}
	s := f.day("2026-11-20")
	if s.Opens.Total != 2 || s.Opens.Need != 1 {
		t.Errorf("20th: %+v, want 2 opens, 1 need", s.Opens)
	}
	if !s.Start.Equal(f.at("2026-11-20 04:00")) || !s.End.Equal(f.at("2026-11-21 04:00")) {
		t.Errorf("20th runs %s..%s", s.Start, s.End)
	}
	// Moving the day start to 05:30 moves the 04:00 opens back a day.
	set, err := f.svc.Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set.DayStart = "05:30"
	if err := f.svc.SetSettings(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	if got := f.day("2026-11-19").Opens.Total; got != 2 {
		t.Errorf("with 05:30: 19th has %d opens, want 2", got)
	}
	if got := f.day("2026-11-20").Start; !got.Equal(f.at("2026-11-20 05:30")) {
		t.Errorf("with 05:30: 20th starts %s", got)
	}
}

// A feed in the focused window from before the day to after it counts the
// whole day: 23 hours on the day clocks go forward, 25 on the day they go
// back.
func TestDayAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		date  string // the day that contains the change (it starts the day before at 04:00)
		hours int64
	}{
		{"2026-03-28", 23}, // Sunday 29 March, 02:00 → 03:00
		{"2026-10-24", 25}, // Sunday 25 October, 03:00 → 02:00
		{"2026-03-29", 24},
	} {
		t.Run(tc.date, func(t *testing.T) {
			f := newFixture(t, berlin(t), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			d, _ := time.Parse(time.DateOnly, tc.date)
			prev := d.AddDate(0, 0, -1).Format(time.DateOnly)
			next := d.AddDate(0, 0, 2).Format(time.DateOnly)
			f.session("a", prev+" 20:00", next+" 12:00")
			f.insert(f.focus("a", prev+" 23:00", 1), f.nav("a", prev+" 23:00", 1, 1, "x.com", "x"))
			// Keep the state alive: one focus event every 30 minutes.
			var evs []store.Event
			for t0 := f.at(prev + " 23:30"); t0.Before(f.at(next + " 06:00")); t0 = t0.Add(30 * time.Minute) {
				evs = append(evs, f.focus("a", t0.In(f.loc).Format("2006-01-02 15:04"), 1))
			}
			f.insert(evs...)
			s := f.day(tc.date)
			if got := s.End.Sub(s.Start); got != time.Duration(tc.hours)*time.Hour {
				t.Errorf("day lasts %s, want %dh", got, tc.hours)
			}
			if s.SecondsOnFeeds != tc.hours*3600 || len(s.Feeds) != 1 || s.Feeds[0].Seconds != tc.hours*3600 {
				t.Errorf("seconds_on_feeds = %d, feeds %+v, want %d", s.SecondsOnFeeds, s.Feeds, tc.hours*3600)
			}
		})
	}
}

func TestUsualComparesWithTheWeekBefore(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	var evs []store.Event
	// 13 opens a day on the 13th..19th, 9 on the 20th.
	for d := 13; d <= 20; d++ {
		n := 13
		if d == 20 {
			n = 9
		}
		for i := range n {
			evs = append(evs, f.prompt("a", fmt.Sprintf("2026-11-%02d %02d:00", d, 5+i), "x", "habit"))
		}
	}
	f.insert(evs...)
	s := f.day("2026-11-20")
	if s.Usual == nil || s.Usual.Days != 7 || s.Usual.Opens != 13 || s.Usual.OpensDiff != -4 || s.Usual.Text != "9 opens, 4 fewer than your usual" {
		t.Errorf("usual = %+v", s.Usual)
	}
	// The first day with data has no "usual"; the second compares with
	// one day only.
	if u := f.day("2026-11-13").Usual; u != nil {
		t.Errorf("first day: usual = %+v, want null", u)
	}
	if u := f.day("2026-11-14").Usual; u == nil || u.Days != 1 || u.Text != "13 opens, as many as your usual" {
		t.Errorf("second day: usual = %+v", u)
	}
	if got := UsualText(1, 2); got != "1 open, 2 more than your usual" {
		t.Errorf("UsualText(1, 2) = %q", got)
	}
}

// A day that is over is stored as a rollup; an event that arrives late
// (a browser's queue replayed) makes it stale and it is computed again.
func TestRollupFollowsLateEvents(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	f.insert(f.prompt("a", "2026-11-20 10:00", "x", "habit"))
	if got := f.day("2026-11-20").Opens.Total; got != 1 {
		t.Fatalf("opens = %d, want 1", got)
	}
	rs, err := f.st.Rollups(context.Background(), "2026-11-20", "2026-11-20")
	if err != nil || len(rs) != 1 {
		t.Fatalf("rollups = %v, %v; want one for the 20th", rs, err)
	}
	late := f.prompt("b", "2026-11-20 11:00", "x", "need")
	f.insert(late)
	if got := f.day("2026-11-20").Opens.Total; got != 2 {
		t.Errorf("after a late event: opens = %d, want 2", got)
	}
	// A replay of the same event changes nothing.
	f.insert(late)
	if got := f.day("2026-11-20").Opens.Total; got != 2 {
		t.Errorf("after a replay: opens = %d, want 2", got)
	}
	// A week's range agrees with the single days.
	w, err := f.svc.Week(context.Background(), "2026-11-22")
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Days) != 7 || w.From != "2026-11-16" || w.Totals.Opens.Total != 2 || w.Days[4].Opens.Total != 2 {
		t.Errorf("week = %s..%s, %d days, totals %+v", w.From, w.To, len(w.Days), w.Totals.Opens)
	}
}

func TestBreaksOfTheDay(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 20, 20, 0, 0, 0, time.UTC))
	ctx := context.Background()
	// Kept: 09:00–10:00, browser connected from 09:30 only.
	if _, err := f.st.AddAdhoc(ctx, store.Adhoc{Name: "Morning", Start: f.at("2026-11-20 09:00"), End: f.at("2026-11-20 10:00")}); err != nil {
		t.Fatal(err)
	}
	f.session("a", "2026-11-20 09:30", "2026-11-20 11:00")
	// Ended early at 12:30 with a reason.
	id, err := f.st.AddAdhoc(ctx, store.Adhoc{Name: "Lunch", Start: f.at("2026-11-20 12:00"), End: f.at("2026-11-20 13:00")})
	if err != nil {
		t.Fatal(err)
	}
	f.session("a", "2026-11-20 11:30", "")
	key := fmt.Sprintf("adhoc:%d", id)
	if err := f.st.EndEarly(ctx, []store.EarlyEnd{{WindowKey: key, Name: "Lunch", Reason: "call from school", At: f.at("2026-11-20 12:30"), PlannedEnd: f.at("2026-11-20 13:00")}}, []int64{id}); err != nil {
		t.Fatal(err)
	}
	// Running now.
	if _, err := f.st.AddAdhoc(ctx, store.Adhoc{Name: "Evening", Start: f.at("2026-11-20 19:00"), End: f.at("2026-11-20 22:00")}); err != nil {
		t.Fatal(err)
	}
	b := f.day("2026-11-20").Breaks
	if b.Planned != 3 || b.Kept != 1 || b.EndedEarly != 1 {
		t.Errorf("planned/kept/ended_early = %d/%d/%d, want 3/1/1", b.Planned, b.Kept, b.EndedEarly)
	}
	if len(b.Windows) != 3 || b.Windows[1].Reason != "call from school" || !b.Windows[1].EndedEarly || !b.Windows[2].Running {
		t.Errorf("windows = %+v", b.Windows)
	}
	if len(b.NotEnforced) != 1 || !b.NotEnforced[0].Start.Equal(f.at("2026-11-20 09:00")) || b.NotEnforced[0].Seconds != 1800 {
		t.Errorf("not_enforced = %+v, want 09:00–09:30", b.NotEnforced)
	}
}

// TestNotEnforcedPerBrowser: with browsers paired, each one's share of a
// break that it did not enforce is named, with why: not connected, or
// connected without access to the sites it needed.
func TestNotEnforcedPerBrowser(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 20, 20, 0, 0, 0, time.UTC))
	ctx := context.Background()
	for _, c := range []store.Client{
		{ID: "chr", Browser: "chromium", TokenHash: []byte{1}, PairedAt: f.at("2026-11-01 09:00")},
		{ID: "ffx", Browser: "firefox-esr", TokenHash: []byte{2}, PairedAt: f.at("2026-11-01 09:00")},
		// Paired in the middle of the break: counts from then on.
		{ID: "new", Browser: "edge", TokenHash: []byte{3}, PairedAt: f.at("2026-11-20 11:30")},
	} {
		if err := f.st.PutClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.st.AddAdhoc(ctx, store.Adhoc{Name: "Day off", Start: f.at("2026-11-20 09:00"), End: f.at("2026-11-20 12:00")}); err != nil {
		t.Fatal(err)
	}
	f.session("chr", "2026-11-20 08:00", "")
	f.session("ffx", "2026-11-20 08:00", "2026-11-20 10:00")
	f.session("ffx", "2026-11-20 10:30", "")
	f.session("new", "2026-11-20 11:30", "")
	limited := f.ev("ffx", "2026-11-20 11:00", "access")
	limited.State, limited.MissingHosts = "limited", []string{"www.reddit.com"}
	full := f.ev("ffx", "2026-11-20 11:15", "access")
	full.State, full.MissingHosts = "full", []string{}
	f.insert(limited, full)

	got := f.day("2026-11-20").Breaks.NotEnforced
	want := []api.Period{
		{Start: f.at("2026-11-20 10:00").UTC(), End: f.at("2026-11-20 10:30").UTC(), Seconds: 1800, Client: "ffx", Browser: "Firefox ESR", Reason: api.NotConnected},
		{Start: f.at("2026-11-20 11:00").UTC(), End: f.at("2026-11-20 11:15").UTC(), Seconds: 900, Client: "ffx", Browser: "Firefox ESR", Reason: api.LimitedAccess},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("not_enforced =\n%+v\nwant\n%+v", got, want)
	}
}

func TestSettings(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	def, err := f.svc.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if def != (api.Settings{DayStart: "04:00", CheckinTime: "21:00", PromptPauseSeconds: 3}) {
		t.Errorf("defaults = %+v", def)
	}
	for _, tc := range []struct {
		change func(*api.Settings)
		want   string
	}{
		{func(s *api.Settings) { s.DayStart = "25:00" }, `day_start: want HH:MM, got "25:00"`},
		{func(s *api.Settings) { s.DayStart = "4:00" }, `day_start: want HH:MM, got "4:00"`},
		{func(s *api.Settings) { s.CheckinTime = "9pm" }, `checkin_time: want HH:MM, got "9pm"`},
		{func(s *api.Settings) { s.RetentionDays = -1 }, `retention_days: want 0 (keep forever)`},
		{func(s *api.Settings) { s.PromptPauseSeconds = 61 }, `prompt_pause_seconds: want 0 to 60`},
	} {
		s := def
		tc.change(&s)
		err := f.svc.SetSettings(ctx, s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetSettings(%+v) = %v, want %q", s, err, tc.want)
		}
	}
	if got, _ := f.svc.Settings(ctx); got != def {
		t.Errorf("after refused changes: %+v, want %+v", got, def)
	}
	want := api.Settings{DayStart: "06:15", CheckinTime: "20:30", RetentionDays: 30, StoreFullURLs: true, PromptPauseSeconds: 5}
	if err := f.svc.SetSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Settings(ctx); got != want {
		t.Errorf("Settings = %+v, want %+v", got, want)
	}
	if !f.svc.StoreFullURLs() {
		t.Error("StoreFullURLs = false after turning it on")
	}
	// The switch survives a restart (a new Service on the same store).
	svc2 := New(Config{Store: f.st})
	if err := svc2.Load(ctx); err != nil || !svc2.StoreFullURLs() {
		t.Errorf("new Service: StoreFullURLs = %v (%v), want true", svc2.StoreFullURLs(), err)
	}
	// Older readers of the day start hour see the new hour.
	if v, _ := f.st.Setting(ctx, "day_start_hour", ""); v != "6" {
		t.Errorf("day_start_hour = %q, want 6", v)
	}
}

func TestRetentionPrunesOldEvents(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	f.insert(f.prompt("a", "2026-10-01 10:00", "x", "habit"), f.prompt("a", "2026-11-19 10:00", "x", "habit"))
	if n, err := f.svc.Prune(ctx); err != nil || n != 0 {
		t.Errorf("Prune with retention 0 = %d, %v; want 0 (keep forever)", n, err)
	}
	set, _ := f.svc.Settings(ctx)
	set.RetentionDays = 30
	if err := f.svc.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	evs, err := f.st.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].TS.Month() != time.November {
		t.Errorf("after retention 30 days: %d events (%v), want the one of 19 Nov", len(evs), evs)
	}
}

// A feed_time that arrives on a later day still updates the "need" of the
// day it belongs to, whose rollup must not keep the old time.
func TestRollupFollowsFeedTimeAndSessions(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	p := f.prompt("a", "2026-11-20 23:59", "x", "need")
	p.TimeboxMinutes = i64(5)
	f.insert(p, f.focus("a", "2026-11-20 10:00", 1), f.nav("a", "2026-11-20 10:00", 1, 1, "x.com", "x"))
	// The browser is connected since 09:00, and the daemon died: the
	// session is open.
	if _, err := f.st.SessionStarted(ctx, "a", f.at("2026-11-20 09:00")); err != nil {
		t.Fatal(err)
	}
	s := f.day("2026-11-20")
	if len(s.Needs) != 1 || s.Needs[0].SecondsOnFeed != 0 {
		t.Fatalf("needs = %+v", s.Needs)
	}
	// In an open session the state lasts to the end of the day (04:00 the
	// next day): 18 hours.
	if s.SecondsOnFeeds != 18*3600 {
		t.Errorf("seconds = %d, want %d", s.SecondsOnFeeds, 18*3600)
	}
	secs := 400.0
	ft := f.ev("a", "2026-11-21 05:00", "feed_time")
	ft.PromptID, ft.FeedID, ft.Seconds = p.ID, "x", &secs
	f.insert(ft)
	s = f.day("2026-11-20")
	if len(s.Needs) != 1 || s.Needs[0].SecondsOnFeed != 400 || s.Needs[0].OverSeconds != 100 {
		t.Errorf("after a late feed_time: needs = %+v", s.Needs)
	}
	// The daemon restarts and closes the session at its last heartbeat,
	// 11:00: the time on the feed shrinks to one hour.
	if err := f.st.CloseDanglingSessions(ctx, f.at("2026-11-20 11:00")); err != nil {
		t.Fatal(err)
	}
	if got := f.day("2026-11-20").SecondsOnFeeds; got != 3600 {
		t.Errorf("after the session was closed: seconds = %d, want 3600", got)
	}
}

// A rollup computed from data that changed before it was stored is not
// stored.
func TestPutRollupsRefusesAfterAChange(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	m, err := f.st.Mark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.insert(f.prompt("a", "2026-11-20 10:00", "x", "habit"))
	r := store.Rollup{Day: "2026-11-20", SpanFrom: f.at("2026-11-19 22:00").UnixMilli(), From: f.at("2026-11-20 04:00").UnixMilli(),
		To: f.at("2026-11-21 04:00").UnixMilli(), Version: rollupVersion, Body: []byte(`{}`)}
	if err := f.st.PutRollups(ctx, m, []store.Rollup{r}); err != nil {
		t.Fatal(err)
	}
	if rs, _ := f.st.Rollups(ctx, "2026-11-20", "2026-11-20"); len(rs) != 0 {
		t.Errorf("a rollup from before the event was stored: %v", rs)
	}
	m, _ = f.st.Mark(ctx)
	if err := f.st.PutRollups(ctx, m, []store.Rollup{r}); err != nil {
		t.Fatal(err)
	}
	if rs, _ := f.st.Rollups(ctx, "2026-11-20", "2026-11-20"); len(rs) != 1 {
		t.Errorf("an up-to-date rollup was not stored")
	}
	// An event on another day leaves it; one in its span deletes it.
	f.insert(f.prompt("a", "2026-11-22 10:00", "x", "habit"))
	if rs, _ := f.st.Rollups(ctx, "2026-11-20", "2026-11-20"); len(rs) != 1 {
		t.Errorf("an event on another day deleted the rollup")
	}
	f.insert(f.prompt("a", "2026-11-19 23:00", "x", "habit")) // in the lookback
	if rs, _ := f.st.Rollups(ctx, "2026-11-20", "2026-11-20"); len(rs) != 0 {
		t.Errorf("an event in the span left the rollup")
	}
}

// Today is compared with the usual by the same time of day.
func TestUsualSoFarToday(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	var evs []store.Event
	// The 7 days before: 4 opens in the morning, 10 in the evening.
	for d := 13; d <= 19; d++ {
		for i := range 4 {
			evs = append(evs, f.prompt("a", fmt.Sprintf("2026-11-%02d 0%d:00", d, 6+i), "x", "habit"))
		}
		for i := range 10 {
			evs = append(evs, f.prompt("a", fmt.Sprintf("2026-11-%02d %02d:30", d, 13+i), "x", "habit"))
		}
	}
	// Today by noon: 2 opens.
	evs = append(evs, f.prompt("a", "2026-11-20 07:00", "x", "habit"), f.prompt("a", "2026-11-20 08:00", "x", "need"))
	f.insert(evs...)
	u := f.day("").Usual
	if u == nil || !u.SoFar || u.Opens != 4 || u.OpensDiff != -2 || u.Text != "2 opens so far, 2 fewer than your usual by this time" {
		t.Errorf("today: usual = %+v", u)
	}
	// A day that is over compares whole days.
	if u := f.day("2026-11-19").Usual; u == nil || u.SoFar || u.Opens != 14 {
		t.Errorf("yesterday: usual = %+v", u)
	}
}

// A prune larger than one batch deletes everything older than the cut,
// and the rollups of the pruned days.
func TestPruneInBatches(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	var evs []store.Event
	for i := range 12000 {
		e := f.prompt("a", "2026-10-01 10:00", "x", "habit")
		e.TS = e.TS.Add(time.Duration(i) * time.Second)
		evs = append(evs, e)
	}
	f.insert(append(evs, f.prompt("a", "2026-11-24 10:00", "x", "habit"))...)
	if got := f.day("2026-10-01").Opens.Total; got != 12000 {
		t.Fatalf("opens = %d", got)
	}
	n, err := f.st.PruneEvents(ctx, f.at("2026-11-01 00:00"))
	if err != nil || n != 12000 {
		t.Fatalf("PruneEvents = %d, %v; want 12000", n, err)
	}
	if got := f.day("2026-10-01").Opens.Total; got != 0 {
		t.Errorf("after the prune: %d opens on a pruned day (stale rollup?)", got)
	}
	if got := f.day("2026-11-24").Opens.Total; got != 1 {
		t.Errorf("after the prune: %d opens on a kept day, want 1", got)
	}
}
