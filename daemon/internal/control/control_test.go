package control_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/control"
	"github.com/mindful-app/mindful/daemon/internal/state"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

const (
	testToken    = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	chromeOrigin = "chrome-extension://" + admission.ChromeExtensionID
)

// now is the fixed clock of every fixture; the store keeps milliseconds,
// so it has none below that.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a control server over a real SQLite store and a real hub.
type fixture struct {
	srv      *control.Server
	st       *store.Store
	hub      *wsapi.Hub
	pairings *auth.Pairings
	ts       *httptest.Server
}

func newFixture(t *testing.T, mod func(*control.Server)) *fixture {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "mindful.db"), store.Options{
		BusyTimeout: time.Second,
		Logger:      slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	pairings := &auth.Pairings{}
	clock := func() time.Time { return now }
	hub := wsapi.New(wsapi.Config{
		Store:    st,
		Pairings: pairings,
		Origins:  admission.DefaultOriginPolicy(),
		Version:  "test",
		Log:      slog.New(slog.NewTextHandler(t.Output(), nil)),
		Now:      clock,
	})
	svc, err := state.New(t.Context(), st, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := &control.Server{
		Token:     testToken,
		Store:     st,
		State:     svc,
		Breaks:    breaks.New(breaks.Config{Store: st, Now: clock, Location: time.UTC}),
		Hub:       hub,
		Pairings:  pairings,
		Version:   "1.2.3-test",
		Addr:      "127.0.0.1:17717",
		DataDir:   "/data/mindful",
		StartedAt: now.Add(-time.Hour),
		Now:       clock,
	}
	if mod != nil {
		mod(srv)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hub.Shutdown(ctx); err != nil {
			t.Errorf("hub shutdown: %v", err)
		}
	})
	return &fixture{srv: srv, st: st, hub: hub, pairings: pairings, ts: ts}
}

// req describes one request; auth is the Authorization header ("" for none).
type req struct {
	method string
	path   string
	body   string
	auth   string
	origin string
	host   string
}

func bearer(tok string) string { return "Bearer " + tok }

// do sends r to base and returns the response with its body read.
func do(t *testing.T, base string, r req) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequestWithContext(t.Context(), r.method, base+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.auth != "" {
		hr.Header.Set("Authorization", r.auth)
	}
	if r.origin != "" {
		hr.Header.Set("Origin", r.origin)
	}
	if r.host != "" {
		hr.Host = r.host
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", r.method, r.path, err)
	}
	return resp, b
}

// call sends an authenticated request to the fixture.
func (f *fixture) call(t *testing.T, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	return do(t, f.ts.URL, req{method: method, path: path, body: body, auth: bearer(testToken)})
}

// wantStatus fails unless resp has status code.
func wantStatus(t *testing.T, resp *http.Response, body []byte, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s %s: status %d, want %d; body %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, code, body)
	}
}

// wantError checks that resp is a JSON api.Error with status code whose
// message contains every one of subs, and returns the message.
func wantError(t *testing.T, resp *http.Response, body []byte, code int, subs ...string) string {
	t.Helper()
	wantStatus(t, resp, body, code)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var e api.Error
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body %q is not an api.Error: %v", body, err)
	}
	if e.Error == "" {
		t.Fatalf("error body %s has an empty message", body)
	}
	for _, s := range subs {
		if !strings.Contains(e.Error, s) {
			t.Errorf("error %q does not mention %q", e.Error, s)
		}
	}
	return e.Error
}

// decodeStrict decodes body into v, refusing fields v does not have.
func decodeStrict(t *testing.T, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s into %T: %v", body, v, err)
	}
}

func wantSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s %s: Cache-Control = %q, want no-store", resp.Request.Method, resp.Request.URL.Path, got)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s %s: X-Content-Type-Options = %q, want nosniff", resp.Request.Method, resp.Request.URL.Path, got)
	}
}

