package summary

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/store"
)

type export struct {
	Format string                      `json:"format"`
	Tables map[string][]map[string]any `json:"tables"`
}

func (f *fixture) exportJSON() export {
	f.t.Helper()
	var buf bytes.Buffer
	if err := f.svc.Export(context.Background(), &buf, "json"); err != nil {
		f.t.Fatal(err)
	}
	var x export
	if err := json.Unmarshal(buf.Bytes(), &x); err != nil {
		f.t.Fatalf("export is not JSON: %v\n%s", err, buf.String())
	}
	return x
}

func (f *fixture) exportCSV() [][]string {
	f.t.Helper()
	var buf bytes.Buffer
	if err := f.svc.Export(context.Background(), &buf, "csv"); err != nil {
		f.t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		f.t.Fatalf("export is not CSV: %v", err)
	}
	return recs
}

// secret is text that must be gone from the files after DeleteAll.
const secret = "zebra-crossing-7f3a9"

func TestExportDeleteExport(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	var evs []store.Event
	for range 200 {
		note := f.ev("a", "2026-11-20 09:00", "break_note")
		note.Note, note.BreakKey = "note "+secret, "adhoc:1"
		evs = append(evs, note)
	}
	p := f.prompt("a", "2026-11-20 10:00", "x", "need")
	p.Purpose = "purpose " + secret
	f.insert(append(evs, p)...)
	if err := f.svc.SaveReflection(ctx, "2026-11-20", "reflection "+secret); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.AddAdhoc(ctx, store.Adhoc{Name: "Break " + secret, Start: f.at("2026-11-20 11:00"), End: f.at("2026-11-20 11:30")}); err != nil {
		t.Fatal(err)
	}
	f.session("a", "2026-11-20 08:00", "2026-11-20 12:00")
	set, _ := f.svc.Settings(ctx)
	set.CheckinTime = "22:00"
	if err := f.svc.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	f.day("2026-11-19") // leaves a rollup

	x := f.exportJSON()
	if x.Format != "mindful-export" || len(x.Tables["events"]) != 201 || len(x.Tables["reflections"]) != 1 ||
		len(x.Tables["adhoc_breaks"]) != 1 || len(x.Tables["client_sessions"]) != 1 || len(x.Tables["settings"]) == 0 {
		t.Errorf("export: format %q, rows %v", x.Format, counts(x))
	}
	if got := x.Tables["events"][200]["purpose"]; got != "purpose "+secret {
		t.Errorf("exported purpose = %v", got)
	}
	recs := f.exportCSV()
	if recs[0][0] != "table" || recs[0][len(recs[0])-1] != "data" || len(recs) < 1+201+1+1 {
		t.Errorf("csv: header %v, %d rows", recs[0], len(recs))
	}
	if !csvHas(recs, "reflection "+secret) || !csvHas(recs, "checkin_time") || !csvHas(recs, "purpose "+secret) {
		t.Errorf("csv lacks the other tables")
	}

	if err := f.svc.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	x = f.exportJSON()
	for table, rows := range x.Tables {
		if len(rows) != 0 {
			t.Errorf("after DeleteAll: %s has %d rows", table, len(rows))
		}
	}
	if recs := f.exportCSV(); len(recs) != 1 {
		t.Errorf("after DeleteAll: csv has %d rows, want the header only", len(recs))
	}
	if s := f.day("2026-11-20"); s.Opens.Total != 0 || s.Reflection != "" || len(s.Notes) != 0 {
		t.Errorf("after DeleteAll: summary %+v", s)
	}
	rs, _ := f.st.Rollups(ctx, "2000-01-01", "2100-01-01")
	if len(rs) != 0 {
		t.Errorf("after DeleteAll: %d rollups", len(rs))
	}
	// The text is gone from the bytes on disk, the log included.
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		b, err := os.ReadFile(f.st.Path() + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s still holds the deleted text", f.st.Path()+suffix)
		}
	}
	if _, err := os.Stat(f.st.Path()); err != nil {
		t.Fatal(err)
	}
	// The store still works.
	f.insert(f.prompt("a", "2026-11-20 10:00", "x", "habit"))
	if got := f.day("2026-11-20").Opens.Total; got != 1 {
		t.Errorf("after DeleteAll and a new event: %d opens, want 1", got)
	}
	if err := f.svc.Export(ctx, &bytes.Buffer{}, "xml"); err == nil || !strings.Contains(err.Error(), "format") {
		t.Errorf("Export(xml) = %v, want a format error", err)
	}
}

// Before DeleteAll, the same check finds the text: the test can fail.
func TestSecretIsOnDiskBeforeDelete(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	note := f.ev("a", "2026-11-20 09:00", "break_note")
	note.Note = secret
	f.insert(note)
	found := false
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(f.st.Path() + suffix)
		found = found || bytes.Contains(b, []byte(secret))
	}
	if !found {
		t.Error("the note is not in the database files at all: the deletion check proves nothing")
	}
}

func counts(x export) map[string]int {
	m := map[string]int{}
	for k, v := range x.Tables {
		m[k] = len(v)
	}
	return m
}

func csvHas(recs [][]string, s string) bool {
	for _, r := range recs {
		for _, c := range r {
			if strings.Contains(c, s) {
				return true
			}
		}
	}
	return false
}

// DeleteAll sets the rollup triggers aside while it deletes; they must be
// back afterwards.
func TestDeleteAllKeepsTheTriggers(t *testing.T) {
	f := newFixture(t, time.UTC, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	f.insert(f.prompt("a", "2026-11-20 10:00", "x", "habit"))
	if err := f.svc.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	f.insert(f.prompt("a", "2026-11-20 10:00", "x", "habit"))
	if got := f.day("2026-11-20").Opens.Total; got != 1 {
		t.Fatalf("opens = %d, want 1", got)
	}
	f.insert(f.prompt("a", "2026-11-20 11:00", "x", "habit")) // late: the trigger must drop the rollup
	if got := f.day("2026-11-20").Opens.Total; got != 2 {
		t.Errorf("after DeleteAll, a late event: opens = %d, want 2 (stale rollup: trigger gone?)", got)
	}
}
