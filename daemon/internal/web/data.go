package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"
)

// deleteWord is what the user types to confirm deleting everything.
const deleteWord = "delete"

// confirmStep marks the data page's second step: type "delete".
type confirmStep struct{}

func (s *Server) dataPage(ctx context.Context, r *http.Request, v *view) (string, error) {
	v.Title = "Your data"
	return "data", nil
}

// deleteConfirmPage is the second step of deleting everything.
func (s *Server) deleteConfirmPage(ctx context.Context, r *http.Request, v *view) (string, error) {
	v.Title = "Delete everything?"
	v.Data = confirmStep{}
	return "data", nil
}

// dataExport downloads everything as ?format=json or csv. It needs the
// session but, being a read, no CSRF token; a cross-site page cannot read
// the answer (and the SameSite=Strict cookie is not sent to it anyway).
func (s *Server) dataExport(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth.session(r); !ok {
		s.renderLoggedOut(w, r, http.StatusForbidden, "")
		return
	}
	// Years of events take longer to write than the server's timeout.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
	format := r.URL.Query().Get("format")
	ctype := map[string]string{"json": "application/json", "csv": "text/csv; charset=utf-8"}[format]
	if ctype == "" {
		http.Error(w, `format: want "json" or "csv"`, http.StatusBadRequest)
		return
	}
	// Buffer it, so an error half-way is an error and not a truncated file.
	var buf bytes.Buffer
	if err := s.cfg.Data.Export(r.Context(), &buf, format); err != nil {
		s.log.Warn("dashboard: export", "err", err)
		http.Error(w, "export failed: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName(s.now().In(s.loc), format)+`"`)
	w.Write(buf.Bytes())
}

// dataDelete deletes everything after the second step: the user typed
// "delete".
func (s *Server) dataDelete(w http.ResponseWriter, r *http.Request, sess session) {
	if strings.TrimSpace(strings.ToLower(r.PostForm.Get("confirm"))) != deleteWord {
		s.show(w, r, sess, http.StatusBadRequest, s.deleteConfirmPage, `Nothing was deleted: type the word "delete" in the box to confirm.`, "")
		return
	}
	if err := s.cfg.Data.DeleteAll(r.Context()); err != nil {
		s.show(w, r, sess, http.StatusServiceUnavailable, s.deleteConfirmPage, "Nothing was deleted: "+err.Error(), "")
		return
	}
	s.cfg.Checkin.Refresh()
	s.log.Info("dashboard: everything deleted at the user's request")
	redirectDone(w, r, "/data", "deleted")
}
