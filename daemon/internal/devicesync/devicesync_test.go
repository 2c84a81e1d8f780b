package devicesync

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/daystart"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/syncdir"
)

type device struct {
	dir string // data dir
	st  *store.Store
	svc *Service
}

func newDevice(t testing.TB, name string, now func() time.Time) *device {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "m.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := New(Config{Store: st, File: filepath.Join(dir, File), Now: now, Logger: slog.New(slog.DiscardHandler), Hostname: func() (string, error) { return name + ".example", nil }})
	if err != nil {
		t.Fatal(err)
	}
	return &device{dir: dir, st: st, svc: svc}
}

func f64(v float64) *float64 { return &v }

// fill gives a device a day of everything that is shared, written out as
// several segments.
func fill(t *testing.T, ctx context.Context, d *device, t0 time.Time) {
	t.Helper()
	tab := int64(3)
	step := func() {
		if err := d.svc.Cycle(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := d.st.InsertEvents(ctx, []store.Event{
		{ID: "p1", ClientID: "cA", TS: t0, Type: "prompt", Domain: "news.example", ReceivedAt: t0, EventFields: api.EventFields{FeedID: "news", Answer: "habit", TabID: &tab}},
		{ID: "n1", ClientID: "cA", TS: t0.Add(time.Minute), Type: "tab_navigated", Domain: "news.example", ReceivedAt: t0, EventFields: api.EventFields{TabID: &tab}},
	})
	must(err)
	step()
	_, err = d.st.InsertEvents(ctx, []store.Event{
		{ID: "f1", ClientID: "cA", TS: t0.Add(2 * time.Minute), Type: "feed_time", ReceivedAt: t0, EventFields: api.EventFields{FeedID: "news", PromptID: "p1", Seconds: f64(40)}},
		{ID: "f2", ClientID: "cA", TS: t0.Add(3 * time.Minute), Type: "feed_time", ReceivedAt: t0, EventFields: api.EventFields{FeedID: "news", PromptID: "p1", Seconds: f64(20)}},
		{ID: "a1", ClientID: "cA", TS: t0.Add(4 * time.Minute), Type: "access", ReceivedAt: t0, EventFields: api.EventFields{MissingHosts: []string{"x.example"}}},
	})
	must(err)
	id, err := d.st.AddAdhoc(ctx, store.Adhoc{Name: "Break", Start: t0.Add(5 * time.Minute), End: t0.Add(65 * time.Minute)})
	must(err)
	step()
	must(d.st.EndEarly(ctx, []store.EarlyEnd{{WindowKey: fmt.Sprintf("adhoc:%d", id), Name: "Break", Reason: "call from school", At: t0.Add(20 * time.Minute), PlannedEnd: t0.Add(65 * time.Minute)}}, []int64{id}))
	// A second break ended early (each early end finds its own break).
	id2, err := d.st.AddAdhoc(ctx, store.Adhoc{Name: "Second", Start: t0.Add(30 * time.Minute), End: t0.Add(90 * time.Minute)})
	must(err)
	must(d.st.EndEarly(ctx, []store.EarlyEnd{{WindowKey: fmt.Sprintf("adhoc:%d", id2), Name: "Second", Reason: "second reason", At: t0.Add(40 * time.Minute), PlannedEnd: t0.Add(90 * time.Minute)}}, []int64{id2}))
	r1, err := d.st.AddRule(ctx, store.Rule{Name: "Evening", Kind: "weekly", Start: "mon-fri 20:00", End: "22:00", Enabled: true, CreatedAt: t0})
	must(err)
	_, err = d.st.AddRule(ctx, store.Rule{Name: "Gone", Kind: "weekly", Start: "sat 10:00", End: "11:00", Enabled: true, CreatedAt: t0})
	must(err)
	step()
	rules, _ := d.st.Rules(ctx)
	for _, r := range rules {
		if r.Name == "Gone" {
			must(d.st.DeleteRule(ctx, r.ID))
		}
	}
	must(d.st.EndEarly(ctx, []store.EarlyEnd{{WindowKey: fmt.Sprintf("%d@%d", r1, t0.Add(10*time.Hour).UnixMilli()), Name: "Evening", Reason: "movie night", At: t0.Add(11 * time.Hour), PlannedEnd: t0.Add(12 * time.Hour)}}, nil))
	off := false
	must(d.st.PutFeedSetting(ctx, store.FeedSetting{ID: "news", Enabled: &off, ExtraHosts: []string{"m.news.example"}}))
	must(d.st.SetReflection(ctx, "2026-12-07", "calmer than yesterday", t0.Add(12*time.Hour)))
	must(d.st.SetReflection(ctx, "2026-12-06", "to be removed", t0.Add(12*time.Hour)))
	step()
	must(d.st.SetReflection(ctx, "2026-12-06", "", t0.Add(13*time.Hour)))
	step()
}

// dump is a device's shared data in a form that does not depend on local
// row ids.
func dump(t *testing.T, d *device) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+d.st.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	q := func(title, query string) {
		rows, err := db.Query(query)
		if err != nil {
			t.Fatalf("%s: %v", title, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "== %s\n", title)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					vals[i] = string(bs)
				}
			}
			fmt.Fprintln(&b, vals...)
		}
	}
	q("events", `SELECT client_id, eid, ts, type, domain, feed_id, answer, prompt_id, seconds, seconds_on_feed, hosts, device FROM events ORDER BY client_id, eid`)
	q("breaks", `SELECT uid, name, start_at, end_at, device FROM adhoc_breaks ORDER BY uid`)
	q("early ends", `SELECT COALESCE(sync_key, window_key), window_key LIKE 'pending:%', reason, at_ms, device FROM break_early_ends ORDER BY 1`)
	q("rules", `SELECT uid, name, start_spec, clock, device FROM schedule_rules ORDER BY uid`)
	q("feeds", `SELECT id, enabled, extra_hosts, clock, device FROM feed_settings ORDER BY id`)
	q("reflections", `SELECT day, text, updated_at, device FROM reflections ORDER BY day`)
	q("removed", `SELECT kind, uid, clock, device FROM sync_removed ORDER BY kind, uid`)
	return b.String()
}

