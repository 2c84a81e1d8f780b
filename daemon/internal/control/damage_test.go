package control_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/control"
)

// TestDamagedDaemonAPI: a daemon that found its database damaged at start
// (no store) answers the status, with what is wrong, and refuses every other
// request with the same words; the token is still required.
func TestDamagedDaemonAPI(t *testing.T) {
	since := now.Add(-time.Minute)
	db := api.Database{Path: "/data/mindful/mindful.db", Problem: "the database is damaged: database disk image is malformed",
		Todo: "quit mindful, then run `mindful db recover`", Since: &since}
	srv := &control.Server{Token: testToken, Version: "1.2.3-test", Addr: "127.0.0.1:17717", DataDir: "/data/mindful",
		StartedAt: now, Now: func() time.Time { return now }, Database: func() api.Database { return db }}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	resp, body := do(t, ts.URL, req{method: "GET", path: api.PathStatus, auth: bearer(testToken)})
	wantStatus(t, resp, body, http.StatusOK)
	var st api.Status
	decodeStrict(t, body, &st)
	if !st.Running || st.Version != "1.2.3-test" || st.DataDir != "/data/mindful" || st.Database == nil ||
		st.Database.OK || st.Database.Problem != db.Problem || st.Database.Path != db.Path || st.Database.Todo != db.Todo {
		t.Fatalf("status %s", body)
	}
	for _, r := range []req{
		{method: "GET", path: api.PathEvents},
		{method: "GET", path: api.PathPairing},
		{method: "POST", path: api.PathBreakStart, body: `{"for":"15m"}`},
	} {
		r.auth = bearer(testToken)
		resp, body := do(t, ts.URL, r)
		wantError(t, resp, body, http.StatusServiceUnavailable, "malformed", db.Path, "mindful db recover")
	}
	resp, body = do(t, ts.URL, req{method: "GET", path: api.PathStatus})
	wantError(t, resp, body, http.StatusUnauthorized)
}

// TestStatusShowsDamageFoundLater: with a store that works but reports
// damage, the whole status is there, and says so.
func TestStatusShowsDamageFoundLater(t *testing.T) {
	f := newFixture(t, func(s *control.Server) {
		s.Database = func() api.Database {
			return api.Database{Path: "/data/mindful/mindful.db", Problem: "the database is damaged: database disk image is malformed", Todo: "recover"}
		}
	})
	putClient(t, f.st, "client-a", now)
	resp, body := f.call(t, "GET", api.PathStatus, "")
	wantStatus(t, resp, body, http.StatusOK)
	var st api.Status
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Database == nil || st.Database.OK || !strings.Contains(st.Database.Problem, "malformed") || len(st.Clients) != 1 {
		t.Fatalf("status %s", body)
	}
	// A healthy one says so too.
	f2 := newFixture(t, nil)
	_, body = f2.call(t, "GET", api.PathStatus, "")
	json.Unmarshal(body, &st)
	if st.Database == nil || !st.Database.OK {
		t.Fatalf("healthy status %s", body)
	}
}
