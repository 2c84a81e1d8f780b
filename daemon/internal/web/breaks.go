package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/mindful-app/mindful/daemon/internal/schedule"
)

type breaksData struct {
	Rules []schedule.Rule
	Add   schedule.Rule // the add form, kept after an error
}

func (s *Server) breaksPage(ctx context.Context, r *http.Request, v *view) (string, error) {
	rules, err := s.cfg.Breaks.Rules(ctx)
	if err != nil {
		return "breaks", err
	}
	d := breaksData{Rules: rules, Add: schedule.Rule{Kind: schedule.KindWeekly}}
	if prev, ok := v.Data.(schedule.Rule); ok {
		d.Add = prev
	}
	v.Title = "Breaks"
	v.Data = d
	return "breaks", nil
}

// ruleFromForm reads a rule from the add or edit form. Sites is one host
// per line or separated by spaces or commas; empty means every feed.
func ruleFromForm(r *http.Request) schedule.Rule {
	f := r.PostForm
	rule := schedule.Rule{
		Name:   strings.TrimSpace(f.Get("name")),
		Kind:   f.Get("kind"),
		Start:  strings.TrimSpace(f.Get("start")),
		End:    strings.TrimSpace(f.Get("end")),
		Locked: f.Get("locked") == "on",
	}
	if sites := strings.FieldsFunc(f.Get("sites"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }); len(sites) > 0 {
		rule.Sites = sites
	}
	return rule
}

// showBreaksError re-renders the breaks page with the service's error,
// which names the field (the same words as the CLI).
func (s *Server) showBreaksError(w http.ResponseWriter, r *http.Request, sess session, err error, keep *schedule.Rule) {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "invalid: ")
	s.show(w, r, sess, http.StatusBadRequest, func(ctx context.Context, r *http.Request, v *view) (string, error) {
		if keep != nil {
			v.Data = *keep
		}
		return s.breaksPage(ctx, r, v)
	}, "Not saved: "+msg, "")
}

func (s *Server) breakAdd(w http.ResponseWriter, r *http.Request, sess session) {
	rule := ruleFromForm(r)
	if _, err := s.cfg.Breaks.AddRule(r.Context(), rule); err != nil {
		s.showBreaksError(w, r, sess, err, &rule)
		return
	}
	redirectDone(w, r, "/breaks", "break-added")
}

// breakEdit replaces a rule: the new one is added first (so an invalid
// edit changes nothing), then the old one removed; if the old one cannot
// be removed (a locked break that is running), the new one is taken back.
func (s *Server) breakEdit(w http.ResponseWriter, r *http.Request, sess session) {
	id, err := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
	if err != nil {
		s.showBreaksError(w, r, sess, errors.New("id: not a number"), nil)
		return
	}
	rule := ruleFromForm(r)
	added, err := s.cfg.Breaks.AddRule(r.Context(), rule)
	if err != nil {
		s.showBreaksError(w, r, sess, err, nil)
		return
	}
	if err := s.cfg.Breaks.RemoveRule(r.Context(), id); err != nil {
		if uerr := s.cfg.Breaks.RemoveRule(r.Context(), added.ID); uerr != nil {
			err = errors.Join(err, uerr)
		}
		s.showBreaksError(w, r, sess, err, nil)
		return
	}
	redirectDone(w, r, "/breaks", "break-changed")
}

func (s *Server) breakRemove(w http.ResponseWriter, r *http.Request, sess session) {
	id, err := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
	if err != nil {
		s.showBreaksError(w, r, sess, errors.New("id: not a number"), nil)
		return
	}
	if err := s.cfg.Breaks.RemoveRule(r.Context(), id); err != nil {
		s.showBreaksError(w, r, sess, err, nil)
		return
	}
	redirectDone(w, r, "/breaks", "break-removed")
}
