package control

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/summary"
)

// writeSummaryErr answers a summary error: 400 for bad input (the message
// names the field), 503 otherwise.
func writeSummaryErr(w http.ResponseWriter, err error) {
	if errors.Is(err, summary.ErrInvalid) {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	writeErr(w, http.StatusServiceUnavailable, err.Error())
}

// summaryGet is GET /api/v1/summary: ?date= (one day, default today),
// ?from=&to= (a list of days), or ?week=1[&date=] (a week).
func (s *Server) summaryGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ctx := r.Context()
	switch {
	case q.Get("week") != "":
		wk, err := s.Summary.Week(ctx, q.Get("date"))
		if err != nil {
			writeSummaryErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, wk)
	case q.Has("from") || q.Has("to"):
		if q.Has("date") {
			writeErr(w, http.StatusBadRequest, "date: give either date or from and to, not both")
			return
		}
		days, err := s.Summary.Days(ctx, q.Get("from"), q.Get("to"))
		if err != nil {
			writeSummaryErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, days)
	default:
		d, err := s.Summary.Day(ctx, q.Get("date"))
		if err != nil {
			writeSummaryErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
	}
}

func (s *Server) reflectionSet(w http.ResponseWriter, r *http.Request) {
	var req api.ReflectionRequest
	if !readJSON(w, r, &req) {
		return
	}
	if err := s.Summary.SaveReflection(r.Context(), req.Date, req.Text); err != nil {
		writeSummaryErr(w, err)
		return
	}
	// An answered check-in is no longer due.
	if s.Checkin != nil {
		s.Checkin.Refresh()
	}
	d, err := s.Summary.Day(r.Context(), req.Date)
	if err != nil {
		writeSummaryErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) settingsGet(w http.ResponseWriter, r *http.Request) {
	set, err := s.Summary.Settings(r.Context())
	if err != nil {
		writeSummaryErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, set)
}

func (s *Server) settingsSet(w http.ResponseWriter, r *http.Request) {
	var set api.Settings
	if !readJSON(w, r, &set) {
		return
	}
	if err := s.Summary.SetSettings(r.Context(), set); err != nil {
		writeSummaryErr(w, err)
		return
	}
	s.settingsGet(w, r)
}

// export is GET /api/v1/export?format=json|csv (default json), sent as an
// attachment.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	// Years of events take longer to write than the server's timeout.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	switch format {
	case "json":
		w.Header().Set("Content-Type", "application/json")
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		writeErr(w, http.StatusBadRequest, `format: want json or csv, got "`+format+`"`)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="mindful-export.`+format+`"`)
	if err := s.Summary.Export(r.Context(), w, format); err != nil {
		// The status line may be sent already; the body then ends short
		// and the client sees a broken document.
		slog.Warn("export failed", "err", err)
	}
}

func (s *Server) deleteAll(w http.ResponseWriter, r *http.Request) {
	var req api.DeleteAllRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Confirm != api.DeleteAllConfirm {
		writeErr(w, http.StatusBadRequest, `confirm: must be "`+api.DeleteAllConfirm+`"`)
		return
	}
	// Once begun, the deletion runs to the end (the VACUUM of a large
	// database takes a while) even if the client gives up waiting.
	if err := s.Summary.DeleteAll(context.WithoutCancel(r.Context())); err != nil {
		writeSummaryErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Deleted bool `json:"deleted"`
	}{true})
}
