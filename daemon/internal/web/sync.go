package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// Sync is sharing between devices (daemon/internal/devicesync.Service).
type Sync interface {
	Status(ctx context.Context) (api.SyncStatus, error)
	Enable(ctx context.Context, req api.SyncEnableRequest) (api.SyncStatus, error)
	Disable(ctx context.Context) (api.SyncStatus, error)
}

// syncView is the Settings page's sharing section.
type syncView struct {
	St      api.SyncStatus
	KeyCode string // shown once, right after --encrypt
	Dir     string // the form's folder, kept after an error
	Now     time.Time
	CSRF    string // the page's token, for the section's forms
}

func (s *Server) syncSection(ctx context.Context) (*syncView, error) {
	if s.cfg.Sync == nil {
		return nil, nil
	}
	st, err := s.cfg.Sync.Status(ctx)
	if err != nil {
		return nil, err
	}
	return &syncView{St: st, Dir: st.Dir, Now: s.now()}, nil
}

func (s *Server) syncEnable(w http.ResponseWriter, r *http.Request, sess session) {
	f := r.PostForm
	req := api.SyncEnableRequest{
		Dir:     strings.TrimSpace(f.Get("dir")),
		Name:    strings.TrimSpace(f.Get("name")),
		Encrypt: f.Get("encryption") == "new",
		NewID:   f.Get("new_id") == "on",
	}
	if f.Get("encryption") == "code" {
		req.Key = strings.TrimSpace(f.Get("key"))
		if req.Key == "" {
			s.syncShow(w, r, sess, http.StatusBadRequest, "Not saved: type the key code shown on your other device.", "", req.Dir)
			return
		}
	}
	if s.cfg.Sync == nil {
		http.Error(w, "sharing between devices is not available", http.StatusNotFound)
		return
	}
	st, err := s.cfg.Sync.Enable(r.Context(), req)
	if err != nil {
		s.syncShow(w, r, sess, http.StatusBadRequest, "Not saved: "+strings.TrimPrefix(err.Error(), "invalid: "), "", req.Dir)
		return
	}
	if st.KeyCode != "" {
		// The code is shown once, in this answer, never in a URL.
		s.syncShow(w, r, sess, http.StatusOK, "", st.KeyCode, req.Dir)
		return
	}
	redirectDone(w, r, "/settings", "sync-on")
}

func (s *Server) syncDisable(w http.ResponseWriter, r *http.Request, sess session) {
	if s.cfg.Sync == nil {
		http.Error(w, "sharing between devices is not available", http.StatusNotFound)
		return
	}
	if _, err := s.cfg.Sync.Disable(r.Context()); err != nil {
		s.syncShow(w, r, sess, http.StatusServiceUnavailable, "Not saved: "+err.Error(), "", "")
		return
	}
	redirectDone(w, r, "/settings", "sync-off")
}

func (s *Server) syncShow(w http.ResponseWriter, r *http.Request, sess session, status int, errMsg, code, dir string) {
	done := ""
	if code != "" {
		done = doneMessages["sync-on"]
	}
	s.show(w, r, sess, status, func(ctx context.Context, r *http.Request, v *view) (string, error) {
		page, err := s.settingsPage(ctx, r, v)
		if d, ok := v.Data.(settingsData); ok && d.Sync != nil {
			d.Sync.KeyCode = code
			if dir != "" {
				d.Sync.Dir = dir
			}
			v.Data = d
		}
		return page, err
	}, errMsg, done)
}

// agoText says how long before now t was: "3 h", "25 min", "2 days".
func agoText(now time.Time, t *time.Time) string {
	if t == nil {
		return "never"
	}
	d := now.Sub(*t)
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}
