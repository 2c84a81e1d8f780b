package control_test

import (
	"net/http"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/control"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

const nativeBody = `{"client_id":"0b6c1b9e-4f0a-4c53-9a43-2f7c4f1d2e11","browser":"chromium","browser_version":"156.0","ext_version":"0.1.0","origin":"` + chromeOrigin + `"}`

func TestPairNativeStoresAClientLikeAnApprovedCode(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.call(t, http.MethodPost, api.PathPairNative, nativeBody)
	wantStatus(t, resp, body, http.StatusOK)
	var p api.NativePairing
	decodeStrict(t, body, &p)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(p.Token) {
		t.Fatalf("token %q is not 64 hex digits", p.Token)
	}
	if p.Addr != "127.0.0.1:17717" || p.ClientID != "0b6c1b9e-4f0a-4c53-9a43-2f7c4f1d2e11" || p.PairedVia != store.PairedViaNative {
		t.Fatalf("answer %+v", p)
	}
	c, err := f.st.Client(t.Context(), p.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.TokenMatches(p.Token, c.TokenHash) {
		t.Fatal("the stored hash does not match the token handed out")
	}
	if string(c.TokenHash) == p.Token {
		t.Fatal("the token itself is stored")
	}
	if c.Origin != chromeOrigin || c.Browser != "chromium" || c.BrowserVersion != "156.0" || c.ExtVersion != "0.1.0" || c.PairedVia != "native" {
		t.Fatalf("stored client %+v", c)
	}
	// Status and the pairing list say how it was paired.
	resp, body = f.call(t, http.MethodGet, api.PathStatus, "")
	wantStatus(t, resp, body, http.StatusOK)
	var st api.Status
	decodeStrict(t, body, &st)
	if len(st.Clients) != 1 || st.Clients[0].PairedVia != "native" || st.Clients[0].Browser != "chromium" {
		t.Fatalf("status clients %+v", st.Clients)
	}
	resp, body = f.call(t, http.MethodGet, api.PathPairing, "")
	var pl api.Pairing
	decodeStrict(t, body, &pl)
	if len(pl.Paired) != 1 || pl.Paired[0].PairedVia != "native" {
		t.Fatalf("pairing list %+v", pl)
	}

	// Asking again replaces the token: the old one stops working.
	_, body = f.call(t, http.MethodPost, api.PathPairNative, nativeBody)
	var p2 api.NativePairing
	decodeStrict(t, body, &p2)
	c, _ = f.st.Client(t.Context(), p.ClientID)
	if p2.Token == p.Token || auth.TokenMatches(p.Token, c.TokenHash) || !auth.TokenMatches(p2.Token, c.TokenHash) {
		t.Fatal("a second native pairing did not replace the token")
	}
}

func TestPairNativeRefusesBadRequests(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, body string
		code       int
		subs       []string
	}{
		{"web origin", `{"client_id":"0b6c1b9e-4f0a","browser":"chromium","origin":"https://evil.example"}`, 400, []string{"origin", "web pages"}},
		{"other extension", `{"client_id":"0b6c1b9e-4f0a","browser":"chromium","origin":"chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh"}`, 400, []string{"origin", "not mindful"}},
		{"no origin", `{"client_id":"0b6c1b9e-4f0a","browser":"chromium"}`, 400, []string{"origin", "missing"}},
		{"bad client id", `{"client_id":"x","browser":"chromium","origin":"` + chromeOrigin + `"}`, 400, []string{"client_id"}},
		{"no browser", `{"client_id":"0b6c1b9e-4f0a","origin":"` + chromeOrigin + `"}`, 400, []string{"browser"}},
		{"unknown field", `{"client_id":"0b6c1b9e-4f0a","browser":"chromium","origin":"` + chromeOrigin + `","token":"x"}`, 400, []string{"token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.call(t, http.MethodPost, api.PathPairNative, tc.body)
			wantError(t, resp, body, tc.code, tc.subs...)
		})
	}
	if cs, _ := f.st.Clients(t.Context()); len(cs) != 0 {
		t.Fatalf("a refused request stored a client: %+v", cs)
	}
	// Without the control token nothing happens either.
	resp, body := do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathPairNative, body: nativeBody})
	wantError(t, resp, body, http.StatusUnauthorized, "control token")
	resp, body = do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathPairNative, body: nativeBody, auth: bearer(testToken), origin: chromeOrigin})
	wantError(t, resp, body, http.StatusForbidden, "browsers")
	if cs, _ := f.st.Clients(t.Context()); len(cs) != 0 {
		t.Fatalf("an unauthenticated request stored a client: %+v", cs)
	}
}

func TestShutdown(t *testing.T) {
	var calls atomic.Int32
	f := newFixture(t, func(s *control.Server) { s.Shutdown = func() { calls.Add(1) } })
	resp, body := do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathShutdown, body: "{}"})
	wantError(t, resp, body, http.StatusUnauthorized, "control token")
	if calls.Load() != 0 {
		t.Fatal("shutdown without the control token")
	}
	resp, body = f.call(t, http.MethodPost, api.PathShutdown, "{}")
	wantStatus(t, resp, body, http.StatusOK)
	var sd api.Shutdown
	decodeStrict(t, body, &sd)
	if !sd.Stopping || calls.Load() != 1 {
		t.Fatalf("answer %+v, shutdown called %d times", sd, calls.Load())
	}

	g := newFixture(t, nil)
	resp, body = g.call(t, http.MethodPost, api.PathShutdown, "{}")
	wantError(t, resp, body, http.StatusNotImplemented, "cannot be stopped")
}
