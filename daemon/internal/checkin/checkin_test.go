package checkin

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/changes"
)

var berlin = mustLoc("Europe/Berlin")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func tm(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

const four, nine = 4 * 60, 21 * 60

func TestDayOfAndMoment(t *testing.T) {
	for _, c := range []struct{ at, day string }{
		{"2026-11-23 03:59", "2026-11-22"},
		{"2026-11-23 04:00", "2026-11-23"},
		{"2026-11-23 23:30", "2026-11-23"},
		{"2026-03-01 01:00", "2026-02-28"},
	} {
		if got := DayOf(tm(c.at), four); got != c.day {
			t.Errorf("DayOf(%s) = %s, want %s", c.at, got, c.day)
		}
	}
	m, err := Moment("2026-11-23", four, nine, berlin)
	if err != nil || !m.Equal(tm("2026-11-23 21:00")) {
		t.Fatalf("Moment = %v, %v", m, err)
	}
	// A check-in time before the day start is on the next calendar date.
	m, _ = Moment("2026-11-23", four, 60, berlin)
	if !m.Equal(tm("2026-11-24 01:00")) {
		t.Fatalf("Moment(01:00) = %v, want the next night", m)
	}
	if _, err := Moment("23.11.2026", four, nine, berlin); err == nil {
		t.Fatal("a malformed date was accepted")
	}
}

func TestCandidate(t *testing.T) {
	for _, c := range []struct {
		now, missed, want string
		ok                bool
	}{
		{"2026-11-23 20:59", "", "", false},
		{"2026-11-23 21:00", "", "2026-11-23", true},
		{"2026-11-24 02:00", "", "2026-11-23", true},           // still the same day
		{"2026-11-24 08:00", "", "", false},                    // a new day, nothing missed
		{"2026-11-24 08:00", "2026-11-23", "2026-11-23", true}, // yesterday was missed
		{"2026-11-24 21:00", "2026-11-23", "2026-11-24", true}, // today's takes its place
		{"2026-11-25 08:00", "2026-11-23", "", false},          // too old
	} {
		got, ok := candidate(tm(c.now), four, nine, c.missed)
		if got != c.want || ok != c.ok {
			t.Errorf("candidate(%s, missed %q) = %q %v, want %q %v", c.now, c.missed, got, ok, c.want, c.ok)
		}
	}
}

func TestMissedBetween(t *testing.T) {
	for _, c := range []struct {
		from, to, want string
		ok             bool
	}{
		{"2026-11-23 18:00", "2026-11-24 08:00", "2026-11-23", true}, // off over the evening
		{"2026-11-23 21:30", "2026-11-24 08:00", "", false},          // it was running at 21:00
		{"2026-11-23 08:00", "2026-11-23 12:00", "", false},
		{"2026-11-22 20:00", "2026-11-24 08:00", "2026-11-23", true}, // the latest one counts
		{"2026-11-23 20:00", "2026-11-23 22:00", "2026-11-23", true},
	} {
		got, ok := missedBetween(tm(c.from), tm(c.to), four, nine)
		if got != c.want || ok != c.ok {
			t.Errorf("missedBetween(%s, %s) = %q %v, want %q %v", c.from, c.to, got, ok, c.want, c.ok)
		}
	}
}

type memKV struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *memKV) Setting(_ context.Context, key, def string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.m[key]; ok {
		return v, nil
	}
	return def, nil
}

func (k *memKV) SetSetting(_ context.Context, key, v string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key] = v
	return nil
}

// harness runs Watch with a fixed clock and reports every change.
type harness struct {
	svc       *Service
	published *changes.Subscription // CheckinChanged
	pending   []api.Checkin         // published, not yet checked by next
	kv        *memKV
	mu        sync.Mutex
	refl      map[string]bool
}

