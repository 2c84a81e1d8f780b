package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

func open(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesPrivateFileAndMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s := open(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// On Windows the data folder's access list keeps it private (see
	// daemon/datadir); files there have no Unix mode to check.
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("db mode %v, want 0600", fi.Mode().Perm())
	}
	var v int
	if err := s.r.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	if v != len(ms) || v == 0 {
		t.Fatalf("user_version %d, want %d", v, len(ms))
	}
	var mode string
	s.r.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Fatalf("journal_mode %q, want wal", mode)
	}
	s.Close()
	// Reopening applies nothing twice.
	s2, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	s2.Close()
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(context.Background(), path, Options{})
	if err == nil || !contains(err.Error(), "newer than this mindful") {
		t.Fatalf("want a clear refusal, got %v", err)
	}
}

func TestBrokenFileGivesClearError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	os.WriteFile(path, []byte("this is not a database, just text that is long enough to have a header......"), 0o600)
	_, err := Open(context.Background(), path, Options{})
	if err == nil || !contains(err.Error(), path) {
		t.Fatalf("want an error naming %s, got %v", path, err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func evt(client, id string, ts time.Time) Event {
	tab := int64(1)
	return Event{ID: id, ClientID: client, TS: ts, Type: "tab_navigated", Domain: "a.test", ReceivedAt: ts, EventFields: api.EventFields{TabID: &tab, WindowID: &tab}}
}

func TestInsertEventsIsIdempotentPerClient(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "m.db"))
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	n, err := s.InsertEvents(ctx, []Event{evt("c1", "e1", t0), evt("c1", "e2", t0.Add(time.Second))})
	if err != nil || n != 2 {
		t.Fatalf("first insert: %d, %v", n, err)
	}
	n, err = s.InsertEvents(ctx, []Event{evt("c1", "e1", t0), evt("c1", "e3", t0.Add(2*time.Second))})
	if err != nil || n != 1 {
		t.Fatalf("replay: added %d (want 1), %v", n, err)
	}
	// The same id from another client is another event.
	if n, err = s.InsertEvents(ctx, []Event{evt("c2", "e1", t0)}); err != nil || n != 1 {
		t.Fatalf("other client: %d, %v", n, err)
	}
	evs, err := s.Events(ctx, EventFilter{})
	if err != nil || len(evs) != 4 {
		t.Fatalf("events: %d, %v", len(evs), err)
	}
	if evs[0].TS != t0 || evs[0].TabID == nil || *evs[0].TabID != 1 {
		t.Fatalf("round trip lost data: %+v", evs[0])
	}
	since, _ := s.Events(ctx, EventFilter{Since: t0.Add(time.Second)})
	if len(since) != 2 {
		t.Fatalf("since filter: %d events, want 2", len(since))
	}
}

func TestLatestAccessPerClient(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "m.db"))
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	access := func(client, id string, at time.Time, hosts ...string) Event {
		e := Event{ID: id, ClientID: client, TS: at, Type: "access", ReceivedAt: at, EventFields: api.EventFields{State: "full", MissingHosts: hosts}}
		if len(hosts) > 0 {
			e.State = "limited"
		}
		return e
	}
	if got, err := s.LatestAccess(ctx); err != nil || len(got) != 0 {
		t.Fatalf("no events: %v, %v", got, err)
	}
	if _, err := s.InsertEvents(ctx, []Event{
		access("c1", "a1", t0),
		access("c1", "a2", t0.Add(time.Hour), "mastodon.social", "x.com"),
		access("c2", "a3", t0.Add(time.Hour), "x.com"),
		evt("c2", "e1", t0.Add(2*time.Hour)),
	}); err != nil {
		t.Fatal(err)
	}
	// A late replay of an older answer does not win over the newer one.
	if _, err := s.InsertEvents(ctx, []Event{access("c2", "a0", t0)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.LatestAccess(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c1 := got["c1"]; c1.State != "limited" || strings.Join(c1.MissingHosts, ",") != "mastodon.social,x.com" || !c1.At.Equal(t0.Add(time.Hour)) {
		t.Errorf("c1: %+v", c1)
	}
	if c2 := got["c2"]; c2.State != "limited" || strings.Join(c2.MissingHosts, ",") != "x.com" {
		t.Errorf("c2: %+v (the older replay must not win)", c2)
	}
	evs, err := s.Events(ctx, EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.ID == "a1" && (e.MissingHosts == nil || len(e.MissingHosts) != 0) {
			t.Errorf("full access round-trips as an empty list, got %#v", e.MissingHosts)
		}
		if e.ID == "e1" && e.MissingHosts != nil {
			t.Errorf("other events have no hosts, got %#v", e.MissingHosts)
		}
	}
}

func TestConcurrentWritesAllCommit(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "m.db"))
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	t0 := time.Now()
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := s.InsertEvents(ctx, []Event{evt("c", fmt.Sprintf("g%d-%d", g, i), t0)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs, _ := s.Events(ctx, EventFilter{Limit: 5000})
	if len(evs) != 1000 {
		t.Fatalf("stored %d of 1000", len(evs))
	}
}

func TestOneFailingWriteDoesNotUndoOthers(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "m.db"))
	ctx := context.Background()
	// Queue a failing request and a good one so they share a batch.
	bad := errors.New("boom")
	var wg sync.WaitGroup
	var badErr, goodErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		badErr = s.write(ctx, func(tx *sql.Tx) error {
			tx.Exec(`INSERT INTO settings (key, value) VALUES ('bad', 'x')`)
			return bad
		})
	}()
	go func() { defer wg.Done(); goodErr = s.SetSetting(ctx, "good", "y") }()
	wg.Wait()
	if !errors.Is(badErr, bad) || goodErr != nil {
		t.Fatalf("bad=%v good=%v", badErr, goodErr)
	}
	if v, _ := s.Setting(ctx, "bad", "unset"); v != "unset" {
		t.Fatalf("failed write left %q behind", v)
	}
	if v, _ := s.Setting(ctx, "good", ""); v != "y" {
		t.Fatalf("good write lost: %q", v)
	}
}

func TestLockedDatabaseIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s := open(t, path)
	other, err := sql.Open("sqlite3", "file:"+path+"?_txlock=exclusive")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	tx.Exec(`INSERT INTO settings (key, value) VALUES ('x', 'y')`)
	_, err = s.InsertEvents(context.Background(), []Event{evt("c", "e1", time.Now())})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("want ErrUnavailable while locked, got %v", err)
	}
	tx.Rollback()
	if _, err := s.InsertEvents(context.Background(), []Event{evt("c", "e1", time.Now())}); err != nil {
		t.Fatalf("after the lock is gone: %v", err)
	}
}

func TestClientsRoundTrip(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "m.db"))
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c := Client{ID: "c1", Browser: "chromium", Origin: "chrome-extension://x", TokenHash: []byte{1, 2, 3}, PairedAt: at}
	if err := s.PutClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchClient(ctx, "c1", "chromium", "156", "0.1.0", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Client(ctx, "c1")
	if err != nil || got.BrowserVersion != "156" || !got.LastSeen.Equal(at.Add(time.Minute)) || string(got.TokenHash) != "\x01\x02\x03" {
		t.Fatalf("client %+v, %v", got, err)
	}
	// Pairing again replaces the token and resets last_seen.
	c.TokenHash = []byte{9}
	s.PutClient(ctx, c)
	got, _ = s.Client(ctx, "c1")
	if string(got.TokenHash) != "\x09" || !got.LastSeen.IsZero() {
		t.Fatalf("re-pair: %+v", got)
	}
	if err := s.DeleteClient(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client(ctx, "c1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := s.DeleteClient(ctx, "c1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestCloseCommitsQueuedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertEvents(context.Background(), []Event{evt("c", "e1", time.Now())}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.SetSetting(context.Background(), "k", "v"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("write after close: %v", err)
	}
	s2 := open(t, path)
	evs, _ := s2.Events(context.Background(), EventFilter{})
	if len(evs) != 1 {
		t.Fatalf("after reopen: %d events", len(evs))
	}
}

// BenchmarkInsertEvent measures one acknowledged event: a one-event batch
// committed with synchronous=FULL, as the daemon does for live traffic.
func BenchmarkInsertEvent(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "m.db"))
	t0 := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.InsertEvents(context.Background(), []Event{evt("c", fmt.Sprint(i), t0)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertEventsConcurrent: many connections at once; the writer
// batches them into shared transactions.
func BenchmarkInsertEventsConcurrent(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "m.db"))
	t0 := time.Now()
	var n int64
	var mu sync.Mutex
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			n++
			id := fmt.Sprint(n)
			mu.Unlock()
			if _, err := s.InsertEvents(context.Background(), []Event{evt("c", id, t0)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkReplayBatch200: a 200-event replay after an outage.
func BenchmarkReplayBatch200(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "m.db"))
	t0 := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		evs := make([]Event, 200)
		for j := range evs {
			evs[j] = evt("c", fmt.Sprintf("%d-%d", i, j), t0)
		}
		if _, err := s.InsertEvents(context.Background(), evs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*200)/b.Elapsed().Seconds(), "events/s")
}

// The one mapping between Event and the events table lines up: as many
// columns as placeholders, values and scan destinations.
func TestEventColumnsLineUp(t *testing.T) {
	cols := len(strings.Split(eventColumns, ","))
	var r eventRow
	if p, a, d := strings.Count(eventPlaceholders, "?"), len(eventArgs(nil, Event{})), len(r.dest()); p != cols || a != cols || d != cols {
		t.Errorf("%d columns, %d placeholders, %d values, %d destinations", cols, p, a, d)
	}
}