func putClient(t *testing.T, st *store.Store, id string, pairedAt time.Time) {
	t.Helper()
	_, hash := auth.NewToken()
	err := st.PutClient(t.Context(), store.Client{
		ID: id, Browser: "chromium", BrowserVersion: "156.0", ExtVersion: "0.1.0",
		Origin: chromeOrigin, TokenHash: hash, PairedAt: pairedAt,
	})
	if err != nil {
		t.Fatalf("put client %s: %v", id, err)
	}
}

func clientIDs(t *testing.T, st *store.Store) []string {
	t.Helper()
	cs, err := st.Clients(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func TestAuthAndOrigin(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name string
		r    req
		code int
		sub  string
	}{
		{"no authorization", req{auth: ""}, http.StatusUnauthorized, "token"},
		{"wrong token", req{auth: bearer(strings.Repeat("f", 64))}, http.StatusUnauthorized, "token"},
		{"token with extra character", req{auth: bearer(testToken + "0")}, http.StatusUnauthorized, "token"},
		{"token prefix", req{auth: bearer(testToken[:63])}, http.StatusUnauthorized, "token"},
		{"empty bearer", req{auth: "Bearer "}, http.StatusUnauthorized, "token"},
		{"token without scheme", req{auth: testToken}, http.StatusUnauthorized, "token"},
		{"basic scheme", req{auth: "Basic " + testToken}, http.StatusUnauthorized, "token"},
		{"right token from a web page", req{auth: bearer(testToken), origin: "http://evil.example"}, http.StatusForbidden, "http://evil.example"},
		{"right token from the extension", req{auth: bearer(testToken), origin: chromeOrigin}, http.StatusForbidden, "origin"},
		{"right token from an opaque origin", req{auth: bearer(testToken), origin: "null"}, http.StatusForbidden, "origin"},
		{"origin without token", req{origin: "https://evil.example"}, http.StatusForbidden, "origin"},
	}
	paths := []struct{ method, path, body string }{
		{http.MethodGet, api.PathStatus, ""},
		{http.MethodGet, api.PathEvents, ""},
		{http.MethodGet, api.PathPairing, ""},
		{http.MethodPost, api.PathApprove, `{"code":"123456"}`},
		{http.MethodPost, api.PathRevoke, `{"id":"abcd"}`},
		// Unknown endpoints are not revealed before authentication.
		{http.MethodGet, "/api/v1/nope", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range paths {
				r := tt.r
				r.method, r.path, r.body = p.method, p.path, p.body
				resp, body := do(t, f.ts.URL, r)
				wantError(t, resp, body, tt.code, tt.sub)
				wantSecurityHeaders(t, resp)
			}
		})
	}
	// A refused approve or revoke must have changed nothing.
	if ids := clientIDs(t, f.st); len(ids) != 0 {
		t.Errorf("clients after refused requests = %v, want none", ids)
	}
}

// A Server whose token was never set must not let an empty bearer token
// through (subtle.ConstantTimeCompare of two empty strings is 1; what saves
// it is that net/http trims the header's trailing space).
func TestEmptyTokenRefusesEverything(t *testing.T) {
	f := newFixture(t, func(s *control.Server) { s.Token = "" })
	for _, a := range []string{"", "Bearer ", "Bearer"} {
		t.Run(strings.ReplaceAll(a, " ", "_"), func(t *testing.T) {
			resp, body := do(t, f.ts.URL, req{method: http.MethodGet, path: api.PathStatus, auth: a})
			wantError(t, resp, body, http.StatusUnauthorized)
		})
	}
}

