// Package summary builds the daily reflection: per day (from the user's day
// start to the next) the feed opens by answer, the time on feeds, the "need"
// time boxes, the breaks, the comparison with the user's usual, the notes
// and the evening reflection. It also owns the user's general settings
// (day start, check-in time, retention, full URLs) and the export and
// deletion of everything stored.
//
// Time on feeds is computed from the event stream by Accumulate, a pure
// function (see its comment for the rules).
package summary

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/state"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// ErrInvalid wraps errors in what the caller asked for (a bad date, a bad
// setting); the message names the field.
var ErrInvalid = errors.New("invalid")

// invalidError is an ErrInvalid whose message is only the field and the
// problem: `day_start: want HH:MM, got "25:00"`.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return ErrInvalid }

func invalid(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// Config wires a Service.
type Config struct {
	Store *store.Store
	// State sets the prompt pause; may be nil in tests (the pause is then
	// stored directly).
	State *state.Service
	// Breaks gives the break windows of a day; may be nil (no breaks).
	Breaks *breaks.Service
	Now    func() time.Time // default time.Now
	Loc    *time.Location   // the user's zone; nil = time.Local
	Logger *slog.Logger
	// Changes is where SettingsChanged and DataDeleted are published (may
	// be nil).
	Changes *changes.Bus
}

// Service builds summaries. It is safe for concurrent use.
type Service struct {
	cfg      Config
	fullURLs atomic.Bool
}

// New returns a Service. It reads the cached settings lazily: call Load
// once before StoreFullURLs matters.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Loc == nil {
		cfg.Loc = time.Local
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg}
}

// Load reads the settings the Service caches (whether to store full URLs).
func (s *Service) Load(ctx context.Context) error { return s.loadFlags(ctx) }

// Export writes everything stored as "json" or "csv" (see store.Export).
func (s *Service) Export(ctx context.Context, w io.Writer, format string) error {
	if format != "json" && format != "csv" {
		return invalid("format: want json or csv, got %q", format)
	}
	return s.cfg.Store.Export(ctx, w, format)
}

// DeleteAll deletes everything stored about the user's activity, breaks,
// notes, reflections and settings, so that it is gone from the database
// file and its WAL too. Paired browsers stay paired.
func (s *Service) DeleteAll(ctx context.Context) error {
	if err := s.cfg.Store.DeleteAll(ctx); err != nil {
		return err
	}
	s.fullURLs.Store(false)
	s.cfg.Changes.Publish(changes.DataDeleted{})
	return nil
}

// SaveReflection stores the evening reflection answer of a day ("" =
// today), replacing an earlier one; empty text removes it.
func (s *Service) SaveReflection(ctx context.Context, date, text string) error {
	if date == "" {
		h, m, err := s.dayStart(ctx)
		if err != nil {
			return err
		}
		date = s.today(h, m).Format(time.DateOnly)
	} else if _, err := ParseDate("date", date); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if len(text) > MaxReflection {
		return invalid("text: %d bytes, at most %d", len(text), MaxReflection)
	}
	return s.cfg.Store.SetReflection(ctx, date, text, s.cfg.Now())
}

// Reflected reports whether the reflection of the day named date is saved,
// which the evening check-in asks.
func (s *Service) Reflected(ctx context.Context, date string) (bool, error) {
	day, err := s.Day(ctx, date)
	return day.Reflection != "", err
}

// MaxReflection is the longest reflection text, in bytes.
const MaxReflection = 10000

// Week returns the 7 days ending with date ("" = today) and their totals.
func (s *Service) Week(ctx context.Context, date string) (api.Week, error) {
	var end time.Time
	if date == "" {
		h, m, err := s.dayStart(ctx)
		if err != nil {
			return api.Week{}, err
		}
		end = s.today(h, m)
	} else {
		var err error
		if end, err = ParseDate("date", date); err != nil {
			return api.Week{}, err
		}
	}
	from := end.AddDate(0, 0, -6).Format(time.DateOnly)
	days, err := s.Days(ctx, from, end.Format(time.DateOnly))
	if err != nil {
		return api.Week{}, err
	}
	w := api.Week{From: from, To: end.Format(time.DateOnly), Days: days, Totals: Total(days)}
	return w, nil
}

// Total adds up days.
func Total(days []api.Summary) api.Totals {
	var t api.Totals
	t.Feeds = []api.FeedDay{}
	byID := map[string]int{}
	for _, d := range days {
		t.Opens.Total += d.Opens.Total
		t.Opens.Habit += d.Opens.Habit
		t.Opens.HabitContinued += d.Opens.HabitContinued
		t.Opens.Need += d.Opens.Need
		t.Opens.LeftDuringPause += d.Opens.LeftDuringPause
		t.SecondsOnFeeds += d.SecondsOnFeeds
		t.Breaks.Planned += d.Breaks.Planned
		t.Breaks.Kept += d.Breaks.Kept
		t.Breaks.EndedEarly += d.Breaks.EndedEarly
		for _, f := range d.Feeds {
			i, ok := byID[f.ID]
			if !ok {
				i = len(t.Feeds)
				byID[f.ID] = i
				t.Feeds = append(t.Feeds, api.FeedDay{ID: f.ID})
			}
			x := &t.Feeds[i]
			x.Opens += f.Opens
			x.Habit += f.Habit
			x.HabitContinued += f.HabitContinued
			x.Need += f.Need
			x.LeftDuringPause += f.LeftDuringPause
			x.Seconds += f.Seconds
		}
	}
	slices.SortFunc(t.Feeds, func(a, b api.FeedDay) int {
		if c := cmp.Compare(b.Seconds, a.Seconds); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Opens, a.Opens); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(days) > 0 {
		t.AvgOpens = round1(float64(t.Opens.Total) / float64(len(days)))
	}
	return t
}
