package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon/api"
)

func TestDBUsageErrors(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{{"db"}, {"db", "frob"}, {"db", "check", "extra"}, {"db", "recover", "--bogus"}} {
		code, _, stderr := run(t, args...)
		if code != 2 || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestDBCheckFirstRun(t *testing.T) {
	isolate(t)
	code, stdout, stderr := run(t, "db", "check")
	if code != 0 || !strings.Contains(stdout, "not made yet") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "db", "recover")
	if code != 0 || !strings.Contains(stdout, "nothing to recover") {
		t.Fatalf("recover with no database: exit %d, %q", code, stdout)
	}
}

// TestDBCheckAndRecoverNotADatabase: a file SQLite cannot read at all
// (flags after the subcommand, as everywhere).
func TestDBCheckAndRecoverNotADatabase(t *testing.T) {
	dir, _ := isolate(t)
	db := filepath.Join(dir, "mindful.db")
	junk := bytes.Repeat([]byte("not a database, a botched copy "), 4096)
	os.WriteFile(db, junk, 0o600)
	os.WriteFile(filepath.Join(dir, "control.token"), []byte(strings.Repeat("ab", 32)+"\n"), 0o600)

	code, stdout, stderr := run(t, "db", "check", "--json")
	var chk api.DBCheck
	if err := json.Unmarshal([]byte(stdout), &chk); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	if code != 1 || chk.OK || chk.State != "damaged" || chk.Path != db || !strings.Contains(chk.Todo, "mindful db recover") || !strings.Contains(stderr, "damaged") {
		t.Fatalf("check: exit %d, %+v, stderr %q", code, chk, stderr)
	}
	code, stdout, stderr = run(t, "db", "recover", "--json")
	var rec api.DBRecovery
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil {
		t.Fatalf("%v: %q (stderr %q)", err, stdout, stderr)
	}
	if code != 0 || !strings.HasPrefix(rec.DamagedCopy, db+".damaged-") || len(rec.Tables) == 0 {
		t.Fatalf("recover: exit %d, %+v", code, rec)
	}
	for _, tr := range rec.Tables {
		if tr.Saved != 0 {
			t.Errorf("%+v saved from junk", tr)
		}
	}
	if b, err := os.ReadFile(rec.DamagedCopy); err != nil || !bytes.Equal(b, junk) {
		t.Fatalf("the damaged file is not kept as it was: %v", err)
	}
	if code, stdout, _ := run(t, "db", "check"); code != 0 || !strings.Contains(stdout, ": ok") {
		t.Fatalf("check after recover: exit %d, %q", code, stdout)
	}
	if code, stdout, _ := run(t, "db", "recover"); code != 0 || !strings.Contains(stdout, "passed the check") {
		t.Fatalf("recover of a healthy database: exit %d, %q", code, stdout)
	}
}

func TestStatusTellsDatabaseProblem(t *testing.T) {
	var b bytes.Buffer
	printDatabaseProblem(&b, &api.Database{OK: true, Path: "/d/mindful.db"})
	printDatabaseProblem(&b, nil)
	if b.Len() != 0 {
		t.Fatalf("healthy: %q", b.String())
	}
	printDatabaseProblem(&b, &api.Database{Path: "/d/mindful.db", Problem: "the database is damaged: database disk image is malformed", Todo: "quit mindful, then run `mindful db recover`"})
	want := "DATABASE PROBLEM: the database is damaged: database disk image is malformed\n" +
		"  file: /d/mindful.db\n" +
		"  mindful stores nothing until this is fixed; the browsers keep their events until then.\n" +
		"  what to do: quit mindful, then run `mindful db recover`\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
