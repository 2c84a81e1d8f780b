package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/daemontest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

// testdata/summary.json is a copy of daemon/internal/summary's golden day.
func fixedDay(t *testing.T) api.Summary {
	b, err := os.ReadFile(filepath.Join("testdata", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s api.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSummaryGolden(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	s := fixedDay(t)
	var md, txt bytes.Buffer
	if err := SummaryMarkdown(&md, s, loc); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.md.golden", md.Bytes())
	if err := SummaryText(&txt, s, loc); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.txt.golden", txt.Bytes())

	wk := api.Week{From: "2026-11-14", To: "2026-11-20", Days: []api.Summary{s, s}}
	wk.Totals.Opens.Total, wk.Totals.SecondsOnFeeds, wk.Totals.AvgOpens = 10, 4440, 5
	var wmd, wtxt bytes.Buffer
	if err := WeekMarkdown(&wmd, wk, loc); err != nil {
		t.Fatal(err)
	}
	golden(t, "week.md.golden", wmd.Bytes())
	if err := WeekText(&wtxt, wk, loc); err != nil {
		t.Fatal(err)
	}
	golden(t, "week.txt.golden", wtxt.Bytes())
}

func TestDuration(t *testing.T) {
	for secs, want := range map[int64]string{0: "0 s", 59: "59 s", 60: "1 min", 89: "1 min", 90: "2 min", 3600: "1 h", 3900: "1 h 5 min", 86399: "24 h"} {
		if got := duration(secs); got != want {
			t.Errorf("duration(%d) = %q, want %q", secs, got, want)
		}
	}
}

// startDaemon runs a real daemon in this process on a free loopback port
// with its own data directory, and points the CLI at it.
func startDaemon(t *testing.T) (addr, dir string) {
	t.Helper()
	_, _ = isolate(t)
	d := daemontest.Options{DataDir: t.TempDir()}.Start(t)
	t.Setenv("MINDFUL_ADDR", d.Addr)
	t.Setenv("MINDFUL_DATA_DIR", d.DataDir)
	return d.Addr, d.DataDir
}

func TestSummaryExportDeleteCommands(t *testing.T) {
	addr, dir := startDaemon(t)

	code, out, errOut := run(t, "summary", "--json")
	if code != 0 {
		t.Fatalf("summary --json: exit %d, %s", code, errOut)
	}
	var s api.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("summary --json: %v\n%s", err, out)
	}
	if s.Date == "" || s.Opens.Total != 0 || s.Feeds == nil {
		t.Errorf("empty day: %+v", s)
	}
	if code, out, _ := run(t, "summary"); code != 0 || !strings.Contains(out, "No feed opens") {
		t.Errorf("summary: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, "summary", "--markdown", "--date", s.Date); code != 0 || !strings.HasPrefix(out, "## ") {
		t.Errorf("summary --markdown: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "summary", "--week", "--json")
	var w api.Week
	if code != 0 || json.Unmarshal([]byte(out), &w) != nil || len(w.Days) != 7 || w.To != s.Date {
		t.Errorf("summary --week --json: exit %d, %d days, to %q\n%s", code, len(w.Days), w.To, out)
	}
	for _, bad := range [][]string{{"summary", "--date", "2026-13-01"}, {"summary", "--json", "--markdown"}, {"export", "--format", "xml"}, {"delete-all"}} {
		if code, _, errOut := run(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", bad, code, errOut)
		}
	}

	// A setting to export (through the Go client: there is no settings
	// subcommand).
	cl, err := client.Open(addr, dir)
	if err != nil {
		t.Fatal(err)
	}
	set, err := cl.Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set.CheckinTime = "22:15"
	if _, err := cl.SetSettings(context.Background(), set); err != nil {
		t.Fatal(err)
	}

	// Export to a file, delete everything, export again.
	file := filepath.Join(t.TempDir(), "export.json")
	if code, _, errOut := run(t, "export", "--out", file); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 { // Windows: the access list
		t.Errorf("export file mode %v, want 0600", st.Mode().Perm())
	}
	var x struct {
		Format string                      `json:"format"`
		Tables map[string][]map[string]any `json:"tables"`
	}
	b, _ := os.ReadFile(file)
	if err := json.Unmarshal(b, &x); err != nil || x.Format != "mindful-export" {
		t.Fatalf("export file: %v\n%s", err, b)
	}
	if !bytes.Contains(b, []byte(`"value":"22:15"`)) {
		t.Errorf("export lacks the check-in time setting: %s", b)
	}
	if code, out, _ := run(t, "export", "--format", "csv"); code != 0 || !strings.HasPrefix(out, "table,seq,") {
		t.Errorf("export --format csv: exit %d\n%.200s", code, out)
	}
	if code, out, errOut := run(t, "delete-all", "--yes"); code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("delete-all --yes: exit %d %s %s", code, out, errOut)
	}
	code, out, _ = run(t, "export")
	if code != 0 || json.Unmarshal([]byte(out), &x) != nil {
		t.Fatalf("export after delete: exit %d\n%s", code, out)
	}
	// The daemon's heartbeat may write its setting again at any time;
	// everything else is empty.
	for table, rows := range x.Tables {
		if table == "settings" {
			for _, r := range rows {
				if r["key"] != "daemon.alive_at" {
					t.Errorf("after delete-all: setting %v", r)
				}
			}
			continue
		}
		if len(rows) != 0 {
			t.Errorf("after delete-all: %s has %d rows", table, len(rows))
		}
	}
}

func TestNotEnforcedText(t *testing.T) {
	at := func(s string) time.Time { x, _ := time.Parse("15:04", s); return x }
	for _, c := range []struct {
		p    api.Period
		want string
	}{
		{api.Period{Start: at("14:00"), End: at("16:00"), Seconds: 7200, Browser: "Firefox", Reason: api.NotConnected}, "in Firefox 14:00–16:00 for 2 h (not connected)"},
		{api.Period{Start: at("11:00"), End: at("11:15"), Seconds: 900, Browser: "Chromium", Reason: api.LimitedAccess}, "in Chromium 11:00–11:15 for 15 min (no access to some sites)"},
		{api.Period{Start: at("09:00"), End: at("09:30"), Seconds: 1800}, "09:00–09:30 for 30 min (no browser connected)"},
	} {
		if got := notEnforcedText(c.p, time.UTC); got != c.want {
			t.Errorf("notEnforcedText = %q, want %q", got, c.want)
		}
	}
}
