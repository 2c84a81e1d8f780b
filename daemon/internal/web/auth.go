package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Login works in two steps, so that no long-lived secret ever sits in a URL:
//
//	mindful dashboard ──POST /api/v1/dashboard/link (control token)──► one-time link
//	browser ──GET /login?token=…──► session cookie (HttpOnly, SameSite=Strict)
//	                              ──303──► /today (the secret is gone from the address bar)
//
// A link is random (256 bits), works once, and expires after LinkTTL.
// Sessions live in memory: restarting the daemon logs every browser out.

// Lifetimes.
const (
	LinkTTL    = 2 * time.Minute
	SessionTTL = 12 * time.Hour
	cookieName = "mindful_session"
	maxLinks   = 64 // unused links kept at most; the oldest goes first
)

var errBadLink = errors.New("this link was already used or has expired")

// random returns n random bytes, URL-safe base64 encoded.
func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashKey is how links and sessions are indexed: by the hash of their
// secret, so a lookup does not compare secrets byte by byte.
func hashKey(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

type link struct {
	page    string // where the browser lands, e.g. "/today"
	expires time.Time
}

type session struct {
	csrf    string
	expires time.Time
}

// auth holds the one-time links and the sessions.
type auth struct {
	now func() time.Time

	mu       sync.Mutex
	links    map[[32]byte]link
	sessions map[[32]byte]session
}

func newAuth(now func() time.Time) *auth {
	return &auth{now: now, links: map[[32]byte]link{}, sessions: map[[32]byte]session{}}
}

// mint makes a one-time link secret that logs in and lands on page.
func (a *auth) mint(page string) (secret string, expires time.Time) {
	secret = random(32)
	now := a.now()
	expires = now.Add(LinkTTL)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gcLocked(now)
	for len(a.links) >= maxLinks {
		var oldest [32]byte
		var t time.Time
		for k, l := range a.links {
			if t.IsZero() || l.expires.Before(t) {
				oldest, t = k, l.expires
			}
		}
		delete(a.links, oldest)
	}
	a.links[hashKey(secret)] = link{page: page, expires: expires}
	return secret, expires
}

// redeem uses up a link and starts a session; it returns the session
// secret and the page to land on.
func (a *auth) redeem(secret string) (sid, page string, err error) {
	if secret == "" {
		return "", "", errBadLink
	}
	k := hashKey(secret)
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.links[k]
	delete(a.links, k) // single use, even when it has expired
	if !ok || !now.Before(l.expires) {
		return "", "", errBadLink
	}
	a.gcLocked(now)
	sid = random(32)
	a.sessions[hashKey(sid)] = session{csrf: random(32), expires: now.Add(SessionTTL)}
	return sid, l.page, nil
}

// session returns the session of a request, if it has a valid one.
func (a *auth) session(r *http.Request) (session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return session{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[hashKey(c.Value)]
	if !ok || !a.now().Before(s.expires) {
		return session{}, false
	}
	return s, true
}

// end forgets the session of a request.
func (a *auth) end(r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		a.mu.Lock()
		delete(a.sessions, hashKey(c.Value))
		a.mu.Unlock()
	}
}

// endAll forgets every session and link (after all data was deleted).
func (a *auth) endAll() {
	a.mu.Lock()
	clear(a.sessions)
	clear(a.links)
	a.mu.Unlock()
}

func (a *auth) gcLocked(now time.Time) {
	for k, l := range a.links {
		if !now.Before(l.expires) {
			delete(a.links, k)
		}
	}
	for k, s := range a.sessions {
		if !now.Before(s.expires) {
			delete(a.sessions, k)
		}
	}
}

func sessionCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     cookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	}
}

// login exchanges a one-time link for a session cookie and redirects to a
// clean URL.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	sid, page, err := s.auth.redeem(r.URL.Query().Get("token"))
	if err != nil {
		s.renderLoggedOut(w, r, http.StatusForbidden, "This link was already used or has expired. Links work once, for two minutes.")
		return
	}
	http.SetCookie(w, sessionCookie(sid, int(SessionTTL.Seconds())))
	http.Redirect(w, r, page, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.auth.end(r)
	http.SetCookie(w, sessionCookie("", -1))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// sameSecret compares two secrets in constant time.
func sameSecret(a, b string) bool {
	return len(a) > 0 && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
