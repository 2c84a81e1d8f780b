// Package control serves the daemon's local control API (daemon/api) for the
// CLI and the tray. Every request needs the control token from the data
// directory, which only the user can read; requests that carry an Origin
// header come from a browser and are refused, so no web page can drive it.
package control

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/state"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/summary"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

// Server is the control API.
type Server struct {
	Token     string // control token
	Store     *store.Store
	State     *state.Service
	Breaks    *breaks.Service
	Changes   *changes.Bus // may be nil: the watch stream then only sends every 30 s
	Hub       *wsapi.Hub
	Pairings  *auth.Pairings
	Version   string
	Addr      string
	DataDir   string
	StartedAt time.Time
	Now       func() time.Time
	Summary   *summary.Service // the daily summary, settings, export and delete
	Dashboard Dashboard        // may be nil: no dashboard links
	Checkin   Checkin          // may be nil: no check-in in the status
	// Shutdown stops the daemon (POST /api/v1/shutdown); nil refuses.
	Shutdown func()
	Sync     Sync // may be nil: no sharing between devices (sync.go)
	// Database reports the health of the database (nil: always fine).
	// With a nil Store (the daemon found its database damaged at start)
	// the API answers the status and its stream, and every other request
	// with 503 and what is wrong.
	Database func() api.Database
}

// Handler returns the API: one route a line, grouped by subject (breaks,
// check-in, dashboard, data, feeds, pairing, schedule, prompts, settings,
// status, summary, sync), all behind authorize.
func (s *Server) Handler() http.Handler {
	if s.Store == nil {
		return s.authorize(s.damagedHandler())
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+api.PathBreaks, s.breakList)
	mux.HandleFunc("POST "+api.PathBreakSettings, s.breakSettings)
	mux.HandleFunc("POST "+api.PathBreakStart, s.breakStart)
	mux.HandleFunc("POST "+api.PathBreakStop, s.breakStop)
	mux.HandleFunc("POST "+api.PathBreakStopAsk, s.breakStopRequest)
	mux.HandleFunc("POST "+api.PathCheckinDismiss, s.checkinDismiss)
	mux.HandleFunc("POST "+api.PathDashboardLink, s.dashboardLink)
	mux.HandleFunc("POST "+api.PathDeleteAll, s.deleteAll)
	mux.HandleFunc("GET "+api.PathEvents, s.events)
	mux.HandleFunc("GET "+api.PathExport, s.export)
	mux.HandleFunc("GET "+api.PathFeeds, s.feedList)
	mux.HandleFunc("POST "+api.PathFeeds, s.feedAdd)
	mux.HandleFunc("POST "+api.PathFeedDisable, s.feedEnable(false))
	mux.HandleFunc("POST "+api.PathFeedEnable, s.feedEnable(true))
	mux.HandleFunc("GET "+api.PathPairing, s.pairing)
	mux.HandleFunc("POST "+api.PathApprove, s.approve)
	mux.HandleFunc("POST "+api.PathPairNative, s.pairNative) // native.go
	mux.HandleFunc("POST "+api.PathRevoke, s.revoke)
	mux.HandleFunc("GET "+api.PathSchedule, s.scheduleList)
	mux.HandleFunc("POST "+api.PathSchedule, s.scheduleAdd)
	mux.HandleFunc("POST "+api.PathScheduleRemove, s.scheduleRemove)
	mux.HandleFunc("POST "+api.PathShutdown, s.shutdown) // native.go
	mux.HandleFunc("POST "+api.PathPromptsPause, s.promptsPause)
	mux.HandleFunc("POST "+api.PathPromptsResume, s.promptsResume)
	mux.HandleFunc("GET "+api.PathPromptSettings, s.promptSettings)
	mux.HandleFunc("POST "+api.PathPromptSettings, s.promptSettingsSet)
	mux.HandleFunc("GET "+api.PathSettings, s.settingsGet)
	mux.HandleFunc("POST "+api.PathSettings, s.settingsSet)
	mux.HandleFunc("GET "+api.PathStatus, s.status)
	mux.HandleFunc("GET "+api.PathSummary, s.summaryGet)
	mux.HandleFunc("GET "+api.PathSync, s.syncStatus)          // sync.go
	mux.HandleFunc("POST "+api.PathSyncDisable, s.syncDisable) // sync.go
	mux.HandleFunc("POST "+api.PathSyncEnable, s.syncEnable)   // sync.go
	mux.HandleFunc("POST "+api.PathReflection, s.reflectionSet)
	mux.HandleFunc("GET "+api.PathWatch, s.watch)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})
	return s.authorize(mux)
}

