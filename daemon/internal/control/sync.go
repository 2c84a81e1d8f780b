package control

import (
	"context"
	"errors"
	"net/http"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/devicesync"
)

// Sync is sharing between devices (daemon/internal/devicesync.Service).
type Sync interface {
	Status(ctx context.Context) (api.SyncStatus, error)
	Enable(ctx context.Context, req api.SyncEnableRequest) (api.SyncStatus, error)
	Disable(ctx context.Context) (api.SyncStatus, error)
}

func (s *Server) syncStatus(w http.ResponseWriter, r *http.Request) {
	if s.Sync == nil {
		writeErr(w, http.StatusNotFound, "sharing between devices is not available in this daemon")
		return
	}
	st, err := s.Sync.Status(r.Context())
	writeSync(w, st, err)
}

func (s *Server) syncEnable(w http.ResponseWriter, r *http.Request) {
	var req api.SyncEnableRequest
	if !readJSON(w, r, &req) {
		return
	}
	if s.Sync == nil {
		writeErr(w, http.StatusNotFound, "sharing between devices is not available in this daemon")
		return
	}
	st, err := s.Sync.Enable(r.Context(), req)
	writeSync(w, st, err)
}

func (s *Server) syncDisable(w http.ResponseWriter, r *http.Request) {
	if s.Sync == nil {
		writeErr(w, http.StatusNotFound, "sharing between devices is not available in this daemon")
		return
	}
	st, err := s.Sync.Disable(r.Context())
	writeSync(w, st, err)
}

func writeSync(w http.ResponseWriter, st api.SyncStatus, err error) {
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, st)
	case errors.Is(err, devicesync.ErrInvalid):
		writeErr(w, http.StatusBadRequest, err.Error())
	default:
		writeErr(w, http.StatusServiceUnavailable, "sync: "+err.Error())
	}
}

// syncBrief fills the status's sync part when sharing is on.
func (s *Server) syncBrief(ctx context.Context) *api.SyncStatus {
	if s.Sync == nil {
		return nil
	}
	st, err := s.Sync.Status(ctx)
	if err != nil || !st.Enabled {
		return nil
	}
	return &st
}