func enable(t testing.TB, d *device, dir string, key string) {
	t.Helper()
	if _, err := d.svc.Enable(context.Background(), api.SyncEnableRequest{Dir: dir, Key: key}); err != nil {
		t.Fatal(err)
	}
}

// TestAnyOrderSameDatabase is the test without an engine: the segments of
// one device reach another in random order, twice, truncated first, next
// to conflict copies and strangers, and every time the same database
// results.
func TestAnyOrderSameDatabase(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0.Add(14 * time.Hour) }
	for _, key := range []string{"", syncdir.NewKeyCode()} {
		t.Run(fmt.Sprintf("encrypted=%v", key != ""), func(t *testing.T) {
			src := t.TempDir()
			a := newDevice(t, "laptop", now)
			enable(t, a, src, key)
			fill(t, ctx, a, t0)
			segDir := syncdir.DeviceDir(src, a.svc.DeviceID())
			ents, _ := os.ReadDir(segDir)
			var segs []string
			for _, e := range ents {
				segs = append(segs, e.Name())
			}
			if len(segs) < 5 {
				t.Fatalf("want several segments, got %v", segs)
			}

			// The reference: everything arrives in order.
			ref := newDevice(t, "desktop", now)
			refDir := t.TempDir()
			enable(t, ref, refDir, key)
			copyFiles(t, segDir, syncdir.DeviceDir(refDir, a.svc.DeviceID()), segs)
			if err := ref.svc.Cycle(ctx, true); err != nil {
				t.Fatal(err)
			}
			want := dump(t, ref)
			for _, must := range []string{"cA p1", " 60 ", " 0 second reason", "Second 1796632200000 1796632800000", "call from school", "movie night", "Evening", "calmer than yesterday", "reflection 2026-12-06"} {
				if !strings.Contains(want, must) {
					t.Fatalf("reference lacks %q:\n%s", must, want)
				}
			}
			if strings.Contains(want, "Gone") || strings.Contains(want, "to be removed") || strings.Contains(want, " 1 second reason") || strings.Contains(want, " 1 call from school") || strings.Contains(want, " 1 movie night") {
				t.Fatalf("reference has removed data or unresolved early ends:\n%s", want)
			}
			st, _ := ref.svc.Status(ctx)
			if len(st.Devices) != 1 || st.Devices[0].Name != "laptop" || st.Devices[0].Segments != len(segs) {
				t.Fatalf("status devices: %+v", st.Devices)
			}

			rng := rand.New(rand.NewPCG(1, uint64(len(key))))
			for trial := range 4 {
				b := newDevice(t, "desktop", now)
				dir := t.TempDir()
				enable(t, b, dir, key)
				dst := syncdir.DeviceDir(dir, a.svc.DeviceID())
				os.MkdirAll(dst, 0o700)
				order := rng.Perm(len(segs))
				// One segment arrives cut short first.
				cut := segs[order[0]]
				data, _ := os.ReadFile(filepath.Join(segDir, cut))
				os.WriteFile(filepath.Join(dst, cut), data[:len(data)/2], 0o600)
				os.WriteFile(filepath.Join(dst, "000000000001.sync-conflict-20261207-101010-ABCDEFG.seg"), data, 0o600)
				if err := b.svc.Cycle(ctx, true); err != nil {
					t.Fatal(err)
				}
				st, _ := b.svc.Status(ctx)
				probs := strings.Join(st.Problems, "\n")
				if !strings.Contains(probs, cut) || !strings.Contains(probs, "will retry") || !strings.Contains(probs, "conflict copy") {
					t.Fatalf("trial %d: problems do not name the cut file %s and the conflict copy:\n%s", trial, cut, probs)
				}
				for i, k := range order {
					copyFiles(t, segDir, dst, segs[k:k+1])
					if i%2 == 0 {
						if err := b.svc.Cycle(ctx, true); err != nil {
							t.Fatal(err)
						}
					}
				}
				if err := b.svc.Cycle(ctx, true); err != nil {
					t.Fatal(err)
				}
				// Imported again from scratch (a second copy of the folder).
				b.svc.done = map[string]map[int64]bool{}
				if err := b.svc.Cycle(ctx, true); err != nil {
					t.Fatal(err)
				}
				if got := dump(t, b); got != want {
					t.Fatalf("trial %d (order %v): database differs\n--- got\n%s\n--- want\n%s", trial, order, got, want)
				}
			}
		})
	}
}

