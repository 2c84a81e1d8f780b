// Package web serves mindful's dashboard: the pages a person opens from the
// tray or with `mindful dashboard` at http://127.0.0.1:PORT/ to look back at
// their day (Today, with the evening check-in), their history (charts), and
// to change breaks, feeds, settings and their data.
//
// Everything is server-rendered HTML with a shared layout (templates/), one
// stylesheet (static/) and inline SVG charts, embedded in the binary: no
// script, no CDN, no remote font. The package depends only on the small
// interfaces below; the daemon wires the real services.
//
// Security, one file per concern: auth.go (one-time login links and
// in-memory sessions), csrf.go (same-origin checks and a per-session CSRF
// token on every POST), headers.go (CSP, framing, caching). The Host header
// is checked by daemon/internal/admission in front of the whole daemon.
package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/feeds"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/state"
)

// Summaries gives the daily summaries and stores the evening reflection
// (daemon/internal/summary.Service).
type Summaries interface {
	Day(ctx context.Context, date string) (api.Summary, error)
	Days(ctx context.Context, from, to string) ([]api.Summary, error)
	SaveReflection(ctx context.Context, date, text string) error
}

// Settings reads and changes the user's general settings
// (daemon/internal/summary.Service).
type Settings interface {
	Settings(ctx context.Context) (api.Settings, error)
	SetSettings(ctx context.Context, s api.Settings) error
}

// Data exports and deletes everything stored
// (daemon/internal/summary.Service).
type Data interface {
	Export(ctx context.Context, w io.Writer, format string) error
	DeleteAll(ctx context.Context) error
}

// Breaks is the break schedule (daemon/internal/breaks.Service); AddRule
// validates a rule exactly as for the CLI.
type Breaks interface {
	Rules(ctx context.Context) ([]schedule.Rule, error)
	AddRule(ctx context.Context, r schedule.Rule) (schedule.Rule, error)
	RemoveRule(ctx context.Context, id int64) error
}

// Feeds is the feed catalog (daemon/internal/state.Service).
type Feeds interface {
	Feeds(ctx context.Context) ([]feeds.Feed, error)
	AddFeed(ctx context.Context, c state.FeedChange) (feeds.Feed, error)
	SetEnabled(ctx context.Context, id string, enabled bool) (feeds.Feed, error)
}

// Checkin is the evening check-in (daemon/internal/checkin.Service).
type Checkin interface {
	Status(ctx context.Context) (api.Checkin, error)
	Dismiss(ctx context.Context, date string) error
	// Refresh re-checks at once (after a reflection was saved).
	Refresh()
}

// Config wires a Server. Every service is required.
type Config struct {
	Summaries Summaries
	Settings  Settings
	Data      Data
	Breaks    Breaks
	Feeds     Feeds
	Checkin   Checkin
	Sync      Sync             // may be nil: no sharing between devices (sync.go)
	Now       func() time.Time // default time.Now
	Loc       *time.Location   // the user's zone; default time.Local
	Logger    *slog.Logger
}

// Server is the dashboard.
type Server struct {
	cfg  Config
	log  *slog.Logger
	auth *auth
	now  func() time.Time
	loc  *time.Location
}

// New returns a dashboard server.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Loc == nil {
		cfg.Loc = time.Local
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Server{cfg: cfg, log: cfg.Logger, auth: newAuth(cfg.Now), now: cfg.Now, loc: cfg.Loc}
}

// Pages are the dashboard's pages, in menu order; `mindful dashboard
// --page` takes these names.
var Pages = []string{"today", "history", "breaks", "feeds", "settings", "data"}

// ErrBadPage is returned by Link for a page that does not exist.
var ErrBadPage = errors.New("no such dashboard page")

// Link mints a one-time login link path (with its secret) that lands on
// page ("" = today), for a day when date is set (Today only). It works
// once, until expires.
func (s *Server) Link(page, date string) (path string, expires time.Time, err error) {
	if page == "" {
		page = "today"
	}
	ok := false
	for _, p := range Pages {
		ok = ok || p == page
	}
	if !ok {
		return "", time.Time{}, errors.Join(ErrBadPage, errors.New("page "+quote(page)+": want one of "+strings.Join(Pages, ", ")))
	}
	land := "/" + page
	if date != "" {
		if page != "today" {
			return "", time.Time{}, errors.New("date: only the today page takes a date")
		}
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			return "", time.Time{}, errors.New("date " + quote(date) + ": want YYYY-MM-DD")
		}
		land += "?date=" + date
	}
	secret, exp := s.auth.mint(land)
	return "/login?token=" + secret, exp, nil
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return "\"" + s + "\""
}

// Handler returns the dashboard's routes, sorted by path. Mount it at "/"
// behind the Host check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /breaks", s.page(s.breaksPage))
	mux.HandleFunc("POST /breaks/add", s.protect(s.breakAdd))
	mux.HandleFunc("POST /breaks/edit", s.protect(s.breakEdit))
	mux.HandleFunc("POST /breaks/remove", s.protect(s.breakRemove))
	mux.HandleFunc("POST /checkin/dismiss", s.protect(s.checkinDismiss))
	mux.HandleFunc("GET /data", s.page(s.dataPage))
	mux.HandleFunc("GET /data/delete", s.page(s.deleteConfirmPage))
	mux.HandleFunc("POST /data/delete", s.protect(s.dataDelete))
	mux.HandleFunc("GET /data/export", s.dataExport)
	mux.HandleFunc("GET /feeds", s.page(s.feedsPage))
	mux.HandleFunc("POST /feeds/add", s.protect(s.feedAdd))
	mux.HandleFunc("POST /feeds/toggle", s.protect(s.feedToggle))
	mux.HandleFunc("GET /history", s.page(s.historyPage))
	mux.HandleFunc("GET /login", s.login)
	mux.HandleFunc("POST /logout", s.protect(func(w http.ResponseWriter, r *http.Request, _ session) { s.logout(w, r) }))
	mux.HandleFunc("GET /settings", s.page(s.settingsPage))
	mux.HandleFunc("POST /settings", s.protect(s.settingsSave))
	mux.HandleFunc("POST /sync/disable", s.protect(s.syncDisable)) // sync.go
	mux.HandleFunc("POST /sync/enable", s.protect(s.syncEnable))   // sync.go
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("GET /today", s.page(s.todayPage))
	mux.HandleFunc("POST /today/reflection", s.protect(s.reflectionSave))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderLoggedOut(w, r, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
	})
	return headers(mux)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth.session(r); ok {
		http.Redirect(w, r, "/today", http.StatusSeeOther)
		return
	}
	s.renderLoggedOut(w, r, http.StatusOK, "")
}