func TestHostGuardRunsBeforeAuth(t *testing.T) {
	f := newFixture(t, nil)
	u, err := url.Parse(f.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(admission.Hosts(port, f.srv.Handler()))
	t.Cleanup(ts.Close)

	tests := []struct {
		name string
		host string
		auth string
		code int
	}{
		{"rebinding host with token", "evil.example:" + port, bearer(testToken), http.StatusMisdirectedRequest},
		{"rebinding host without token", "evil.example:" + port, "", http.StatusMisdirectedRequest},
		{"loopback with other port", "127.0.0.1:1", bearer(testToken), http.StatusMisdirectedRequest},
		{"loopback without port", "127.0.0.1", bearer(testToken), http.StatusMisdirectedRequest},
		{"loopback without token", "127.0.0.1:" + port, "", http.StatusUnauthorized},
		{"ipv4 loopback", "127.0.0.1:" + port, bearer(testToken), http.StatusOK},
		{"localhost", "localhost:" + port, bearer(testToken), http.StatusOK},
		{"ipv6 loopback", "[::1]:" + port, bearer(testToken), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, ts.URL, req{method: http.MethodGet, path: api.PathStatus, auth: tt.auth, host: tt.host})
			wantStatus(t, resp, body, tt.code)
			switch tt.code {
			case http.StatusMisdirectedRequest:
				// admission.Hosts answers in plain text and the control
				// handler never ran, so none of its headers are set.
				if !strings.Contains(string(body), "Host header") {
					t.Errorf("421 body %q does not explain the Host header", body)
				}
				if got := resp.Header.Get("Cache-Control"); got != "" {
					t.Errorf("421 has Cache-Control %q: the control handler ran", got)
				}
			case http.StatusUnauthorized:
				wantError(t, resp, body, tt.code, "token")
			case http.StatusOK:
				var st api.Status
				decodeStrict(t, body, &st)
				if !st.Running {
					t.Errorf("status = %+v, want running", st)
				}
			}
		})
	}
}

func TestUnknownEndpoint(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/nope"},
		{http.MethodGet, "/api/"},
		{http.MethodGet, "/api/v2/status"},
		{http.MethodPost, api.PathStatus},
		{http.MethodDelete, api.PathPairing},
		{http.MethodGet, api.PathApprove},
		{http.MethodGet, api.PathRevoke},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := f.call(t, tt.method, tt.path, "")
			wantError(t, resp, body, http.StatusNotFound, tt.method+" "+tt.path)
			wantSecurityHeaders(t, resp)
		})
	}
}

