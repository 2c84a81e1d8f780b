package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

type settingsData struct {
	S    api.Settings
	Sync *syncView // nil: no sharing in this daemon (sync.go)
}

func (s *Server) settingsPage(ctx context.Context, r *http.Request, v *view) (string, error) {
	set, err := s.cfg.Settings.Settings(ctx)
	if err != nil {
		return "settings", err
	}
	if prev, ok := v.Data.(api.Settings); ok {
		set = prev
	}
	sv, err := s.syncSection(ctx)
	if err != nil {
		return "settings", err
	}
	if sv != nil {
		sv.CSRF = v.CSRF
	}
	v.Title = "Settings"
	v.Data = settingsData{S: set, Sync: sv}
	return "settings", nil
}

// settingsFromForm reads the form; a number that does not parse is an
// error naming the field.
func settingsFromForm(r *http.Request) (api.Settings, error) {
	f := r.PostForm
	set := api.Settings{
		DayStart:      strings.TrimSpace(f.Get("day_start")),
		CheckinTime:   strings.TrimSpace(f.Get("checkin_time")),
		StoreFullURLs: f.Get("store_full_urls") == "on",
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(f.Get("prompt_pause_seconds")), 64)
	if err != nil {
		return set, fmt.Errorf("prompt pause: want a number of seconds, got %q", f.Get("prompt_pause_seconds"))
	}
	set.PromptPauseSeconds = p
	days := strings.TrimSpace(f.Get("retention_days"))
	if days != "" && days != "0" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return set, fmt.Errorf("data retention: want a number of days (0 keeps everything), got %q", days)
		}
		set.RetentionDays = n
	}
	return set, nil
}

func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request, sess session) {
	set, err := settingsFromForm(r)
	if err == nil {
		err = s.cfg.Settings.SetSettings(r.Context(), set)
	}
	if err != nil {
		s.show(w, r, sess, http.StatusBadRequest, func(ctx context.Context, r *http.Request, v *view) (string, error) {
			v.Data = set
			return s.settingsPage(ctx, r, v)
		}, "Not saved: "+strings.TrimPrefix(err.Error(), "invalid: "), "")
		return
	}
	s.cfg.Checkin.Refresh() // the check-in time may have moved
	redirectDone(w, r, "/settings", "settings")
}

// exportName is the download's file name: mindful-2026-11-23.json.
func exportName(now time.Time, format string) string {
	return "mindful-" + now.Format(time.DateOnly) + "." + format
}
