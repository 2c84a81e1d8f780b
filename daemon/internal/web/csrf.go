package web

import (
	"net/http"
	"net/url"
	"strings"
)

// A state-changing request must pass three checks, any one of which stops
// a forged request from another site:
//
//  1. Sec-Fetch-Site, when the browser sends it, is "same-origin" (or
//     "none": typed by the user), never "same-site" or "cross-site".
//  2. Origin, when present, is this daemon's own origin ("null" only
//     with Sec-Fetch-Site: same-origin, see sameOrigin).
//  3. The form's csrf field equals the session's token (constant time).
//
// The session cookie is SameSite=Strict on top of that.

const csrfField = "csrf"

// sameOrigin reports whether a request's Origin and Sec-Fetch-Site headers
// say it comes from the dashboard itself; reason says why not.
func sameOrigin(r *http.Request) (ok bool, reason string) {
	sfs := r.Header.Get("Sec-Fetch-Site")
	switch sfs {
	case "", "same-origin", "none":
	default:
		return false, "Sec-Fetch-Site is " + sfs
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true, ""
	}
	// Under "Referrer-Policy: no-referrer" Chromium sends "Origin: null"
	// even for the dashboard's own forms; then Sec-Fetch-Site, which no
	// page can set, has the last word.
	if o == "null" && sfs == "same-origin" {
		return true, ""
	}
	u, err := url.Parse(o)
	if err != nil || o == "null" || u.Scheme != "http" || !strings.EqualFold(u.Host, r.Host) {
		return false, "Origin " + o + " is not this dashboard"
	}
	return true, ""
}

// protect wraps a POST handler: it needs a session, a same-origin request
// and the session's CSRF token.
func (s *Server) protect(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, why := sameOrigin(r); !ok {
			s.log.Warn("dashboard: cross-origin request refused", "path", r.URL.Path, "why", why)
			s.refuse(w, r, "This request did not come from the dashboard ("+why+").")
			return
		}
		sess, ok := s.auth.session(r)
		if !ok {
			s.renderLoggedOut(w, r, http.StatusForbidden, "Your dashboard session has ended.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			s.refuse(w, r, "The form could not be read: "+err.Error())
			return
		}
		if !sameSecret(r.PostForm.Get(csrfField), sess.csrf) {
			s.log.Warn("dashboard: request without a valid CSRF token refused", "path", r.URL.Path)
			s.refuse(w, r, "This form is missing its security token. Reload the page and try again.")
			return
		}
		h(w, r, sess)
	}
}

// refuse answers 403 with a short page.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, msg string) {
	s.renderLoggedOut(w, r, http.StatusForbidden, msg)
}
