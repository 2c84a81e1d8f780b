package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

//go:embed templates
var templateFS embed.FS

// view is what the layout renders; Data is the page's own.
type view struct {
	Title   string
	Page    string // the active menu entry
	CSRF    string
	Checkin api.Checkin
	// CheckinHere: this page is the day the check-in asks about (no banner).
	CheckinHere bool
	Error       string // what went wrong with the last form, said calmly
	Done        string // what the last form did
	Message     string // logged-out page: why
	Data        any
}

var funcs = template.FuncMap{
	"dur":    fmtDur,
	"minbox": func(m int64) string { return fmtDur(m * 60) },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	"pages": func() []string { return Pages },
	"title": titleCase,
	"ago":   agoText, // sync.go
}

// titleCase makes a page name a menu entry: "history" → "History".
func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var templates = map[string]*template.Template{}

func init() {
	for _, p := range append(slices.Clone(Pages), "loggedout") {
		templates[p] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html"))
	}
}

// fmtDur says a number of seconds in words: "under a minute", "12 min",
// "1 h 5 min".
func fmtDur(secs int64) string {
	switch {
	case secs < 60:
		if secs <= 0 {
			return "0 min"
		}
		return "under a minute"
	case secs < 3600:
		return fmt.Sprintf("%d min", secs/60)
	}
	h, m := secs/3600, secs%3600/60
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// render writes a page; a template error is logged and answered with 500
// (nothing half-written reaches the browser).
func (s *Server) render(w http.ResponseWriter, status int, page string, v view) {
	var buf bytes.Buffer
	if err := templates[page].Execute(&buf, v); err != nil {
		s.log.Error("dashboard: render", "page", page, "err", err)
		http.Error(w, "the dashboard could not draw this page; see the daemon's log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderLoggedOut is the only page a browser without a session sees: no
// data, just how to get in.
func (s *Server) renderLoggedOut(w http.ResponseWriter, _ *http.Request, status int, msg string) {
	s.render(w, status, "loggedout", view{Title: "mindful", Message: msg})
}

// pageFunc fills a page's view; it returns the template name too.
type pageFunc func(ctx context.Context, r *http.Request, v *view) (page string, err error)

// page wraps a GET page: it needs a session and fills the layout's fields.
func (s *Server) page(fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.auth.session(r)
		if !ok {
			s.renderLoggedOut(w, r, http.StatusForbidden, "")
			return
		}
		s.show(w, r, sess, http.StatusOK, fn, "", doneMessages[r.URL.Query().Get("done")])
	}
}

// show renders a page with an optional error or done message.
func (s *Server) show(w http.ResponseWriter, r *http.Request, sess session, status int, fn pageFunc, errMsg, done string) {
	v := view{CSRF: sess.csrf, Error: errMsg, Done: done}
	if c, err := s.cfg.Checkin.Status(r.Context()); err == nil {
		v.Checkin = c
	}
	page, err := fn(r.Context(), r, &v)
	if err != nil {
		s.log.Warn("dashboard: page data", "path", r.URL.Path, "err", err)
		v.Error = "Something could not be read just now: " + err.Error()
		v.Data = nil
		if status < 400 {
			status = http.StatusServiceUnavailable
		}
	}
	v.Page = page
	if v.Title == "" {
		v.Title = titleCase(page)
	}
	s.render(w, status, page, v)
}

// doneMessages are the fixed messages a redirect after a form may show
// (?done=KEY): no user text is ever reflected from the URL.
var doneMessages = map[string]string{
	"reflection":    "Saved. Thank you for noticing.",
	"sync-on":       "Sharing with your other computers is on.",
	"sync-off":      "Sharing is off. What came from your other computers stays here.",
	"dismissed":     "All right. The check-in will ask again tomorrow evening.",
	"break-added":   "The break is in your schedule.",
	"break-changed": "The break is changed.",
	"break-removed": "The break is removed from your schedule.",
	"feed-added":    "The feed is saved.",
	"feed-on":       "mindful asks about this feed again.",
	"feed-off":      "mindful no longer asks about this feed.",
	"settings":      "Settings saved.",
	"deleted":       "Everything is deleted.",
}

func redirectDone(w http.ResponseWriter, r *http.Request, path, done string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+"done="+done, http.StatusSeeOther)
}

// day formats a YYYY-MM-DD date for a heading: "Monday 23 November".
func day(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.Format("Monday 2 January")
}

// shortDay formats a YYYY-MM-DD date for an axis: "23 Nov".
func shortDay(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.Format("2 Jan")
}
