package control_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/internal/control"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/summary"
)

// The summary, settings, export and delete routes, through the Go client.
func TestSummaryRoutes(t *testing.T) {
	ck := &fakeCheckin{}
	f := newFixture(t, func(s *control.Server) {
		s.Summary = summary.New(summary.Config{Store: s.Store, State: s.State, Breaks: s.Breaks, Now: s.Now, Loc: time.UTC})
		s.Checkin = ck
	})
	ctx := context.Background()
	c := client.New(strings.TrimPrefix(f.ts.URL, "http://"), testToken)
	ts := now.Add(-time.Hour)
	if _, err := f.st.InsertEvents(ctx, []store.Event{
		{ID: "p1", ClientID: "a", TS: ts, Type: "prompt", ReceivedAt: ts, EventFields: api.EventFields{FeedID: "x", Answer: "habit"}},
		{ID: "p2", ClientID: "a", TS: ts, Type: "prompt", ReceivedAt: ts, EventFields: api.EventFields{FeedID: "x", Answer: "need", Purpose: "check the event time"}},
	}); err != nil {
		t.Fatal(err)
	}
	day, err := c.Summary(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if day.Date != "2026-03-01" || day.Opens.Total != 2 || day.Opens.Need != 1 || len(day.Feeds) != 1 {
		t.Errorf("today = %+v", day)
	}
	if _, err := c.Summary(ctx, "1 March"); !isStatus(err, http.StatusBadRequest) || !strings.Contains(err.Error(), "date: want YYYY-MM-DD") {
		t.Errorf("bad date: %v", err)
	}
	days, err := c.SummaryDays(ctx, "2026-02-20", "2026-03-01")
	if err != nil || len(days) != 10 || days[9].Opens.Total != 2 {
		t.Errorf("days: %d, %v", len(days), err)
	}
	wk, err := c.SummaryWeek(ctx, "")
	if err != nil || len(wk.Days) != 7 || wk.To != "2026-03-01" || wk.Totals.Opens.Total != 2 {
		t.Errorf("week: %+v, %v", wk.Totals, err)
	}
	d, err := c.SaveReflection(ctx, "", "a good day")
	if err != nil || d.Reflection != "a good day" {
		t.Errorf("reflection: %q, %v", d.Reflection, err)
	}
	if ck.refreshed != 1 {
		t.Errorf("the check-in looked again %d times after a reflection, want 1", ck.refreshed)
	}

	set, err := c.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.DayStart = "25:00"
	if _, err := c.SetSettings(ctx, set); !isStatus(err, http.StatusBadRequest) || !strings.Contains(err.Error(), `day_start: want HH:MM, got "25:00"`) {
		t.Errorf("bad day_start: %v", err)
	}
	set.DayStart, set.PromptPauseSeconds = "05:30", 6
	got, err := c.SetSettings(ctx, set)
	if err != nil || got.DayStart != "05:30" || got.PromptPauseSeconds != 6 {
		t.Errorf("settings: %+v, %v", got, err)
	}
	// Today's counts in the status start at the new day start too.
	if st, err := c.Status(ctx); err != nil || !st.Today.Since.Equal(time.Date(2026, 3, 1, 5, 30, 0, 0, time.UTC)) {
		t.Errorf("status today since %v (%v), want 05:30", st.Today.Since, err)
	}
	// The pause goes through the state service (what browsers get).
	if ps, _ := f.srv.State.PromptSettings(ctx); ps.PauseSeconds != 6 {
		t.Errorf("state's pause = %g, want 6", ps.PauseSeconds)
	}

	var buf bytes.Buffer
	if err := c.Export(ctx, &buf, "json"); err != nil || !strings.Contains(buf.String(), "check the event time") {
		t.Errorf("export: %v\n%s", err, buf.String())
	}
	buf.Reset()
	if err := c.Export(ctx, &buf, "csv"); err != nil || !strings.HasPrefix(buf.String(), "table,") {
		t.Errorf("export csv: %v\n%s", err, buf.String())
	}
	if err := c.Export(ctx, &buf, "xml"); !isStatus(err, http.StatusBadRequest) {
		t.Errorf("export xml: %v", err)
	}
	resp, body := do(t, f.ts.URL, req{method: "POST", path: api.PathDeleteAll, body: `{"confirm":"yes"}`, auth: bearer(testToken)})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "confirm") {
		t.Errorf("delete without the confirmation: %d %s", resp.StatusCode, body)
	}
	if err := c.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := c.Export(ctx, &buf, "json"); err != nil || strings.Contains(buf.String(), "check the event time") || strings.Contains(buf.String(), "a good day") {
		t.Errorf("export after delete: %v\n%s", err, buf.String())
	}
	// Without the token, nothing.
	resp, _ = do(t, f.ts.URL, req{method: "GET", path: api.PathExport})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("export without a token: %d", resp.StatusCode)
	}
}

func isStatus(err error, code int) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Status == code
}
