// Package checkin decides when the evening check-in ("What did you notice
// today?") is due, for the tray to offer and the dashboard to ask.
//
// A user's day runs from the day start (settings day_start, default 04:00)
// to the next one and is named by the date it starts on. The check-in of a
// day D is at the first check-in time (settings checkin_time, default
// 21:00) after D's start. It is due
//
//	from that moment ──► until the day's reflection is saved,
//	                     or the check-in is dismissed ("not tonight"),
//	                     or the next day's check-in takes its place.
//
// If the daemon was not watching at that moment (the computer was off or
// asleep), the check-in of that day is offered at the next start or
// wake-up instead, until the next day's check-in time:
//
//	day D ─ 21:00 (asleep) ─ next morning: wake ► D due ─ 21:00 ► D+1 due
//
// Pure decisions (Moment, Decide) are separate from the Service, which
// watches the clock every second and publishes changes.CheckinChanged when
// the answer changes. It reads the settings and reflections again after a
// change of the settings, a deletion of all data or an import.
package checkin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/daystart"
)

// Setting keys in the store.
const (
	keyDismissed = "checkin.dismissed" // the date last dismissed
	keyMissed    = "checkin.missed"    // the date whose moment passed unwatched
)

// Defaults when the settings cannot be read.
const (
	DefaultDayStart    = "04:00"
	DefaultCheckinTime = "21:00"
)

// Intervals.
const (
	tick    = time.Second // clock check
	refresh = time.Hour   // settings and reflection re-read as a safety net; changes call Refresh
	gap     = time.Minute // a longer silence between ticks means the moment was missed
)

// ErrInvalid wraps a bad argument.
var ErrInvalid = errors.New("invalid")

// KV is where the check-in keeps its two dates (the store's settings).
type KV interface {
	Setting(ctx context.Context, key, def string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Config wires a Service.
type Config struct {
	Store KV
	// Times returns the user's day start and check-in time ("HH:MM").
	Times func(ctx context.Context) (dayStart, checkin string, err error)
	// Reflected reports whether the reflection of a day is saved.
	Reflected func(ctx context.Context, date string) (bool, error)
	Now       func() time.Time // default time.Now
	Loc       *time.Location   // default time.Local
	Changes   *changes.Bus     // where CheckinChanged is published; may be nil
}

// Service tracks the check-in. It is safe for concurrent use.
type Service struct {
	cfg       Config
	wake      chan struct{}
	elsewhere *changes.Subscription // changes that make Watch read again
	mu        sync.Mutex
	status    api.Checkin
	checked   bool
}

// New returns a Service; Watch makes it current.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Loc == nil {
		cfg.Loc = time.Local
	}
	return &Service{cfg: cfg, wake: make(chan struct{}, 1),
		elsewhere: cfg.Changes.Subscribe(changes.SettingsChanged{}, changes.DataDeleted{}, changes.Imported{})}
}

// clock parses "HH:MM" into minutes after midnight.
func clock(s string) (int, error) {
	h, m, ok := daystart.ParseClock(s)
	if !ok {
		return 0, fmt.Errorf("%w: want HH:MM, got %q", ErrInvalid, s)
	}
	return h*60 + m, nil
}

func at(y int, m time.Month, d, minutes int, loc *time.Location) time.Time {
	return time.Date(y, m, d, minutes/60, minutes%60, 0, 0, loc)
}

// DayOf returns the date of the user's day containing t.
func DayOf(t time.Time, dayStart int) string {
	y, m, d := t.Date()
	if t.Before(at(y, m, d, dayStart, t.Location())) {
		d--
	}
	return time.Date(y, m, d, 12, 0, 0, 0, t.Location()).Format(time.DateOnly)
}

// Moment returns when the check-in of the day named date is: the first
// check-in time at or after that day's start.
func Moment(date string, dayStart, checkin int, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: date: want YYYY-MM-DD, got %q", ErrInvalid, date)
	}
	y, m, d := t.Date()
	if checkin < dayStart {
		d++
	}
	return at(y, m, d, checkin, loc), nil
}

func prevDate(date string) string {
	t, _ := time.Parse(time.DateOnly, date)
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}

// candidate returns the day whose check-in may be due at now: today's
// once its moment has passed, else yesterday's if it was missed.
func candidate(now time.Time, dayStart, checkin int, missed string) (string, bool) {
	today := DayOf(now, dayStart)
	m, _ := Moment(today, dayStart, checkin, now.Location())
	if !now.Before(m) {
		return today, true
	}
	if y := prevDate(today); missed == y {
		return y, true
	}
	return "", false
}

