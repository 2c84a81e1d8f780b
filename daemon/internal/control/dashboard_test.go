package control_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/checkin"
	"github.com/mindful-app/mindful/daemon/internal/control"
)

type fakeDash struct{ pages []string }

func (f *fakeDash) Link(page, date string) (string, time.Time, error) {
	if page == "nope" {
		return "", time.Time{}, errors.New("page \"nope\": want one of today, history")
	}
	f.pages = append(f.pages, page+"|"+date)
	return "/login?token=abc", now.Add(2 * time.Minute), nil
}

type fakeCheckin struct {
	st        api.Checkin
	dismissed string
	refreshed int
}

func (f *fakeCheckin) Refresh() { f.refreshed++ }

func (f *fakeCheckin) Status(context.Context) (api.Checkin, error) { return f.st, nil }
func (f *fakeCheckin) Dismiss(_ context.Context, date string) error {
	if date == "bad" {
		return fmt.Errorf("%w: date: want YYYY-MM-DD, got %q", checkin.ErrInvalid, date)
	}
	f.dismissed, f.st = date, api.Checkin{}
	return nil
}

func TestDashboardLink(t *testing.T) {
	dash := &fakeDash{}
	f := newFixture(t, func(s *control.Server) { s.Dashboard = dash })
	resp, body := do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathDashboardLink, body: `{"page":"history"}`, auth: bearer(testToken)})
	wantStatus(t, resp, body, http.StatusOK)
	var l api.DashboardLink
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	if l.URL != "http://127.0.0.1:17717/login?token=abc" || !l.ExpiresAt.Equal(now.Add(2*time.Minute)) || dash.pages[0] != "history|" {
		t.Fatalf("link %+v, asked for %v", l, dash.pages)
	}
	resp, body = do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathDashboardLink, body: `{"page":"nope"}`, auth: bearer(testToken)})
	wantStatus(t, resp, body, http.StatusBadRequest)
	// Only the CLI and the tray may mint links: a token, and no browser.
	resp, body = do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathDashboardLink, body: `{}`})
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathDashboardLink, body: `{}`, auth: bearer(testToken), origin: "http://127.0.0.1:17717"})
	wantStatus(t, resp, body, http.StatusForbidden)
	if len(dash.pages) != 1 {
		t.Fatalf("links minted for refused requests: %v", dash.pages)
	}
	resp, body = do(t, f.ts.URL, req{method: http.MethodGet, path: api.PathDashboardLink, auth: bearer(testToken)})
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("GET mints a link: %s", body)
	}
}

func TestCheckinInStatusAndDismiss(t *testing.T) {
	ck := &fakeCheckin{st: api.Checkin{Due: true, Date: "2026-03-01"}}
	f := newFixture(t, func(s *control.Server) { s.Checkin = ck })
	resp, body := do(t, f.ts.URL, req{method: http.MethodGet, path: api.PathStatus, auth: bearer(testToken)})
	wantStatus(t, resp, body, http.StatusOK)
	var raw map[string]json.RawMessage
	json.Unmarshal(body, &raw)
	if string(raw["checkin"]) != `{"due":true,"date":"2026-03-01"}` {
		t.Fatalf("status checkin = %s", raw["checkin"])
	}
	resp, body = do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathCheckinDismiss, body: `{"date":"bad"}`, auth: bearer(testToken)})
	wantStatus(t, resp, body, http.StatusBadRequest)
	resp, body = do(t, f.ts.URL, req{method: http.MethodPost, path: api.PathCheckinDismiss, body: `{"date":"2026-03-01"}`, auth: bearer(testToken)})
	wantStatus(t, resp, body, http.StatusOK)
	var st api.Status
	json.Unmarshal(body, &st)
	if ck.dismissed != "2026-03-01" || st.Checkin.Due {
		t.Fatalf("after dismiss: %q, status %+v", ck.dismissed, st.Checkin)
	}

	// Without a check-in wired, the status says not due.
	f2 := newFixture(t, nil)
	resp, body = do(t, f2.ts.URL, req{method: http.MethodGet, path: api.PathStatus, auth: bearer(testToken)})
	wantStatus(t, resp, body, http.StatusOK)
	json.Unmarshal(body, &raw)
	if string(raw["checkin"]) != `{"due":false}` {
		t.Fatalf("status checkin without a service = %s", raw["checkin"])
	}
}
