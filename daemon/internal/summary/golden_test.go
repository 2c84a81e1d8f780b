package summary

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenDay builds one fixed day in Europe/Berlin: opens of every kind,
// time on two feeds, a need over its time box, breaks (kept, ended early,
// partly not enforced), attempts, a note, a reflection and a usual.
func goldenDay(t *testing.T) api.Summary {
	f := newFixture(t, berlin(t), time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	// The week before: 12 opens a day.
	var evs []store.Event
	for d := 13; d <= 19; d++ {
		for i := range 12 {
			evs = append(evs, f.prompt("a", fmt.Sprintf("2026-11-%02d %02d:10", d, 8+i), "instagram", "habit"))
		}
	}
	f.insert(evs...)
	f.session("a", "2026-11-20 07:00", "2026-11-20 09:00")
	f.session("a", "2026-11-20 09:30", "")
	day := []store.Event{
		f.focus("a", "2026-11-20 08:00", 1),
		f.prompt("a", "2026-11-20 08:00", "instagram", "habit"),
		f.prompt("a", "2026-11-20 08:01", "instagram", "habit_continued"),
		f.nav("a", "2026-11-20 08:01", 5, 1, "www.instagram.com", "instagram"),
		f.idle("a", "2026-11-20 08:13", "idle"),
		f.idle("a", "2026-11-20 08:20", "active"),
		f.closeTab("a", "2026-11-20 08:24", 5, 1),
		f.prompt("a", "2026-11-20 10:00", "youtube", "left_during_pause"),
		f.prompt("a", "2026-11-20 10:05", "youtube", "habit"),
	}
	day = append(day, f.need("a", "2026-11-20 13:00", "youtube", "the recipe video", 15, 1260)...)
	day = append(day,
		f.nav("a", "2026-11-20 13:00", 6, 1, "www.youtube.com", "youtube"),
		f.closeTab("a", "2026-11-20 13:21", 6, 1))
	note := f.ev("a", "2026-11-20 09:10", "break_note")
	note.Note, note.BreakKey = "the football score", "adhoc:1"
	att := f.ev("a", "2026-11-20 09:11", "break_attempt")
	att.Domain, att.BreakKey = "www.instagram.com", "adhoc:1"
	f.insert(append(day, note, att)...)
	if _, err := f.st.AddAdhoc(ctx, store.Adhoc{Name: "Morning", Start: f.at("2026-11-20 09:00"), End: f.at("2026-11-20 10:00")}); err != nil {
		t.Fatal(err)
	}
	id, err := f.st.AddAdhoc(ctx, store.Adhoc{Name: "Afternoon", Start: f.at("2026-11-20 15:00"), End: f.at("2026-11-20 17:00")})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.EndEarly(ctx, []store.EarlyEnd{{WindowKey: fmt.Sprintf("adhoc:%d", id), Name: "Afternoon", Reason: "had to book a train",
		At: f.at("2026-11-20 16:00"), PlannedEnd: f.at("2026-11-20 17:00")}}, []int64{id}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SaveReflection(ctx, "2026-11-20", "Less scrolling after lunch. The break page note helped."); err != nil {
		t.Fatal(err)
	}
	return f.day("2026-11-20")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to write it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

func TestGoldenDayJSON(t *testing.T) {
	s := goldenDay(t)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "day.json.golden", append(b, '\n'))
	// The contract names that later checks rely on.
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"date", "opens", "feeds", "breaks", "seconds_on_feeds", "reflection"} {
		if _, ok := m[k]; !ok {
			t.Errorf("summary JSON lacks %q", k)
		}
	}
	for _, k := range []string{"total", "habit", "habit_continued", "need", "left_during_pause"} {
		if _, ok := m["opens"].(map[string]any)[k]; !ok {
			t.Errorf("opens lacks %q", k)
		}
	}
	for _, k := range []string{"id", "opens", "habit", "need", "seconds"} {
		if _, ok := m["feeds"].([]any)[0].(map[string]any)[k]; !ok {
			t.Errorf("feeds[0] lacks %q", k)
		}
	}
	for _, k := range []string{"planned", "kept", "ended_early"} {
		if _, ok := m["breaks"].(map[string]any)[k]; !ok {
			t.Errorf("breaks lacks %q", k)
		}
	}
}

// docs/summary.md shows a summary that decodes into api.Summary with no
// unknown field.
func TestDocsExampleDecodes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(b, -1)
	if len(blocks) < 2 {
		t.Fatalf("docs/summary.md: %d JSON examples, want a day and a week", len(blocks))
	}
	var day api.Summary
	dec := json.NewDecoder(bytes.NewReader(blocks[0][1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&day); err != nil {
		t.Fatalf("docs/summary.md day example: %v", err)
	}
	if day.Date == "" || day.Opens.Total != day.Opens.Habit+day.Opens.HabitContinued+day.Opens.Need+day.Opens.LeftDuringPause {
		t.Errorf("docs day example is inconsistent: %+v", day.Opens)
	}
	var week api.Week
	dec = json.NewDecoder(bytes.NewReader(blocks[1][1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&week); err != nil {
		t.Fatalf("docs/summary.md week example: %v", err)
	}
}