// authorize admits only requests that carry the control token and no
// Origin (a browser), and marks every answer as not to be cached.
func (s *Server) authorize(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if o := r.Header.Get("Origin"); o != "" {
			writeErr(w, http.StatusForbidden, "the control API does not answer browsers (origin "+o+")")
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(s.Token)) != 1 {
			writeErr(w, http.StatusUnauthorized, "missing or wrong control token")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Status builds the current status. When the database is damaged, it is
// the status without what the database would tell (as much as it can).
func (s *Server) Status(ctx context.Context) (api.Status, error) {
	st, err := s.fullStatus(ctx)
	if db := s.database(); !db.OK {
		if err != nil || s.Store == nil {
			st = s.baseStatus()
		}
		st.Database = &db
		return st, nil
	}
	return st, err
}

// baseStatus is the part of the status that needs no database.
func (s *Server) baseStatus() api.Status {
	return api.Status{
		Running:   true,
		Version:   s.Version,
		Addr:      s.Addr,
		DataDir:   s.DataDir,
		StartedAt: s.StartedAt.UTC(),
		Clients:   []api.Client{},
		Database:  ptr(s.database()),
	}
}

func ptr[T any](v T) *T { return &v }

func (s *Server) database() api.Database {
	if s.Database == nil {
		return api.Database{OK: true}
	}
	return s.Database()
}

func (s *Server) fullStatus(ctx context.Context) (api.Status, error) {
	if s.Store == nil {
		return api.Status{}, errors.New("no database")
	}
	cs, err := s.Store.Clients(ctx)
	if err != nil {
		return api.Status{}, err
	}
	paused, err := s.State.PausedUntil(ctx)
	if err != nil {
		return api.Status{}, err
	}
	bs, nb, err := s.breakStatus(ctx)
	if err != nil {
		return api.Status{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return api.Status{}, err
	}
	access, err := s.Store.LatestAccess(ctx)
	if err != nil {
		return api.Status{}, err
	}
	conn := s.Hub.Connected()
	st := api.Status{
		Today:              today,
		Break:              bs,
		NextBreak:          nb,
		PromptsPausedUntil: paused,
		Running:            true,
		Version:            s.Version,
		Addr:               s.Addr,
		DataDir:            s.DataDir,
		StartedAt:          s.StartedAt.UTC(),
		Clients:            make([]api.Client, 0, len(cs)),
		PendingPairings:    len(s.Pairings.List(s.Now())),
		Checkin:            s.checkin(ctx),
		Sync:               s.syncBrief(ctx),
		Database:           ptr(s.database()),
	}
	for _, c := range cs {
		ac := api.Client{
			ID: c.ID, Browser: c.Browser, BrowserVersion: c.BrowserVersion, ExtVersion: c.ExtVersion,
			Connected: conn[c.ID], PairedAt: c.PairedAt, PairedVia: c.PairedVia,
			Access: access[c.ID].State, MissingHosts: access[c.ID].MissingHosts,
		}
		if !c.LastSeen.IsZero() {
			t := c.LastSeen
			ac.LastSeen = &t
		}
		st.Clients = append(st.Clients, ac)
	}
	return st, nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.Status(r.Context())
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "read status: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	var f store.EventFilter
	q := r.URL.Query()
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeErr(w, http.StatusBadRequest, "since: not an RFC 3339 time: "+strconv.Quote(v))
			return
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			writeErr(w, http.StatusBadRequest, "limit: want a number from 1 to 100000")
			return
		}
		f.Limit = n
	}
	evs, err := s.Store.Events(r.Context(), f)
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "read events: "+err.Error())
		return
	}
	out := make([]api.Event, len(evs))
	for i, e := range evs {
		out[i] = api.Event{
			ID: e.ID, TS: e.TS, Client: e.ClientID, Type: e.Type, Domain: e.Domain, URL: e.URL,
			EventFields: e.EventFields, ReceivedAt: e.ReceivedAt, SecondsOnFeed: e.SecondsOnFeed,
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) pairing(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Store.Clients(r.Context())
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "read pairings: "+err.Error())
		return
	}
	conn := s.Hub.Connected()
	out := api.Pairing{Pending: []api.PendingPairing{}, Paired: []api.PairedClient{}}
	for _, p := range s.Pairings.List(s.Now()) {
		out.Pending = append(out.Pending, api.PendingPairing{
			Code: p.Code, Browser: p.Browser, BrowserVersion: p.BrowserVersion, ClientID: p.ClientID,
			Origin: p.Origin, RequestedAt: p.RequestedAt.UTC(), ExpiresAt: p.ExpiresAt.UTC(),
		})
	}
	for _, c := range cs {
		out.Paired = append(out.Paired, api.PairedClient{
			ID: c.ID, Browser: c.Browser, BrowserVersion: c.BrowserVersion, Origin: c.Origin,
			Connected: conn[c.ID], PairedAt: c.PairedAt, PairedVia: c.PairedVia,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request) {
	var req api.ApproveRequest
	if !readJSON(w, r, &req) {
		return
	}
	c, err := s.Hub.Approve(r.Context(), req.Code)
	switch {
	case errors.Is(err, auth.ErrNoSuchCode):
		writeErr(w, http.StatusNotFound, err.Error())
	case err != nil:
		writeErr(w, http.StatusServiceUnavailable, err.Error())
	default:
		writeJSON(w, http.StatusOK, api.PairedClient{ID: c.ID, Browser: c.Browser, BrowserVersion: c.BrowserVersion, Origin: c.Origin, PairedAt: c.PairedAt, PairedVia: c.PairedVia})
	}
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	var req api.RevokeRequest
	if !readJSON(w, r, &req) {
		return
	}
	id, err := s.resolveClient(r.Context(), req.ID)
	if err != nil {
		writeErr(w, http.StatusNotFound, err.Error())
		return
	}
	if err := s.Hub.Revoke(r.Context(), id); err != nil {
		code := http.StatusServiceUnavailable
		if errors.Is(err, wsapi.ErrNotFound) {
			code = http.StatusNotFound
		}
		writeErr(w, code, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, api.RevokeRequest{ID: id})
}

// resolveClient accepts a full id or a unique prefix of at least 4 characters.
func (s *Server) resolveClient(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", errors.New("id: missing")
	}
	cs, err := s.Store.Clients(ctx)
	if err != nil {
		return "", err
	}
	var matches []string
	for _, c := range cs {
		if c.ID == id {
			return id, nil
		}
		if len(id) >= 4 && strings.HasPrefix(c.ID, id) {
			matches = append(matches, c.ID)
		}
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("no paired browser has id %q (see `mindful pair list`)", id)
	case 1:
		return matches[0], nil
	}
	return "", fmt.Errorf("id %q matches %d browsers (%s); give more of it", id, len(matches), strings.Join(matches, ", "))
}

func readJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		writeErr(w, http.StatusBadRequest, "request body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, api.Error{Error: msg})
}

// damagedHandler is the API of a daemon whose database was found damaged at
// start: the status (and its stream) say what is wrong; everything else is
// refused with the same words.
func (s *Server) damagedHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+api.PathStatus, s.status)
	mux.HandleFunc("GET "+api.PathWatch, s.watch)
	mux.HandleFunc("POST "+api.PathShutdown, s.shutdown)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		db := s.database()
		writeErr(w, http.StatusServiceUnavailable, fmt.Sprintf("%s (%s); %s", db.Problem, db.Path, db.Todo))
	})
	return mux
}
