package summary

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// A year of heavy use: 200 feed opens a day, each with its tab activity
// (about 28 events per open, 2 million events in all), one browser session
// and one break a day, in a real SQLite file. It is generated once per
// `go test -bench` run, by bulk inserts in large transactions.
const (
	benchDays     = 365
	opensPerDay   = 200
	benchFeeds    = 5
	benchZoneName = "Europe/Berlin"
)

var (
	benchOnce   sync.Once
	benchDir    string
	benchEvents int64
	benchErr    error
	benchLoc    *time.Location
	benchFirst  time.Time // the first generated day, 00:00 local
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchDB returns the path of the generated database.
func benchDB(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		start := time.Now()
		benchLoc, benchErr = time.LoadLocation(benchZoneName)
		if benchErr != nil {
			return
		}
		benchDir, benchErr = os.MkdirTemp("", "mindful-bench-")
		if benchErr != nil {
			return
		}
		benchFirst = time.Date(2025, 11, 23, 0, 0, 0, 0, benchLoc)
		benchEvents, benchErr = generateYear(filepath.Join(benchDir, "mindful.db"))
		b.Logf("generated %d events in %s", benchEvents, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "mindful.db")
}

func generateYear(path string) (int64, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{}) // creates the schema
	if err != nil {
		return 0, err
	}
	if err := st.Close(); err != nil {
		return 0, err
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int64
	for day := 0; day < benchDays; day++ {
		tx, err := db.Begin()
		if err != nil {
			return n, err
		}
		ins, err := tx.Prepare(`INSERT INTO events (client_id, eid, ts, type, domain, tab_id, window_id, state, received_at,
			feed_id, answer, purpose, timebox_minutes, seconds_on_feed, prompt_id, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return n, err
		}
		d := benchFirst.AddDate(0, 0, day)
		base := time.Date(d.Year(), d.Month(), d.Day(), 7, 0, 0, 0, benchLoc).UnixMilli()
		ev := func(ts int64, typ, domain string, tab, win, state, feed, answer, purpose, timebox, onFeed, promptID, secs any) error {
			n++
			_, err := ins.Exec("bench-client", fmt.Sprintf("e%d", n), ts, typ, domain, tab, win, state, ts, feed, answer, purpose, timebox, onFeed, promptID, secs)
			return err
		}
		if _, err := tx.Exec(`INSERT INTO client_sessions (client_id, connected_at, disconnected_at) VALUES (?, ?, ?)`,
			"bench-client", base-3600_000, base+17*3600_000); err != nil {
			return n, err
		}
		if _, err := tx.Exec(`INSERT INTO adhoc_breaks (name, start_at, end_at, locked, created_at) VALUES ('Lunch', ?, ?, 0, ?)`,
			base+5*3600_000, base+6*3600_000, base); err != nil {
			return n, err
		}
		answers := []string{"habit", "habit_continued", "need", "left_during_pause"}
		for i := 0; i < opensPerDay; i++ {
			t := base + int64(i)*288_000 // 200 opens over 16 hours
			tab := int64(day*1000 + i*2)
			feed := fmt.Sprintf("feed%d", i%benchFeeds)
			dom := feed + ".example"
			answer := answers[i%4]
			steps := []error{
				ev(t, "window_focus", "", nil, 1, nil, nil, nil, nil, nil, nil, nil, nil),
				ev(t, "tab_navigated", dom, tab, 1, nil, feed, nil, nil, nil, nil, nil, nil),
			}
			pid := fmt.Sprintf("e%d", n+3)
			if answer == "need" {
				steps = append(steps, ev(t+2000, "prompt", dom, tab, 1, nil, feed, answer, "check messages", 5, 240.0, nil, nil),
					ev(t+60_000, "feed_time", "", nil, nil, nil, feed, nil, nil, nil, nil, pid, 240.0))
			} else {
				steps = append(steps, ev(t+2000, "prompt", dom, tab, 1, nil, feed, answer, nil, nil, nil, nil, nil))
			}
			// Ten switches to another tab and back.
			for k := int64(0); k < 10; k++ {
				at := t + 10_000 + k*18_000
				steps = append(steps,
					ev(at, "tab_navigated", "news.example", tab+1, 1, nil, nil, nil, nil, nil, nil, nil, nil),
					ev(at+9000, "tab_activated", dom, tab, 1, nil, nil, nil, nil, nil, nil, nil, nil))
			}
			steps = append(steps,
				ev(t+200_000, "idle_state", "", nil, nil, "idle", nil, nil, nil, nil, nil, nil, nil),
				ev(t+250_000, "idle_state", "", nil, nil, "active", nil, nil, nil, nil, nil, nil, nil),
				ev(t+270_000, "window_focus", "", nil, -1, nil, nil, nil, nil, nil, nil, nil, nil),
				ev(t+280_000, "window_focus", "", nil, 1, nil, nil, nil, nil, nil, nil, nil, nil),
				ev(t+285_000, "tab_closed", dom, tab, 1, nil, nil, nil, nil, nil, nil, nil, nil),
			)
			for _, err := range steps {
				if err != nil {
					return n, err
				}
			}
		}
		ins.Close()
		if err := tx.Commit(); err != nil {
			return n, err
		}
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return n, err
	}
	return n, nil
}

// benchService opens the generated database with the clock at 18:00 on its
// last day.
func benchService(b *testing.B) (*Service, *store.Store) {
	path := benchDB(b)
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	last := benchFirst.AddDate(0, 0, benchDays-1)
	now := time.Date(last.Year(), last.Month(), last.Day(), 18, 0, 0, 0, benchLoc)
	clock := func() time.Time { return now }
	brk := breaks.New(breaks.Config{Store: st, Now: clock, Location: benchLoc})
	return New(Config{Store: st, Breaks: brk, Now: clock, Loc: benchLoc}), st
}

func reportSize(b *testing.B, path string) {
	var size int64
	for _, s := range []string{"", "-wal"} {
		if fi, err := os.Stat(path + s); err == nil {
			size += fi.Size()
		}
	}
	b.ReportMetric(float64(size)/float64(benchEvents), "dbB/event")
	b.ReportMetric(float64(benchEvents), "events")
}

// BenchmarkDaySummary is one past day's summary, as the dashboard asks for
// it: rollups of the days before it exist (the usual comparison), the day
// itself is computed once and then read from its rollup.
func BenchmarkDaySummary(b *testing.B) {
	svc, st := benchService(b)
	ctx := context.Background()
	date := benchFirst.AddDate(0, 0, 200).Format(time.DateOnly)
	if _, err := svc.Days(ctx, benchFirst.AddDate(0, 0, 190).Format(time.DateOnly), date); err != nil { // warm the rollups
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		s, err := svc.Day(ctx, date)
		if err != nil {
			b.Fatal(err)
		}
		if s.Opens.Total != opensPerDay {
			b.Fatalf("opens = %d, want %d", s.Opens.Total, opensPerDay)
		}
	}
	b.StopTimer()
	reportSize(b, st.Path())
}

// BenchmarkToday is today's summary (never a rollup: the day is not over)
// on the last generated day at 18:00.
func BenchmarkToday(b *testing.B) {
	svc, _ := benchService(b)
	ctx := context.Background()
	if _, err := svc.Week(ctx, ""); err != nil { // warm the rollups of the week before
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		s, err := svc.Day(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		if s.Opens.Total == 0 || s.SecondsOnFeeds == 0 {
			b.Fatalf("today: %+v", s.Opens)
		}
	}
}

// BenchmarkDayComputed is one day computed from its ~5,600 events with no
// rollup at all (the worst case: the first look at a day, or just after a
// late event arrived), the usual days included.
func BenchmarkDayComputed(b *testing.B) {
	svc, st := benchService(b)
	ctx := context.Background()
	date := benchFirst.AddDate(0, 0, 100).Format(time.DateOnly)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := clearRollups(ctx, st); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := svc.Day(ctx, date); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHistory90 is a 90-day history (the dashboard's longest chart)
// with its rollups in place.
func BenchmarkHistory90(b *testing.B) {
	svc, _ := benchService(b)
	ctx := context.Background()
	last := benchFirst.AddDate(0, 0, benchDays-1)
	from, to := last.AddDate(0, 0, -89).Format(time.DateOnly), last.Format(time.DateOnly)
	if _, err := svc.Days(ctx, from, to); err != nil { // warm
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		days, err := svc.Days(ctx, from, to)
		if err != nil {
			b.Fatal(err)
		}
		if len(days) != 90 {
			b.Fatalf("%d days", len(days))
		}
	}
}

// clearRollups empties the rollups: a retention cut before every day
// would also delete events, so it removes them directly.
func clearRollups(ctx context.Context, st *store.Store) error {
	return st.ClearRollups(ctx)
}

// copyBenchDB copies the generated database, for benchmarks that change it.
func copyBenchDB(b *testing.B) *store.Store {
	b.Helper()
	src, err := os.ReadFile(benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "mindful.db")
	if err := os.WriteFile(dst, src, 0o600); err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(context.Background(), dst, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkExportYear exports the generated year as JSON (one run takes
// seconds, so it usually runs once).
func BenchmarkExportYear(b *testing.B) {
	svc, _ := benchService(b)
	for b.Loop() {
		var w countWriter
		if err := svc.Export(context.Background(), &w, "json"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(w.n)/float64(benchEvents), "B/event")
	}
}

// BenchmarkDeleteAllYear deletes a copy of the generated year: the delete,
// the VACUUM and the log truncation.
func BenchmarkDeleteAllYear(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		st := copyBenchDB(b)
		svc := New(Config{Store: st})
		b.StartTimer()
		if err := svc.DeleteAll(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuickCheckYear is what the daemon's start-up check (PRAGMA
// quick_check, read only) costs on a year of heavy use.
func BenchmarkQuickCheckYear(b *testing.B) {
	path := benchDB(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := store.Check(context.Background(), path)
		if err != nil || !res.OK() {
			b.Fatalf("%+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
	b.ReportMetric(float64(benchEvents), "events")
}