// missedBetween returns the day whose check-in moment fell in (from, to],
// if any: the daemon was not watching then.
func missedBetween(from, to time.Time, dayStart, checkin int) (string, bool) {
	if !from.Before(to) {
		return "", false
	}
	// The latest moment at or before to.
	d := DayOf(to, dayStart)
	for range 2 {
		m, _ := Moment(d, dayStart, checkin, to.Location())
		if !m.After(to) {
			if m.After(from) {
				return d, true
			}
			return "", false
		}
		d = prevDate(d)
	}
	return "", false
}

// Status is the current check-in, as last decided.
func (s *Service) Status(ctx context.Context) (api.Checkin, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status, nil
}

// Refresh makes Watch re-read the settings and the reflection now.
func (s *Service) Refresh() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Dismiss says "not tonight" to the check-in of date ("" = the one due).
func (s *Service) Dismiss(ctx context.Context, date string) error {
	if date == "" {
		st, _ := s.Status(ctx)
		if !st.Due {
			return fmt.Errorf("%w: no check-in is due", ErrInvalid)
		}
		date = st.Date
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return fmt.Errorf("%w: date: want YYYY-MM-DD, got %q", ErrInvalid, date)
	}
	if err := s.cfg.Store.SetSetting(ctx, keyDismissed, date); err != nil {
		return err
	}
	s.Refresh()
	return nil
}

// times reads the settings, falling back to the defaults.
func (s *Service) times(ctx context.Context) (dayStart, checkin int) {
	ds, ci := DefaultDayStart, DefaultCheckinTime
	if s.cfg.Times != nil {
		if a, b, err := s.cfg.Times(ctx); err == nil {
			ds, ci = a, b
		}
	}
	dayStart, err := clock(ds)
	if err != nil {
		dayStart, _ = clock(DefaultDayStart)
	}
	checkin, err = clock(ci)
	if err != nil {
		checkin, _ = clock(DefaultCheckinTime)
	}
	return dayStart, checkin
}

// Watch keeps Status current until ctx ends. lastAlive is when the daemon
// was last known to run (its heartbeat): a check-in whose moment passed
// since then was missed and is offered now.
func (s *Service) Watch(ctx context.Context, lastAlive time.Time) {
	t := time.NewTicker(tick)
	defer t.Stop()
	prev := lastAlive
	var k known
	var readAt time.Time
	for {
		now := s.cfg.Now().In(s.cfg.Loc)
		if readAt.IsZero() || now.Sub(readAt) >= refresh || now.Before(readAt) {
			k = s.read(ctx)
			readAt = now
		}
		if !prev.IsZero() && now.Sub(prev) > gap {
			if d, ok := missedBetween(prev.In(s.cfg.Loc), now, k.dayStart, k.checkin); ok {
				// Kept in the store so that a restart still offers it.
				s.cfg.Store.SetSetting(ctx, keyMissed, d)
				k.missed = d
			}
		}
		prev = now
		st := s.decide(ctx, now, &k)
		s.mu.Lock()
		changed := !s.checked || st != s.status
		s.status, s.checked = st, true
		s.mu.Unlock()
		if changed {
			s.cfg.Changes.Publish(changes.CheckinChanged{Status: st})
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
			readAt = time.Time{}
		case <-s.elsewhere.Ready():
			s.elsewhere.Take()
			readAt = time.Time{}
		}
	}
}

// known is what Watch last read from the settings and the summaries.
type known struct {
	dayStart, checkin int
	missed, dismissed string
	answered          map[string]bool // by date; only dates asked about
}

func (s *Service) read(ctx context.Context) known {
	k := known{answered: map[string]bool{}}
	k.dayStart, k.checkin = s.times(ctx)
	k.missed, _ = s.cfg.Store.Setting(ctx, keyMissed, "")
	k.dismissed, _ = s.cfg.Store.Setting(ctx, keyDismissed, "")
	return k
}

func (s *Service) decide(ctx context.Context, now time.Time, k *known) api.Checkin {
	d, ok := candidate(now, k.dayStart, k.checkin, k.missed)
	if !ok || k.dismissed == d {
		return api.Checkin{}
	}
	done, seen := k.answered[d]
	if !seen && s.cfg.Reflected != nil {
		var err error
		if done, err = s.cfg.Reflected(ctx, d); err != nil {
			k.answered[d] = true // unknown until the next read: do not nag
			return api.Checkin{}
		}
		k.answered[d] = done
	}
	if done {
		return api.Checkin{}
	}
	return api.Checkin{Due: true, Date: d}
}
