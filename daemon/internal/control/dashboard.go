package control

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/checkin"
)

// Dashboard mints one-time login links (daemon/internal/web.Server).
type Dashboard interface {
	Link(page, date string) (path string, expires time.Time, err error)
}

// Checkin is the evening check-in (daemon/internal/checkin.Service).
type Checkin interface {
	Status(ctx context.Context) (api.Checkin, error)
	Dismiss(ctx context.Context, date string) error
	// Refresh looks again at once (a reflection was saved).
	Refresh()
}

func (s *Server) dashboardLink(w http.ResponseWriter, r *http.Request) {
	var req api.DashboardLinkRequest
	if !readJSON(w, r, &req) {
		return
	}
	if s.Dashboard == nil {
		writeErr(w, http.StatusServiceUnavailable, "this daemon has no dashboard")
		return
	}
	path, exp, err := s.Dashboard.Link(req.Page, req.Date)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, api.DashboardLink{URL: "http://" + s.Addr + path, ExpiresAt: exp.UTC()})
}

func (s *Server) checkinDismiss(w http.ResponseWriter, r *http.Request) {
	var req api.CheckinDismissRequest
	if !readJSON(w, r, &req) {
		return
	}
	if s.Checkin == nil {
		writeErr(w, http.StatusServiceUnavailable, "this daemon has no check-in")
		return
	}
	if err := s.Checkin.Dismiss(r.Context(), req.Date); err != nil {
		code := http.StatusServiceUnavailable
		if errors.Is(err, checkin.ErrInvalid) {
			code = http.StatusBadRequest
		}
		writeErr(w, code, err.Error())
		return
	}
	s.status(w, r)
}

// checkin returns the check-in for the status; none when not wired.
func (s *Server) checkin(ctx context.Context) api.Checkin {
	if s.Checkin == nil {
		return api.Checkin{}
	}
	c, err := s.Checkin.Status(ctx)
	if err != nil {
		return api.Checkin{}
	}
	return c
}
