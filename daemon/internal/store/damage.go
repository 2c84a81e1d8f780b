package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// ErrDamaged means the database file is damaged (SQLite said "malformed",
// "corrupt" or "not a database"). A Store that has seen such an error refuses
// every later write with it, wrapped in ErrUnavailable, so that nothing is
// acknowledged into a damaged file: the extension keeps its events until
// they can be stored for real.
var ErrDamaged = errors.New("the database is damaged")

// Damage is what the store found wrong with its file.
type Damage struct {
	Problem string    // SQLite's words
	At      time.Time // when the store first saw it
}

// IsCorrupt reports whether err is SQLite saying the file is damaged:
// SQLITE_CORRUPT, SQLITE_NOTADB, or their messages ("database disk image is
// malformed", "file is not a database").
func IsCorrupt(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrDamaged) {
		return true
	}
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB) {
		return true
	}
	// SQLite's own words, for errors that lost their code on the way.
	msg := err.Error()
	return strings.Contains(msg, "database disk image is malformed") || strings.Contains(msg, "file is not a database") ||
		strings.Contains(msg, "malformed database schema")
}

// Damage returns what the store found wrong with its file since it was
// opened, or nil while it has seen no sign of damage.
func (s *Store) Damage() *Damage { return s.damage.Load() }

// watch marks the store damaged when *err says the file is damaged. Read
// methods defer it on their named error result.
func (s *Store) watch(err *error) {
	if err != nil && IsCorrupt(*err) {
		s.markDamaged(*err)
	}
}

func (s *Store) markDamaged(err error) {
	d := &Damage{Problem: err.Error(), At: time.Now()}
	if s.damage.CompareAndSwap(nil, d) {
		s.log.Error("the database is damaged: mindful stores nothing more in it until it is recovered; browsers keep their events",
			"file", s.path, "problem", d.Problem,
			"todo", "quit mindful, then run `mindful db recover` (it keeps the damaged file beside the new one)")
	}
}

// damagedErr is the error of a write refused because the file is damaged.
func (s *Store) damagedErr(d *Damage) error {
	return fmt.Errorf("%w: %w (%s): nothing was written to %s", ErrUnavailable, ErrDamaged, d.Problem, s.path)
}

// CheckState is the verdict of Check.
type CheckState string

const (
	CheckOK      CheckState = "ok"      // quick_check passed
	CheckMissing CheckState = "missing" // no file
	CheckEmpty   CheckState = "empty"   // a file of 0 bytes
	CheckDamaged CheckState = "damaged" // SQLite cannot read it, or quick_check found problems
)

// CheckResult is what Check found.
type CheckResult struct {
	Path     string
	State    CheckState
	Size     int64
	Problems []string // quick_check's findings or SQLite's error, at most maxProblems
	Took     time.Duration
}

// OK reports whether the file passed the check.
func (r CheckResult) OK() bool { return r.State == CheckOK }

// Problem is the findings in one line.
func (r CheckResult) Problem() string {
	switch r.State {
	case CheckMissing:
		return "the database file is missing"
	case CheckEmpty:
		return "the database file is empty (0 bytes)"
	case CheckOK:
		return ""
	}
	if len(r.Problems) == 0 {
		return "the database is damaged"
	}
	p := "the database is damaged: " + r.Problems[0]
	if len(r.Problems) > 1 {
		p += fmt.Sprintf(" (and %d more problems)", len(r.Problems)-1)
	}
	return p
}

const maxProblems = 20

// Check runs SQLite's PRAGMA quick_check on the database at path without
// writing to it (read-only; a missing file is not created). It returns an
// error only when the file cannot be examined at all for a reason other
// than damage (say, permissions).
func Check(ctx context.Context, path string) (CheckResult, error) {
	start := time.Now()
	res := CheckResult{Path: path}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		res.State = CheckMissing
		return res, nil
	case err != nil:
		return res, fmt.Errorf("check database %s: %w", path, err)
	}
	res.Size = fi.Size()
	if fi.Size() == 0 {
		res.State = CheckEmpty
		return res, nil
	}
	db, err := openReadOnly(path)
	if err != nil {
		return res, fmt.Errorf("check database %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, fmt.Sprintf("PRAGMA quick_check(%d)", maxProblems))
	if err == nil {
		for rows.Next() {
			var line string
			if err = rows.Scan(&line); err != nil {
				break
			}
			if line != "ok" {
				res.Problems = append(res.Problems, line)
			}
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	res.Took = time.Since(start)
	switch {
	case err != nil && IsCorrupt(err):
		res.State = CheckDamaged
		res.Problems = append(res.Problems, err.Error())
	case err != nil:
		return res, fmt.Errorf("check database %s: %w", path, err)
	case len(res.Problems) > 0:
		res.State = CheckDamaged
	default:
		res.State = CheckOK
	}
	return res, nil
}

// openReadOnly opens path read-only: SQLite writes nothing to the file.
// Without a WAL file beside it, it opens it as immutable, which also leaves
// no -wal or -shm behind; with one (a daemon is running, or one died), it
// reads the WAL too.
func openReadOnly(path string) (*sql.DB, error) {
	q := "mode=ro&_query_only=true&_busy_timeout=5000"
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		q += "&immutable=1"
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?"+q)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}