func start(t *testing.T, now, lastAlive time.Time, kv *memKV) *harness {
	t.Helper()
	bus := &changes.Bus{}
	h := &harness{published: bus.Subscribe(changes.CheckinChanged{}), kv: kv, refl: map[string]bool{}}
	h.svc = New(Config{
		Changes: bus,
		Store:   kv,
		Times:   func(context.Context) (string, string, error) { return "04:00", "21:00", nil },
		Reflected: func(_ context.Context, d string) (bool, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			return h.refl[d], nil
		},
		Now: func() time.Time { return now },
		Loc: berlin,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.svc.Watch(ctx, lastAlive); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

func (h *harness) next(t *testing.T, want api.Checkin) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for len(h.pending) == 0 {
		select {
		case <-h.published.Ready():
			for _, c := range h.published.Take() {
				h.pending = append(h.pending, c.(changes.CheckinChanged).Status)
			}
		case <-timeout:
			t.Fatalf("no change within 10 s; want %+v", want)
		}
	}
	got := h.pending[0]
	h.pending = h.pending[1:]
	if got != want {
		t.Fatalf("check-in = %+v, want %+v", got, want)
	}
}

func TestDueAnsweredAndDismissed(t *testing.T) {
	kv := &memKV{m: map[string]string{}}
	h := start(t, tm("2026-11-23 21:05"), tm("2026-11-23 21:04"), kv)
	h.next(t, api.Checkin{Due: true, Date: "2026-11-23"})

	// Saving the reflection ends it (the dashboard calls Refresh).
	h.mu.Lock()
	h.refl["2026-11-23"] = true
	h.mu.Unlock()
	h.svc.Refresh()
	h.next(t, api.Checkin{})

	// Removing it brings it back; "not tonight" ends it again.
	h.mu.Lock()
	h.refl["2026-11-23"] = false
	h.mu.Unlock()
	h.svc.Refresh()
	h.next(t, api.Checkin{Due: true, Date: "2026-11-23"})
	if err := h.svc.Dismiss(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	h.next(t, api.Checkin{})
	if kv.m[keyDismissed] != "2026-11-23" {
		t.Fatalf("dismissed = %q", kv.m[keyDismissed])
	}
	if err := h.svc.Dismiss(context.Background(), "monday"); err == nil {
		t.Fatal("a bad date was accepted")
	}
}

func TestMissedWhileOffIsOfferedNextMorning(t *testing.T) {
	kv := &memKV{m: map[string]string{}}
	// The daemon last ran at 19:00; it starts again the next morning.
	h := start(t, tm("2026-11-24 08:00"), tm("2026-11-23 19:00"), kv)
	h.next(t, api.Checkin{Due: true, Date: "2026-11-23"})
	if kv.m[keyMissed] != "2026-11-23" {
		t.Fatalf("missed = %q, want it kept for a restart", kv.m[keyMissed])
	}
}

func TestNotDueInTheMorningWhenItRanAtNine(t *testing.T) {
	kv := &memKV{m: map[string]string{}}
	h := start(t, tm("2026-11-24 08:00"), tm("2026-11-24 07:59"), kv)
	h.next(t, api.Checkin{})
}

// A change of the settings published elsewhere makes Watch read the
// check-in time again at once.
func TestSettingsChangedElsewhere(t *testing.T) {
	bus := &changes.Bus{}
	var mu sync.Mutex
	checkinTime := "22:00"
	h := &harness{published: bus.Subscribe(changes.CheckinChanged{})}
	h.svc = New(Config{
		Store: &memKV{m: map[string]string{}},
		Times: func(context.Context) (string, string, error) {
			mu.Lock()
			defer mu.Unlock()
			return "04:00", checkinTime, nil
		},
		Now:     func() time.Time { return tm("2026-11-23 21:05") },
		Loc:     berlin,
		Changes: bus,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.svc.Watch(ctx, tm("2026-11-23 21:04")); close(done) }()
	defer func() { cancel(); <-done }()
	h.next(t, api.Checkin{})

	mu.Lock()
	checkinTime = "21:00"
	mu.Unlock()
	bus.Publish(changes.SettingsChanged{})
	h.next(t, api.Checkin{Due: true, Date: "2026-11-23"})
}