func TestStatus(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		f := newFixture(t, nil)
		resp, body := f.call(t, http.MethodGet, api.PathStatus, "")
		wantStatus(t, resp, body, http.StatusOK)
		wantSecurityHeaders(t, resp)
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		for _, s := range []string{`"clients":[]`, `"running":true`, `"pending_pairings":0`} {
			if !bytes.Contains(body, []byte(s)) {
				t.Errorf("status %s does not contain %s", body, s)
			}
		}
		var st api.Status
		decodeStrict(t, body, &st)
		want := api.Status{
			Running: true, Version: "1.2.3-test", Addr: "127.0.0.1:17717", DataDir: "/data/mindful",
			StartedAt: now.Add(-time.Hour), Clients: []api.Client{},
		}
		if !st.StartedAt.Equal(want.StartedAt) {
			t.Errorf("started_at = %v, want %v", st.StartedAt, want.StartedAt)
		}
		st.StartedAt = want.StartedAt
		if st.Running != want.Running || st.Version != want.Version || st.Addr != want.Addr ||
			st.DataDir != want.DataDir || len(st.Clients) != 0 || st.PendingPairings != 0 {
			t.Errorf("status = %+v, want %+v", st, want)
		}
	})

	t.Run("clients and pending", func(t *testing.T) {
		f := newFixture(t, nil)
		putClient(t, f.st, "client-a", now.Add(-2*time.Hour))
		putClient(t, f.st, "client-b", now.Add(-time.Hour))
		seen := now.Add(-time.Minute)
		if err := f.st.TouchClient(t.Context(), "client-b", "firefox", "128.0", "0.2.0", seen); err != nil {
			t.Fatal(err)
		}
		if _, err := f.pairings.Request(auth.Pending{ClientID: "client-c", Browser: "chromium"}, now); err != nil {
			t.Fatal(err)
		}

		resp, body := f.call(t, http.MethodGet, api.PathStatus, "")
		wantStatus(t, resp, body, http.StatusOK)
		var st api.Status
		decodeStrict(t, body, &st)
		if st.PendingPairings != 1 {
			t.Errorf("pending_pairings = %d, want 1", st.PendingPairings)
		}
		if len(st.Clients) != 2 {
			t.Fatalf("clients = %+v, want 2", st.Clients)
		}
		a, b := st.Clients[0], st.Clients[1]
		if a.ID != "client-a" || a.Browser != "chromium" || a.BrowserVersion != "156.0" || a.ExtVersion != "0.1.0" ||
			a.Connected || !a.PairedAt.Equal(now.Add(-2*time.Hour)) || a.LastSeen != nil {
			t.Errorf("clients[0] = %+v", a)
		}
		if b.ID != "client-b" || b.Browser != "firefox" || b.BrowserVersion != "128.0" || b.ExtVersion != "0.2.0" ||
			b.LastSeen == nil || !b.LastSeen.Equal(seen) {
			t.Errorf("clients[1] = %+v (last seen %v), want firefox 128.0 seen at %v", b, b.LastSeen, seen)
		}
		// A client never seen since pairing has no last_seen at all.
		var raw struct {
			Clients []map[string]json.RawMessage `json:"clients"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatal(err)
		}
		if _, ok := raw.Clients[0]["last_seen"]; ok {
			t.Errorf("clients[0] has last_seen: %s", body)
		}
	})

	t.Run("expired pairing requests are not counted", func(t *testing.T) {
		f := newFixture(t, nil)
		if _, err := f.pairings.Request(auth.Pending{ClientID: "old"}, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		resp, body := f.call(t, http.MethodGet, api.PathStatus, "")
		wantStatus(t, resp, body, http.StatusOK)
		var st api.Status
		decodeStrict(t, body, &st)
		if st.PendingPairings != 0 {
			t.Errorf("pending_pairings = %d, want 0 (the request expired)", st.PendingPairings)
		}
	})
}

func TestEvents(t *testing.T) {
	f := newFixture(t, nil)

	t.Run("empty is an array", func(t *testing.T) {
		resp, body := f.call(t, http.MethodGet, api.PathEvents, "")
		wantStatus(t, resp, body, http.StatusOK)
		wantSecurityHeaders(t, resp)
		if got := strings.TrimSpace(string(body)); got != "[]" {
			t.Errorf("events = %s, want []", got)
		}
	})

	tab := int64(7)
	evs := []store.Event{
		{ID: "e1", ClientID: "client-a", TS: now.Add(-3 * time.Hour), Type: "focus", Domain: "a.example", ReceivedAt: now},
		{ID: "e2", ClientID: "client-a", TS: now.Add(-2 * time.Hour), Type: "focus", Domain: "b.example", URL: "https://b.example/x", ReceivedAt: now, EventFields: api.EventFields{TabID: &tab, State: "active"}},
		{ID: "e3", ClientID: "client-b", TS: now.Add(-1 * time.Hour), Type: "blur", Domain: "c.example", ReceivedAt: now},
	}
	if _, err := f.st.InsertEvents(t.Context(), evs); err != nil {
		t.Fatal(err)
	}

	ok := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"all", nil, []string{"e1", "e2", "e3"}},
		{"since", url.Values{"since": {now.Add(-2 * time.Hour).Format(time.RFC3339Nano)}}, []string{"e2", "e3"}},
		{"since with zone offset", url.Values{"since": {now.Add(-2 * time.Hour).In(time.FixedZone("", 2*3600)).Format(time.RFC3339)}}, []string{"e2", "e3"}},
		{"since after everything", url.Values{"since": {now.Format(time.RFC3339)}}, []string{}},
		{"limit", url.Values{"limit": {"2"}}, []string{"e1", "e2"}},
		{"limit maximum", url.Values{"limit": {"100000"}}, []string{"e1", "e2", "e3"}},
		{"since and limit", url.Values{"since": {now.Add(-150 * time.Minute).Format(time.RFC3339)}, "limit": {"1"}}, []string{"e2"}},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.call(t, http.MethodGet, api.PathEvents+"?"+tt.query.Encode(), "")
			wantStatus(t, resp, body, http.StatusOK)
			var got []api.Event
			decodeStrict(t, body, &got)
			ids := make([]string, len(got))
			for i, e := range got {
				ids[i] = e.ID
			}
			if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
				t.Errorf("event ids = %v, want %v", ids, tt.want)
			}
		})
	}

	t.Run("fields", func(t *testing.T) {
		resp, body := f.call(t, http.MethodGet, api.PathEvents+"?limit=2", "")
		wantStatus(t, resp, body, http.StatusOK)
		var got []api.Event
		decodeStrict(t, body, &got)
		if len(got) != 2 {
			t.Fatalf("got %d events, want 2", len(got))
		}
		e := got[1]
		if e.Client != "client-a" || e.Type != "focus" || e.Domain != "b.example" || e.URL != "https://b.example/x" ||
			e.TabID == nil || *e.TabID != 7 || e.WindowID != nil || e.State != "active" ||
			!e.TS.Equal(evs[1].TS) || !e.ReceivedAt.Equal(now) {
			t.Errorf("event = %+v", e)
		}
	})

	bad := []struct {
		name, query, sub string
	}{
		{"since not a time", "since=yesterday", "since"},
		{"since date only", "since=2026-03-01", "since"},
		{"since unix seconds", "since=1700000000", "since"},
		{"limit zero", "limit=0", "limit"},
		{"limit negative", "limit=-1", "limit"},
		{"limit not a number", "limit=ten", "limit"},
		{"limit too large", "limit=100001", "limit"},
		{"limit overflows", "limit=99999999999999999999", "limit"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.call(t, http.MethodGet, api.PathEvents+"?"+tt.query, "")
			wantError(t, resp, body, http.StatusBadRequest, tt.sub)
			wantSecurityHeaders(t, resp)
		})
	}
}

func TestPairingList(t *testing.T) {
	f := newFixture(t, nil)

	resp, body := f.call(t, http.MethodGet, api.PathPairing, "")
	wantStatus(t, resp, body, http.StatusOK)
	for _, s := range []string{`"pending":[]`, `"paired":[]`} {
		if !bytes.Contains(body, []byte(s)) {
			t.Errorf("empty pairing %s does not contain %s", body, s)
		}
	}

	p, err := f.pairings.Request(auth.Pending{
		ClientID: "client-new", Browser: "chromium", BrowserVersion: "156.0", Origin: chromeOrigin,
	}, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	putClient(t, f.st, "client-old", now.Add(-time.Hour))

	resp, body = f.call(t, http.MethodGet, api.PathPairing, "")
	wantStatus(t, resp, body, http.StatusOK)
	wantSecurityHeaders(t, resp)

	// The code is a JSON string of six digits, so leading zeros survive.
	var raw struct {
		Pending []map[string]any `json:"pending"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Pending) != 1 {
		t.Fatalf("pending = %v, want 1", raw.Pending)
	}
	code, isString := raw.Pending[0]["code"].(string)
	if !isString || len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Errorf("code = %#v, want a string of 6 digits", raw.Pending[0]["code"])
	}

	var pr api.Pairing
	decodeStrict(t, body, &pr)
	got := pr.Pending[0]
	if got.Code != p.Code || got.ClientID != "client-new" || got.Browser != "chromium" || got.BrowserVersion != "156.0" ||
		got.Origin != chromeOrigin || !got.RequestedAt.Equal(now.Add(-time.Minute)) ||
		!got.ExpiresAt.Equal(now.Add(-time.Minute).Add(10*time.Minute)) {
		t.Errorf("pending = %+v, want code %s for client-new", got, p.Code)
	}
	if len(pr.Paired) != 1 || pr.Paired[0].ID != "client-old" || pr.Paired[0].Origin != chromeOrigin ||
		pr.Paired[0].Connected || !pr.Paired[0].PairedAt.Equal(now.Add(-time.Hour)) {
		t.Errorf("paired = %+v, want client-old", pr.Paired)
	}
}