func copyFiles(t *testing.T, from, to string, names []string) {
	t.Helper()
	os.MkdirAll(to, 0o700)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(from, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, n), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMergeRules: two devices on one folder (a perfect engine) converge on
// concurrent changes, and a removal wins over the rule it removed.
func TestMergeRules(t *testing.T) {
	ctx := context.Background()
	now := time.Now
	dir := t.TempDir()
	a, b := newDevice(t, "laptop", now), newDevice(t, "desktop", now)
	enable(t, a, dir, "")
	enable(t, b, dir, "")
	both := func() {
		t.Helper()
		for range 2 {
			for _, d := range []*device{a, b} {
				if err := d.svc.Cycle(ctx, true); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Both change the same feed before either has seen the other's change.
	on, off := true, false
	a.st.PutFeedSetting(ctx, store.FeedSetting{ID: "video", Enabled: &off})
	b.st.PutFeedSetting(ctx, store.FeedSetting{ID: "video", Enabled: &on})
	if _, err := a.st.AddRule(ctx, store.Rule{Name: "Morning", Kind: "weekly", Start: "mon 08:00", End: "09:00", Enabled: true, CreatedAt: now()}); err != nil {
		t.Fatal(err)
	}
	both()
	rulesOf := func(d *device) []string {
		rs, _ := d.st.Rules(ctx)
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	if got := rulesOf(b); len(got) != 1 || got[0] != "Morning" {
		t.Fatalf("b's rules: %v", got)
	}
	fa, _ := a.st.FeedSettings(ctx)
	fb, _ := b.st.FeedSettings(ctx)
	if len(fa) != 1 || len(fb) != 1 || *fa[0].Enabled != *fb[0].Enabled {
		t.Fatalf("feeds did not converge: %+v vs %+v", fa, fb)
	}
	// The tie (same clock) goes to the larger device id.
	wantOn := b.svc.DeviceID() > a.svc.DeviceID()
	if *fa[0].Enabled != wantOn {
		t.Fatalf("feed enabled %v, want %v (ids a=%s b=%s)", *fa[0].Enabled, wantOn, a.svc.DeviceID(), b.svc.DeviceID())
	}
	rs, _ := b.st.Rules(ctx)
	if err := b.st.DeleteRule(ctx, rs[0].ID); err != nil {
		t.Fatal(err)
	}
	both()
	if got := rulesOf(a); len(got) != 0 {
		t.Fatalf("a still has %v after b removed it", got)
	}
	// A later change on a wins over b's earlier one.
	a.st.PutFeedSetting(ctx, store.FeedSetting{ID: "video", Enabled: &off})
	both()
	fb, _ = b.st.FeedSettings(ctx)
	if *fb[0].Enabled {
		t.Fatal("b did not take a's later change")
	}
	st, err := a.svc.Status(ctx)
	if err != nil || len(st.Devices) != 1 || st.Devices[0].ID != b.svc.DeviceID() || st.Devices[0].Name != "desktop" || len(st.Problems) != 0 {
		t.Fatalf("status: %+v %v", st, err)
	}
}

// TestSameIDTwice: a data folder copied to a second machine makes two
// writers with one id; both notice and say what to do.
func TestSameIDTwice(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := newDevice(t, "laptop", time.Now)
	enable(t, a, dir, "")
	b := newDevice(t, "desktop", time.Now)
	data, _ := os.ReadFile(filepath.Join(a.dir, File))
	os.WriteFile(filepath.Join(b.dir, File), data, 0o600)
	svc, err := New(Config{Store: b.st, File: filepath.Join(b.dir, File), Now: time.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	b.svc = svc
	for _, d := range []*device{a, b} {
		d.st.InsertEvents(ctx, []store.Event{{ID: "e" + d.dir, ClientID: "c" + d.dir, TS: time.Now(), Type: "tab_navigated", ReceivedAt: time.Now()}})
	}
	for _, d := range []*device{a, b, a} {
		if err := d.svc.Cycle(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	for i, d := range []*device{a, b} {
		st, _ := d.svc.Status(ctx)
		if p := strings.Join(st.Problems, "\n"); !strings.Contains(p, "another machine") || !strings.Contains(p, "--new-id") {
			t.Fatalf("device %d does not report the clash: %q", i, p)
		}
	}
	// The fix: one of them takes a new id; the other then imports it.
	if _, err := b.svc.Enable(ctx, api.SyncEnableRequest{Dir: dir, NewID: true}); err != nil {
		t.Fatal(err)
	}
	b.svc.Cycle(ctx, true)
	a.svc.Cycle(ctx, true)
	st, _ := a.svc.Status(ctx)
	if len(st.Devices) != 1 || st.Devices[0].ID != b.svc.DeviceID() {
		t.Fatalf("after --new-id a sees %+v", st.Devices)
	}
}

// TestEventsWaitThenGoOutAtShutdown: events are gathered (EventDelay), a
// break goes out at once, and what waits is written when Run ends.
func TestEventsWaitThenGoOutAtShutdown(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := newDevice(t, "laptop", time.Now)
	a.svc.cfg.EventDelay = time.Hour
	a.st.InsertEvents(ctx, []store.Event{{ID: "e0", ClientID: "c1", TS: time.Now(), Type: "tab_navigated", ReceivedAt: time.Now()}})
	enable(t, a, dir, "") // writes e0 out
	segs := func() int {
		l, _ := syncdir.List(dir)
		return len(l.Segments[a.svc.DeviceID()])
	}
	before := segs()
	a.st.InsertEvents(ctx, []store.Event{{ID: "e1", ClientID: "c1", TS: time.Now(), Type: "tab_navigated", ReceivedAt: time.Now()}})
	if err := a.svc.Cycle(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got := segs(); got != before {
		t.Fatalf("an event went out at once: %d segments, want %d", got, before)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.svc.Run(runCtx); close(done) }()
	stop()
	<-done
	if got := segs(); got != before+1 || before != 1 {
		t.Fatalf("after Run ended: %d segments, want %d", got, before+1)
	}
	b := newDevice(t, "desktop", time.Now)
	enable(t, b, dir, "")
	if n, _ := b.st.EventsByDevice(ctx, time.Time{}, time.Now().Add(time.Hour)); n[a.svc.DeviceID()] != 2 {
		t.Fatalf("b imported %v", n)
	}
}

// TestSettingsNotSavedWritesOnce: when sync.json cannot be written (its
// folder is gone), a change still goes out once, not once per pass.
func TestSettingsNotSavedWritesOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := newDevice(t, "laptop", time.Now)
	enable(t, a, dir, "")
	a.svc.cfg.File = filepath.Join(t.TempDir(), "gone", File)
	a.st.AddAdhoc(ctx, store.Adhoc{Name: "Break", Start: time.Now()})
	for range 3 {
		a.svc.Cycle(ctx, true)
	}
	l, _ := syncdir.List(dir)
	if n := len(l.Segments[a.svc.DeviceID()]); n != 1 {
		t.Fatalf("%d segments for one change", n)
	}
}

// TestEventsTodayFollowTheDayStart: "events today" per device counts from
// the user's day start (04:00 unless set), as the summary does, so at
// 00:30 the evening before still counts and the small hours before the
// previous day's start do not.
func TestEventsTodayFollowTheDayStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := func() time.Time { return time.Date(2026, 12, 8, 0, 30, 0, 0, time.Local) }
	a := newDevice(t, "laptop", now)
	b := newDevice(t, "desktop", now)
	evening, early := time.Date(2026, 12, 7, 23, 50, 0, 0, time.Local), time.Date(2026, 12, 7, 3, 30, 0, 0, time.Local)
	if _, err := a.st.InsertEvents(ctx, []store.Event{
		{ID: "e1", ClientID: "c1", TS: evening, Type: api.EventTabNavigated, ReceivedAt: evening},
		{ID: "e2", ClientID: "c1", TS: early, Type: api.EventTabNavigated, ReceivedAt: early},
	}); err != nil {
		t.Fatal(err)
	}
	enable(t, a, dir, "")
	enable(t, b, dir, "")
	st, err := b.svc.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Devices) != 1 || st.Devices[0].EventsToday != 1 {
		t.Fatalf("b's view of a: %+v, want 1 event today", st.Devices)
	}
	if st, err := a.svc.Status(ctx); err != nil || st.Device.EventsToday != 1 {
		t.Fatalf("a's own events today: %d (%v), want 1", st.Device.EventsToday, err)
	}
	// A day that starts at midnight counts neither.
	if err := b.st.SetSetting(ctx, daystart.Key, "00:00"); err != nil {
		t.Fatal(err)
	}
	if st, err := b.svc.Status(ctx); err != nil || st.Devices[0].EventsToday != 0 {
		t.Fatalf("with the day at 00:00: %+v (%v), want 0", st.Devices, err)
	}
}
