package control

import (
	"errors"
	"net/http"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/feeds"
	"github.com/mindful-app/mindful/daemon/internal/state"
)

func apiFeed(f feeds.Feed) api.Feed {
	hosts, paths := f.Hosts, f.Paths
	if hosts == nil {
		hosts = []string{}
	}
	if paths == nil {
		paths = []string{}
	}
	return api.Feed{ID: f.ID, Name: f.Name, Hosts: hosts, Paths: paths, Enabled: f.Enabled, Builtin: f.Builtin}
}

func (s *Server) feedList(w http.ResponseWriter, r *http.Request) {
	fs, err := s.State.Feeds(r.Context())
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "read feeds: "+err.Error())
		return
	}
	out := make([]api.Feed, len(fs))
	for i, f := range fs {
		out[i] = apiFeed(f)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) feedAdd(w http.ResponseWriter, r *http.Request) {
	var req api.FeedRequest
	if !readJSON(w, r, &req) {
		return
	}
	f, err := s.State.AddFeed(r.Context(), state.FeedChange{ID: req.ID, Name: req.Name, Hosts: req.Hosts, Paths: req.Paths})
	if err != nil {
		writeStateErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, apiFeed(f))
}

func (s *Server) feedEnable(enabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req api.FeedID
		if !readJSON(w, r, &req) {
			return
		}
		f, err := s.State.SetEnabled(r.Context(), req.ID, enabled)
		if err != nil {
			writeStateErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, apiFeed(f))
	}
}

func (s *Server) promptsPause(w http.ResponseWriter, r *http.Request) {
	var req api.PauseRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Until.IsZero() {
		writeErr(w, http.StatusBadRequest, "until: missing")
		return
	}
	if err := s.State.PausePrompts(r.Context(), req.Until); err != nil {
		writeStateErr(w, err)
		return
	}
	s.status(w, r)
}

func (s *Server) promptsResume(w http.ResponseWriter, r *http.Request) {
	if err := s.State.PausePrompts(r.Context(), time.Time{}); err != nil {
		writeStateErr(w, err)
		return
	}
	s.status(w, r)
}

func (s *Server) promptSettings(w http.ResponseWriter, r *http.Request) {
	ps, err := s.State.PromptSettings(r.Context())
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, api.PromptSettings{PauseSeconds: &ps.PauseSeconds, DefaultTimeboxMinutes: &ps.DefaultTimeboxMinutes, TimeboxesMinutes: ps.TimeboxesMinutes})
}

func (s *Server) promptSettingsSet(w http.ResponseWriter, r *http.Request) {
	var req api.PromptSettings
	if !readJSON(w, r, &req) {
		return
	}
	pause, box := -1.0, -1
	if req.PauseSeconds != nil {
		pause = *req.PauseSeconds
		if pause < 0 {
			writeErr(w, http.StatusBadRequest, "pause_seconds: must not be negative")
			return
		}
	}
	if req.DefaultTimeboxMinutes != nil {
		box = *req.DefaultTimeboxMinutes
	}
	if err := s.State.SetPromptSettings(r.Context(), pause, box); err != nil {
		writeStateErr(w, err)
		return
	}
	s.promptSettings(w, r)
}

func writeStateErr(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, state.ErrInvalid):
		writeErr(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, state.ErrNoFeed):
		writeErr(w, http.StatusNotFound, err.Error())
	default:
		writeErr(w, http.StatusServiceUnavailable, err.Error())
	}
}
