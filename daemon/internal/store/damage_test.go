package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/store/dbtest"
)

const fillEvents = 20000

var damagedTemplate struct {
	once sync.Once
	data []byte
}

// damagedDB is a copy of one real database with two paired browsers and
// fillEvents events, with 64 KiB of garbage in its middle (made once).
func damagedDB(t *testing.T) (string, []byte) {
	t.Helper()
	damagedTemplate.once.Do(func() {
		path := filepath.Join(t.TempDir(), "template.db")
		dbtest.Fill(t, path, []store.Client{
			dbtest.Client("chrome-1", "chrome-extension://abc", "token-1"),
			dbtest.Client("firefox-1", "moz-extension://def", "token-2"),
		}, fillEvents)
		damagedTemplate.data = dbtest.Garble(t, path)
	})
	if damagedTemplate.data == nil {
		t.Fatal("no damaged database (its making failed)")
	}
	path := filepath.Join(t.TempDir(), "mindful.db")
	if err := os.WriteFile(path, damagedTemplate.data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, damagedTemplate.data
}

func TestCheckFindsGarbageAndLeavesTheFile(t *testing.T) {
	ctx := context.Background()
	path, want := damagedDB(t)
	res, err := store.Check(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.State != store.CheckDamaged || len(res.Problems) == 0 {
		t.Fatalf("check of a file with 64 KiB of garbage: %+v", res)
	}
	if !strings.HasPrefix(res.Problem(), "the database is damaged: ") {
		t.Fatalf("problem %q", res.Problem())
	}
	dbtest.Same(t, path, want)
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + side); err == nil {
			t.Errorf("check left %s behind", path+side)
		}
	}
}

func TestCheckHealthyMissingEmpty(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	dbtest.Fill(t, good, []store.Client{dbtest.Client("c", "chrome-extension://abc", "t")}, 10)
	if res, err := store.Check(ctx, good); err != nil || !res.OK() || res.Problem() != "" {
		t.Fatalf("healthy: %+v, %v", res, err)
	}
	if res, err := store.Check(ctx, filepath.Join(dir, "none.db")); err != nil || res.State != store.CheckMissing {
		t.Fatalf("missing: %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Fatal("check created the missing file")
	}
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if res, err := store.Check(ctx, empty); err != nil || res.State != store.CheckEmpty {
		t.Fatalf("empty: %+v, %v", res, err)
	}
	notdb := filepath.Join(dir, "notdb.db")
	os.WriteFile(notdb, []byte(strings.Repeat("this is not sqlite ", 1000)), 0o600)
	if res, err := store.Check(ctx, notdb); err != nil || res.State != store.CheckDamaged {
		t.Fatalf("not a database: %+v, %v", res, err)
	}
}

// TestDamageFoundLaterRefusesWrites: a store opened on a damaged file (as a
// daemon whose file went bad while it ran) marks itself damaged at the first
// "malformed" read and from then on acknowledges no write.
func TestDamageFoundLaterRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path, _ := damagedDB(t)
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatalf("open (damage in the events' pages is found later): %v", err)
	}
	defer st.Close()
	if st.Damage() != nil {
		t.Fatal("damaged before anything was read")
	}
	if _, err := st.Events(ctx, store.EventFilter{Limit: 100000}); err == nil || !store.IsCorrupt(err) {
		t.Fatalf("reading every event: %v, want a malformed error", err)
	}
	d := st.Damage()
	if d == nil || !strings.Contains(d.Problem, "malformed") {
		t.Fatalf("damage %+v", d)
	}
	tab := int64(1)
	n, err := st.InsertEvents(ctx, []store.Event{{ID: "after", ClientID: "chrome-1", TS: time.Now(), Type: "tab_activated", ReceivedAt: time.Now(), EventFields: api.EventFields{TabID: &tab}}})
	if !errors.Is(err, store.ErrDamaged) || !errors.Is(err, store.ErrUnavailable) || n != 0 {
		t.Fatalf("insert into a damaged store: %d, %v", n, err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error does not name the file: %v", err)
	}
	if err := st.SetSetting(ctx, "k", "v"); !errors.Is(err, store.ErrDamaged) {
		t.Fatalf("setting into a damaged store: %v", err)
	}
}

