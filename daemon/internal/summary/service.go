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
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/state"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// ErrInvalid wraps errors in what the caller asked for (a bad date, a bad
// setting); the message names the field.
var ErrInvalid = errors.New("invalid")

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
	// Changed is called after a setting changed (may be nil).
	Changed func()
}

// Service builds summaries. It is safe for concurrent use.
type Service struct {
	cfg Config
}

// New returns a Service.
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
	if cfg.Changed == nil {
		cfg.Changed = func() {}
	}
	return &Service{cfg: cfg}
}

var errTODO = errors.New("not implemented yet")

// Day returns the summary of one day; date is YYYY-MM-DD, "" for today
// (the day that contains now). A day without data is all zeros.
func (s *Service) Day(ctx context.Context, date string) (api.Summary, error) {
	return api.Summary{}, errTODO
}

// Days returns the summaries of the days from..to (YYYY-MM-DD, both
// included, oldest first; at most 400 days).
func (s *Service) Days(ctx context.Context, from, to string) ([]api.Summary, error) {
	return nil, errTODO
}

// Week returns the 7 days ending with date ("" = today) and their totals.
func (s *Service) Week(ctx context.Context, date string) (api.Week, error) {
	return api.Week{}, errTODO
}

// SaveReflection stores the evening reflection answer of a day ("" =
// today), replacing an earlier one; empty text removes it.
func (s *Service) SaveReflection(ctx context.Context, date, text string) error {
	return errTODO
}

// Settings returns the user's general settings.
func (s *Service) Settings(ctx context.Context) (api.Settings, error) {
	return api.Settings{}, errTODO
}

// SetSettings validates and stores all of set. Nothing is stored when a
// field is invalid.
func (s *Service) SetSettings(ctx context.Context, set api.Settings) error {
	return errTODO
}

// Export writes everything stored as "json" or "csv".
func (s *Service) Export(ctx context.Context, w io.Writer, format string) error {
	return errTODO
}

// DeleteAll deletes everything stored about the user's activity, breaks,
// notes, reflections and settings, so that it is gone from the database
// file and its WAL too. Paired browsers stay paired.
func (s *Service) DeleteAll(ctx context.Context) error {
	return errTODO
}