func TestApprove(t *testing.T) {
	t.Run("unknown code", func(t *testing.T) {
		f := newFixture(t, nil)
		p, err := f.pairings.Request(auth.Pending{ClientID: "client-x", Browser: "chromium"}, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"abcdef", "", "1234567"} {
			b, _ := json.Marshal(api.ApproveRequest{Code: code})
			resp, body := f.call(t, http.MethodPost, api.PathApprove, string(b))
			wantError(t, resp, body, http.StatusNotFound, "no pending pairing request")
			wantSecurityHeaders(t, resp)
		}
		// The real request is still pending and nothing was stored.
		if l := f.pairings.List(now); len(l) != 1 || l[0].Code != p.Code {
			t.Errorf("pending after bad approvals = %+v", l)
		}
		if ids := clientIDs(t, f.st); len(ids) != 0 {
			t.Errorf("clients = %v, want none", ids)
		}
		select {
		case a := <-p.Approved:
			t.Errorf("a wrong code approved the request: %+v", a)
		default:
		}
	})

	t.Run("pending request", func(t *testing.T) {
		f := newFixture(t, nil)
		p, err := f.pairings.Request(auth.Pending{
			ClientID: "client-new", Browser: "chromium", BrowserVersion: "156.0", ExtVersion: "0.1.0", Origin: chromeOrigin,
		}, now)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(api.ApproveRequest{Code: p.Code})
		resp, body := f.call(t, http.MethodPost, api.PathApprove, string(b))
		wantStatus(t, resp, body, http.StatusOK)
		wantSecurityHeaders(t, resp)
		var pc api.PairedClient
		decodeStrict(t, body, &pc)
		if pc.ID != "client-new" || pc.Browser != "chromium" || pc.BrowserVersion != "156.0" ||
			pc.Origin != chromeOrigin || !pc.PairedAt.Equal(now) {
			t.Errorf("approved client = %+v", pc)
		}

		// The session that asked receives the token (Approve sends it
		// before it returns), and the store keeps only its hash.
		var a auth.Approval
		select {
		case a = <-p.Approved:
		default:
			t.Fatal("approval did not hand a token to the waiting request")
		}
		c, err := f.st.Client(t.Context(), "client-new")
		if err != nil {
			t.Fatalf("approved client not stored: %v", err)
		}
		if len(a.Token) != 64 || !auth.TokenMatches(a.Token, c.TokenHash) {
			t.Errorf("token %q does not match the stored hash", a.Token)
		}
		if c.Origin != chromeOrigin || c.ExtVersion != "0.1.0" || !c.PairedAt.Equal(now) {
			t.Errorf("stored client = %+v", c)
		}

		// The code is used up.
		resp, body = f.call(t, http.MethodPost, api.PathApprove, string(b))
		wantError(t, resp, body, http.StatusNotFound, p.Code)
		if l := f.pairings.List(now); len(l) != 0 {
			t.Errorf("pending after approval = %+v, want none", l)
		}
	})

	t.Run("expired request", func(t *testing.T) {
		f := newFixture(t, nil)
		p, err := f.pairings.Request(auth.Pending{ClientID: "client-late", Browser: "chromium"}, now.Add(-11*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(api.ApproveRequest{Code: p.Code})
		resp, body := f.call(t, http.MethodPost, api.PathApprove, string(b))
		wantError(t, resp, body, http.StatusNotFound, p.Code)
		if _, err := f.st.Client(t.Context(), "client-late"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired request stored a client (err %v)", err)
		}
	})
}

func TestRevoke(t *testing.T) {
	tests := []struct {
		name    string
		clients []string
		id      string
		code    int
		revoked string   // on 200
		subs    []string // on error
	}{
		{"full id", []string{"abcd1111", "abcd2222"}, "abcd1111", http.StatusOK, "abcd1111", nil},
		{"unique prefix", []string{"abcd1111", "beef2222"}, "beef", http.StatusOK, "beef2222", nil},
		{"longer unique prefix", []string{"abcd1111", "abcd2222"}, "abcd2", http.StatusOK, "abcd2222", nil},
		{"exact id wins over prefix", []string{"abcd", "abcd1111"}, "abcd", http.StatusOK, "abcd", nil},
		{"ambiguous prefix", []string{"abcd1111", "abcd2222", "beef3333"}, "abcd", http.StatusNotFound, "", []string{"abcd1111", "abcd2222", "2 browsers"}},
		{"prefix too short", []string{"abcd1111"}, "abc", http.StatusNotFound, "", []string{`"abc"`}},
		{"unknown", []string{"abcd1111"}, "zzzz9999", http.StatusNotFound, "", []string{`"zzzz9999"`}},
		{"no clients", nil, "abcd", http.StatusNotFound, "", []string{`"abcd"`}},
		{"missing id", []string{"abcd1111"}, "", http.StatusNotFound, "", []string{"id"}},
		{"prefix is not a suffix", []string{"abcd1111"}, "1111", http.StatusNotFound, "", []string{`"1111"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			for i, id := range tt.clients {
				putClient(t, f.st, id, now.Add(time.Duration(i)*time.Minute))
			}
			b, _ := json.Marshal(api.RevokeRequest{ID: tt.id})
			resp, body := f.call(t, http.MethodPost, api.PathRevoke, string(b))
			wantSecurityHeaders(t, resp)

			var want []string
			if tt.code == http.StatusOK {
				wantStatus(t, resp, body, tt.code)
				var rr api.RevokeRequest
				decodeStrict(t, body, &rr)
				if rr.ID != tt.revoked {
					t.Errorf("revoked id = %q, want %q", rr.ID, tt.revoked)
				}
				for _, id := range tt.clients {
					if id != tt.revoked {
						want = append(want, id)
					}
				}
			} else {
				wantError(t, resp, body, tt.code, tt.subs...)
				want = tt.clients
			}
			if got := clientIDs(t, f.st); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("clients after revoke = %v, want %v", got, want)
			}
		})
	}
}

func TestBadBodies(t *testing.T) {
	f := newFixture(t, nil)
	p, err := f.pairings.Request(auth.Pending{ClientID: "client-new", Browser: "chromium"}, now)
	if err != nil {
		t.Fatal(err)
	}
	putClient(t, f.st, "abcd1111", now)

	huge := `{"id":"` + strings.Repeat("a", 1<<17) + `"}`
	tests := []struct {
		name, path, body string
	}{
		{"approve unknown field", api.PathApprove, `{"code":"` + p.Code + `","token":"x"}`},
		{"approve wrong case field", api.PathApprove, `{"Code":"` + p.Code + `","Extra":1}`},
		{"approve code as number", api.PathApprove, `{"code":123456}`},
		{"approve empty body", api.PathApprove, ""},
		{"approve not json", api.PathApprove, "code=" + p.Code},
		{"approve array", api.PathApprove, `["` + p.Code + `"]`},
		{"revoke unknown field", api.PathRevoke, `{"id":"abcd1111","force":true}`},
		{"revoke truncated", api.PathRevoke, `{"id":"abcd1111"`},
		{"revoke too large", api.PathRevoke, huge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.call(t, http.MethodPost, tt.path, tt.body)
			wantError(t, resp, body, http.StatusBadRequest, "request body")
			wantSecurityHeaders(t, resp)
		})
	}
	// None of them approved or revoked anything.
	if l := f.pairings.List(now); len(l) != 1 || l[0].Code != p.Code {
		t.Errorf("pending = %+v, want the request still pending", l)
	}
	if ids := clientIDs(t, f.st); len(ids) != 1 || ids[0] != "abcd1111" {
		t.Errorf("clients = %v, want [abcd1111]", ids)
	}
}
