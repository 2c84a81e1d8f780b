package breaks

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/clocktest"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")

func newSvc(t *testing.T, now time.Time) (*Service, *clocktest.Clock, *published) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := clocktest.New(now)
	bus := &changes.Bus{}
	changed := &published{sub: bus.Subscribe(changes.BreaksChanged{})}
	s := New(Config{
		Store:    st,
		Now:      c.Now,
		Location: berlin,
		Changes:  bus,
	})
	return s, c, changed
}

// defaultSites are what a break that names no sites blocks, in these tests.
var defaultSites = []string{"www.reddit.com", "x.com"}

// published counts the BreaksChanged a service published.
type published struct {
	mu  sync.Mutex
	sub *changes.Subscription
	n   int32
}

func (p *published) count() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += int32(len(p.sub.Take()))
	return p.n
}

func TestStartAndEndEarly(t *testing.T) {
	ctx := context.Background()
	s, clk, changed := newSvc(t, time.Date(2026, 11, 23, 15, 0, 0, 0, berlin))
	if _, err := s.RequestStop(ctx); !errors.Is(err, ErrNoBreak) {
		t.Fatalf("stop with no break: %v", err)
	}
	w, err := s.Start(ctx, "1h", "Focus", false)
	if err != nil {
		t.Fatal(err)
	}
	if !w.End.Equal(clk.Now().Add(time.Hour)) || w.Name != "Focus" {
		t.Fatalf("window %+v", w)
	}
	active, _, _ := s.Now(ctx)
	if active == nil || active.Name != "Focus" {
		t.Fatalf("active %+v", active)
	}
	tk, err := s.RequestStop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !tk.NotBefore.Equal(clk.Now().Add(EarlyEndWait)) {
		t.Fatalf("not before %s", tk.NotBefore)
	}
	// Too soon, and without a reason.
	clk.Add(9 * time.Second)
	if _, err := s.Stop(ctx, tk.ID, "I need to reply to my sister"); !errors.Is(err, ErrTooSoon) {
		t.Fatalf("stop after 9 s: %v", err)
	}
	clk.Add(time.Second)
	if _, err := s.Stop(ctx, tk.ID, "  "); !errors.Is(err, ErrInvalid) {
		t.Fatalf("stop without a reason: %v", err)
	}
	if _, err := s.Stop(ctx, "nope", "I need to reply to my sister"); !errors.Is(err, ErrBadTicket) {
		t.Fatalf("bad ticket: %v", err)
	}
	p, err := s.Stop(ctx, tk.ID, "I need to reply to my sister")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Focus" {
		t.Fatalf("stopped %+v", p)
	}
	if active, _, _ := s.Now(ctx); active != nil {
		t.Fatalf("still on a break: %+v", active)
	}
	if _, err := s.Stop(ctx, tk.ID, "again"); !errors.Is(err, ErrBadTicket) {
		t.Fatalf("a ticket works twice: %v", err)
	}
	ends, _ := s.store.EarlyEnds(ctx, time.Time{})
	if len(ends) != 1 || ends[0].Reason != "I need to reply to my sister" || !ends[0].PlannedEnd.Equal(w.End) {
		t.Fatalf("early ends %+v", ends)
	}
	if changed.count() != 2 {
		t.Fatalf("changed %d times, want 2 (start, stop)", changed.count())
	}
}

