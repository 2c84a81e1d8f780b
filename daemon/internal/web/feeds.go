package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/mindful-app/mindful/daemon/internal/feeds"
	"github.com/mindful-app/mindful/daemon/internal/state"
)

type feedsData struct {
	Feeds []feeds.Feed
}

func (s *Server) feedsPage(ctx context.Context, r *http.Request, v *view) (string, error) {
	fs, err := s.cfg.Feeds.Feeds(ctx)
	if err != nil {
		return "feeds", err
	}
	v.Title = "Feeds"
	v.Data = feedsData{Feeds: fs}
	return "feeds", nil
}

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

func (s *Server) feedAdd(w http.ResponseWriter, r *http.Request, sess session) {
	f := r.PostForm
	c := state.FeedChange{
		ID:    strings.TrimSpace(f.Get("id")),
		Name:  strings.TrimSpace(f.Get("name")),
		Hosts: fields(f.Get("hosts")),
		Paths: fields(f.Get("paths")),
	}
	if c.ID == "" {
		s.show(w, r, sess, http.StatusBadRequest, s.feedsPage, "Not saved: id: give the feed a short id such as mastodon.", "")
		return
	}
	if _, err := s.cfg.Feeds.AddFeed(r.Context(), c); err != nil {
		s.show(w, r, sess, http.StatusBadRequest, s.feedsPage, "Not saved: "+strings.TrimPrefix(err.Error(), "invalid: "), "")
		return
	}
	redirectDone(w, r, "/feeds", "feed-added")
}

func (s *Server) feedToggle(w http.ResponseWriter, r *http.Request, sess session) {
	on := r.PostForm.Get("enabled") == "true"
	if _, err := s.cfg.Feeds.SetEnabled(r.Context(), r.PostForm.Get("id"), on); err != nil {
		s.show(w, r, sess, http.StatusBadRequest, s.feedsPage, "Not changed: "+err.Error(), "")
		return
	}
	done := "feed-off"
	if on {
		done = "feed-on"
	}
	redirectDone(w, r, "/feeds", done)
}
