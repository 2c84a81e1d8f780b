package summary

// The dashboard's pages over the same generated year as the benchmarks of
// this package (helper DASHBOARD's file; it lives here to reuse benchDB).

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/checkin"
	"github.com/mindful-app/mindful/daemon/internal/state"
	"github.com/mindful-app/mindful/daemon/internal/web"
)

// dashboardPage measures the time to first byte of one dashboard page,
// over a real loopback socket with a logged-in session, on the last
// generated day at 18:00.
func dashboardPage(b *testing.B, path string, ok func(body string) bool) {
	svc, st := benchService(b)
	ctx := context.Background()
	clock := svc.cfg.Now
	states, err := state.New(ctx, st, clock, nil)
	if err != nil {
		b.Fatal(err)
	}
	brk := breaks.New(breaks.Config{Store: st, Now: clock, Location: benchLoc})
	dash := web.New(web.Config{
		Summaries: svc, Settings: svc, Data: svc, Breaks: brk, Feeds: states,
		Checkin: checkin.New(checkin.Config{Store: st, Now: clock, Loc: benchLoc}),
		Now:     clock, Loc: benchLoc, Logger: slog.New(slog.DiscardHandler),
	})
	ts := httptest.NewServer(dash.Handler())
	b.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	link, _, err := dash.Link("today", "")
	if err != nil {
		b.Fatal(err)
	}
	get := func() (time.Duration, string) {
		var start time.Time
		var ttfb time.Duration
		trace := &httptrace.ClientTrace{
			WroteRequest:         func(httptrace.WroteRequestInfo) { start = time.Now() },
			GotFirstResponseByte: func() { ttfb = time.Since(start) },
		}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, ts.URL+path, nil)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return ttfb, string(body)
	}
	if resp, err := c.Get(ts.URL + link); err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("login: %v %v", resp, err)
	}
	if _, body := get(); !ok(body) { // warms the rollups, as a first look would
		b.Fatalf("GET %s does not show the data:\n%s", path, body)
	}
	var total time.Duration
	b.ResetTimer()
	for b.Loop() {
		d, _ := get()
		total += d
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-ttfb")
}

// BenchmarkDashboardToday is the Today page (today's summary, never a
// rollup, and the check-in form).
func BenchmarkDashboardToday(b *testing.B) {
	dashboardPage(b, "/today", func(body string) bool {
		return strings.Contains(body, `id="opens-total">`) && !strings.Contains(body, `id="opens-total">0<`)
	})
}

// BenchmarkDashboardHistory90 is the History page over 90 days, its charts
// drawn on the server.
func BenchmarkDashboardHistory90(b *testing.B) {
	dashboardPage(b, "/history?days=90", func(body string) bool { return strings.Count(body, `class="bar"`) >= 90*4 })
}