func TestLockedAndWeeklyCap(t *testing.T) {
	ctx := context.Background()
	// Monday: the week starts.
	s, clk, _ := newSvc(t, time.Date(2026, 11, 23, 10, 0, 0, 0, berlin))
	if _, err := s.Start(ctx, "15m", "", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestStop(ctx); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked: %v", err)
	}
	clk.Add(20 * time.Minute)
	end := func() error {
		if _, err := s.Start(ctx, "1h", "", false); err != nil {
			t.Fatal(err)
		}
		tk, err := s.RequestStop(ctx)
		if err != nil {
			return err
		}
		clk.Add(EarlyEndWait)
		_, err = s.Stop(ctx, tk.ID, "a real reason")
		clk.Add(time.Minute)
		return err
	}
	if err := end(); err != nil {
		t.Fatal(err)
	}
	if err := end(); err != nil {
		t.Fatal(err)
	}
	if err := end(); !errors.Is(err, ErrCap) {
		t.Fatalf("third early end this week: %v", err)
	}
	if used, limit, _ := s.EarlyEndsThisWeek(ctx); used != 2 || limit != 2 {
		t.Fatalf("used %d of %d", used, limit)
	}
	// Next Monday after the day start the count starts again.
	clk.Set(time.Date(2026, 11, 30, 4, 30, 0, 0, berlin))
	if used, _, _ := s.EarlyEndsThisWeek(ctx); used != 0 {
		t.Fatalf("new week used %d", used)
	}
	// The limit is configurable.
	if err := s.SetSettings(ctx, nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := end(); !errors.Is(err, ErrCap) {
		t.Fatalf("with a limit of 0: %v", err)
	}
}

func TestOpenEndedBreakMode(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newSvc(t, time.Date(2026, 11, 23, 10, 0, 0, 0, berlin))
	w, err := s.Start(ctx, "", "", false)
	if err != nil || !OpenEnded(w) || w.Name != "Break mode" {
		t.Fatalf("break mode %+v %v", w, err)
	}
	clk.Add(30 * 24 * time.Hour)
	if active, _, _ := s.Now(ctx); active == nil || active.Name != "Break mode" {
		t.Fatalf("break mode ended by itself: %+v", active)
	}
	bs, _, err := s.ForExtension(ctx, defaultSites)
	if err != nil || len(bs) != 1 || bs[0].End != nil {
		t.Fatalf("extension gets %+v %v", bs, err)
	}
}

func TestScheduleForExtension(t *testing.T) {
	ctx := context.Background()
	// Friday 15:00: the weekend break starts in 30 minutes.
	s, _, _ := newSvc(t, time.Date(2026, 11, 27, 15, 0, 0, 0, berlin))
	if _, err := s.AddRule(ctx, schedule.Rule{Name: "One day off", Kind: "weekly", Start: "Fri 15:30", End: "Sat 16:00"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRule(ctx, schedule.Rule{Name: "Evening", Kind: "weekly", Start: "weekdays 21:00", End: "07:00", Sites: []string{"news.ycombinator.com"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRule(ctx, schedule.Rule{Name: "Bad", Kind: "weekly", Start: "Fry 15:30", End: "Sat 16:00"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad rule: %v", err)
	}
	bs, until, err := s.ForExtension(ctx, defaultSites)
	if err != nil {
		t.Fatal(err)
	}
	if !until.Equal(time.Date(2026, 12, 4, 15, 0, 0, 0, berlin)) {
		t.Fatalf("until %s", until)
	}
	if len(bs) < 2 || bs[0].Name != "One day off" || len(bs[0].Sites) != 2 || bs[0].End == nil {
		t.Fatalf("breaks %+v", bs)
	}
	if !bs[0].Start.Equal(time.Date(2026, 11, 27, 15, 30, 0, 0, berlin)) || !bs[0].End.Equal(time.Date(2026, 11, 28, 16, 0, 0, 0, berlin)) {
		t.Fatalf("weekend window %s → %s", bs[0].Start, bs[0].End)
	}
	var evening int
	for _, b := range bs {
		if b.Name == "Evening" {
			evening++
			if len(b.Sites) != 1 || b.Sites[0] != "news.ycombinator.com" {
				t.Fatalf("evening sites %v", b.Sites)
			}
		}
	}
	// Fri 27 Nov evening is not in the window list start (21:00 after now), then Mon-Thu next week + Fri 4 Dec is after until.
	if evening != 5 {
		t.Fatalf("%d evening windows in the next 7 days, want 5", evening)
	}
	_, next, _ := s.Now(ctx)
	if next == nil || next.Name != "One day off" {
		t.Fatalf("next %+v", next)
	}
	// A running locked rule cannot be removed to escape it.
	rules, _ := s.Rules(ctx)
	if len(rules) != 2 {
		t.Fatalf("rules %+v", rules)
	}
	if err := s.RemoveRule(ctx, 99); !errors.Is(err, ErrNoRule) {
		t.Fatalf("remove unknown: %v", err)
	}
}

func TestRemoveRunningLockedRuleRefused(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newSvc(t, time.Date(2026, 11, 27, 16, 0, 0, 0, berlin))
	r, err := s.AddRule(ctx, schedule.Rule{Name: "Weekend", Kind: "weekly", Start: "Fri 15:30", End: "Sat 16:00", Locked: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveRule(ctx, r.ID); !errors.Is(err, ErrLocked) {
		t.Fatalf("removing a running locked break: %v", err)
	}
}

// The user's day start (HH:MM, from the dashboard's settings) ends a
// rest-of-day break, minutes included.
func TestRestOfDayFollowsDayStart(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newSvc(t, time.Date(2026, 11, 23, 22, 0, 0, 0, berlin))
	if err := s.store.SetSetting(ctx, "day_start", "05:30"); err != nil {
		t.Fatal(err)
	}
	w, err := s.Start(ctx, "rest-of-day", "Evening", false)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 24, 5, 30, 0, 0, berlin); !w.End.Equal(want) {
		t.Fatalf("rest-of-day ends %s, want %s", w.End.In(berlin), want)
	}
}

// Idle, Watch reads nothing from the store: its clock checks compare wall
// times only. A wall-clock jump (forward past a transition, as after a
// resume from suspend, or backwards) makes it read again at once, and a
// change through the service wakes it.
func TestWatchReadsTheStoreOnlyAtTransitions(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mon := time.Date(2026, 11, 23, 15, 0, 0, 0, berlin) // a Monday
	s, clk, changed := newSvc(t, mon)
	s.checkEvery = time.Millisecond
	if _, err := s.AddRule(ctx, schedule.Rule{Name: "Evening", Kind: schedule.KindWeekly, Start: "Mon 21:00", End: "Mon 22:00"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Watch(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	checks := func(n int64) {
		t.Helper()
		target := s.checks.Load() + n
		waitUntil(t, "clock checks", func() bool { return s.checks.Load() >= target })
	}
	checks(5) // the first read and the wake from AddRule are done
	reads := s.evaluations.Load()
	base := changed.count()
	checks(200)
	if n := s.evaluations.Load() - reads; n != 0 {
		t.Fatalf("idle Watch read the store %d times in 200 clock checks, want 0", n)
	}

	// The machine wakes up in the middle of the evening break.
	clk.Set(time.Date(2026, 11, 23, 21, 30, 0, 0, berlin))
	waitUntil(t, "the break noticed after a jump", func() bool { return changed.count() == base+1 })
	if active, _, _ := s.Now(ctx); active == nil || active.Name != "Evening" {
		t.Fatalf("active = %+v", active)
	}
	// The clock is set back before the break: it ends for the extension.
	clk.Set(mon)
	waitUntil(t, "the end noticed after a backward jump", func() bool { return changed.count() == base+2 })

	// A break started through the service wakes Watch (Start's own call,
	// then Watch's on the new running break).
	reads = s.evaluations.Load()
	if _, err := s.Start(ctx, "15m", "", false); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the new break read", func() bool { return s.evaluations.Load() > reads && changed.count() == base+4 })

	// With nothing else happening, the schedule is sent again after 6 hours.
	clk.Add(7 * time.Hour) // the 15-minute break is over too
	waitUntil(t, "the 6-hour refresh", func() bool { return changed.count() >= base+5 })
}

// A change made elsewhere (settings, all data deleted, an import) makes
// Watch read the breaks again at once.
func TestWatchReadsAgainAfterChangesElsewhere(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _, _ := newSvc(t, time.Date(2026, 11, 23, 15, 0, 0, 0, berlin))
	done := make(chan struct{})
	go func() { s.Watch(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, "the first read", func() bool { return s.evaluations.Load() >= 1 })
	for _, c := range []changes.Change{changes.SettingsChanged{}, changes.DataDeleted{}, changes.Imported{}} {
		reads := s.evaluations.Load()
		s.bus.Publish(c)
		waitUntil(t, fmt.Sprintf("a read after %T", c), func() bool { return s.evaluations.Load() > reads })
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