func TestRecoverSavesRowsAroundDamage(t *testing.T) {
	ctx := context.Background()
	path, damaged := damagedDB(t)
	now := time.Date(2026, 12, 7, 20, 15, 0, 0, time.UTC)
	res, err := store.Recover(ctx, path, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".damaged-20261207T201500"; res.DamagedCopy != want {
		t.Fatalf("damaged copy %q, want %q", res.DamagedCopy, want)
	}
	dbtest.Same(t, res.DamagedCopy, damaged)
	saved := map[string]store.TableRecovery{}
	for _, tr := range res.Tables {
		saved[tr.Table] = tr
	}
	if c := saved["clients"]; c.Saved != 2 || !c.Complete {
		t.Fatalf("clients: %+v", c)
	}
	ev := saved["events"]
	if ev.Saved < fillEvents*9/10 || ev.Saved > fillEvents {
		t.Fatalf("events: saved %d of %d", ev.Saved, fillEvents)
	}
	if saved["summary_days"].Skipped == "" {
		t.Fatalf("summary_days: %+v", saved["summary_days"])
	}
	t.Logf("saved %d of %d events (complete %v) in %s", ev.Saved, fillEvents, ev.Complete, res.Took)

	chk, err := store.Check(ctx, path)
	if err != nil || !chk.OK() {
		t.Fatalf("recovered file: %+v, %v", chk, err)
	}
	// The same schema as a new database: tables, indexes, triggers.
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	dbtest.Fill(t, fresh, []store.Client{dbtest.Client("x", "", "t")}, 0)
	if got, want := schemaOf(t, path), schemaOf(t, fresh); got != want {
		t.Fatalf("recovered schema:\n%s\nwant:\n%s", got, want)
	}
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs, err := st.Clients(ctx)
	if err != nil || len(cs) != 2 {
		t.Fatalf("clients after recover: %v, %v", cs, err)
	}
	evs, err := st.Events(ctx, store.EventFilter{Limit: 100000})
	if err != nil || int64(len(evs)) != ev.Saved {
		t.Fatalf("events after recover: %d (saved %d), %v", len(evs), ev.Saved, err)
	}
	tab := int64(1)
	if n, err := st.InsertEvents(ctx, []store.Event{{ID: "after", ClientID: "chrome-1", TS: time.Now(), Type: "tab_activated", ReceivedAt: time.Now(), EventFields: api.EventFields{TabID: &tab}}}); err != nil || n != 1 {
		t.Fatalf("insert after recover: %d, %v", n, err)
	}
	if v, err := st.Setting(ctx, "dbtest.filled", ""); err != nil || v != "yes" {
		t.Fatalf("setting after recover: %q, %v", v, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("recovered file mode: %v, %v", fi, err)
	}
}

func TestRecoverEmptyGivesFreshDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mindful.db")
	os.WriteFile(path, nil, 0o600)
	res, err := store.Recover(ctx, path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(res.DamagedCopy); err != nil || fi.Size() != 0 {
		t.Fatalf("the empty file is not kept: %v, %v", fi, err)
	}
	for _, tr := range res.Tables {
		if tr.Saved != 0 {
			t.Fatalf("%+v", tr)
		}
	}
	if chk, err := store.Check(ctx, path); err != nil || !chk.OK() {
		t.Fatalf("%+v, %v", chk, err)
	}
}

func TestIsCorrupt(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{sqlite3.Error{Code: sqlite3.ErrCorrupt}, true},
		{sqlite3.Error{Code: sqlite3.ErrNotADB}, true},
		{sqlite3.Error{Code: sqlite3.ErrFull}, false},
		{sqlite3.Error{Code: sqlite3.ErrBusy}, false},
		{errors.New("read events: database disk image is malformed"), true},
		{errors.New("file is not a database"), true},
		{store.ErrDamaged, true},
		{errors.New("event x: hosts: malformed JSON"), false},
	} {
		if got := store.IsCorrupt(tt.err); got != tt.want {
			t.Errorf("IsCorrupt(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// BenchmarkRecover recovers 200,000 events from a file with 64 KiB of
// garbage in its middle (each run on a fresh copy of it).
func BenchmarkRecover(b *testing.B) {
	const n = 200000
	dir := b.TempDir()
	orig := filepath.Join(dir, "orig.db")
	dbtest.Fill(b, orig, []store.Client{dbtest.Client("c", "chrome-extension://abc", "t")}, n)
	garbled := dbtest.Garble(b, orig)
	path := filepath.Join(dir, "mindful.db")
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		os.WriteFile(path, garbled, 0o600)
		b.StartTimer()
		res, err := store.Recover(context.Background(), path, time.Unix(int64(i), 0))
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range res.Tables {
			if t.Table == "events" {
				b.ReportMetric(float64(t.Saved), "events")
				b.ReportMetric(float64(t.Saved)/res.Took.Seconds(), "events/s")
			}
		}
	}
}

func schemaOf(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		rows.Scan(&line)
		b.WriteString(line + "\n")
	}
	var v int
	db.QueryRow("PRAGMA user_version").Scan(&v)
	fmt.Fprintf(&b, "user_version %d\n", v)
	return b.String()
}
