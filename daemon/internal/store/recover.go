package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TableRecovery is what Recover saved of one table.
type TableRecovery struct {
	Table string
	Saved int64
	// Complete is false when part of the table could not be read (a
	// damaged page, or a damaged schema): rows there are lost.
	Complete bool
	// Skipped is why the table was not copied at all (derived data that
	// is computed again), or "".
	Skipped string
}

// RecoverResult is what Recover did.
type RecoverResult struct {
	Path        string // the new database, where the old one was
	DamagedCopy string // where the old file is kept ("" if there was none)
	Tables      []TableRecovery
	Took        time.Duration
}

// derived tables are not copied: the daemon computes them again.
var derived = map[string]string{
	"summary_days": "daily summaries are computed again from the events",
}

// maxProbe bounds how far past a damaged stretch Recover looks for the next
// readable row of a table whose highest row id cannot be read.
const maxProbe = 1 << 20

// DamagedName is where Recover keeps the old file at time t:
// mindful.db.damaged-20261207T201500.
func DamagedName(path string, t time.Time) string {
	return path + ".damaged-" + t.UTC().Format("20060102T150405")
}

// Recover copies everything readable from the (damaged) database at path
// into a fresh database of the current schema, row by row around damaged
// pages, keeps the old file (with its -wal and -shm, if any) beside it
// under DamagedName, and puts the fresh one in its place. No daemon may
// have the database open: the caller holds the instance lock.
//
// The old file is never written to: it is read read-only and then renamed.
// A missing or empty file gives an empty fresh database.
func Recover(ctx context.Context, path string, now time.Time) (RecoverResult, error) {
	start := time.Now()
	res := RecoverResult{Path: path}
	fresh := path + ".recovering"
	for _, f := range []string{fresh, fresh + "-journal", fresh + "-wal", fresh + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, err
		}
	}
	// The fresh file is a scratch file until it is synced and renamed into
	// place, so it is written without a journal or fsyncs, with a large
	// cache for the indexes.
	dst, err := sql.Open("sqlite3", "file:"+fresh+"?_journal_mode=OFF&_synchronous=OFF&_cache_size=-65536")
	if err != nil {
		return res, err
	}
	dst.SetMaxOpenConns(1)
	defer dst.Close()
	if err := dst.PingContext(ctx); err != nil {
		return res, fmt.Errorf("create %s: %w", fresh, err)
	}
	if err := os.Chmod(fresh, 0o600); err != nil {
		return res, err
	}
	if _, err := migrate(ctx, dst); err != nil {
		return res, fmt.Errorf("create %s: %w", fresh, err)
	}
	tables, err := tableNames(ctx, dst)
	if err != nil {
		return res, err
	}

	var src *sql.DB
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		if src, err = openReadOnly(path); err != nil {
			return res, err
		}
		defer src.Close()
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, err
	}

	cols := map[string][]string{}
	if src != nil {
		for _, t := range tables {
			if cols[t], err = commonColumns(ctx, src, dst, t); err != nil {
				return res, err
			}
		}
	}
	// Secondary indexes are built once at the end, which is faster than
	// keeping them up to date row by row.
	indexes, err := dropIndexes(ctx, dst)
	if err != nil {
		return res, err
	}
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	for _, t := range tables {
		tr := TableRecovery{Table: t, Complete: true}
		switch {
		case derived[t] != "":
			tr.Skipped = derived[t]
		case src == nil:
		default:
			tr.Saved, tr.Complete, err = copyTable(ctx, src, tx, t, cols[t])
			if err != nil {
				return res, fmt.Errorf("copy table %s: %w", t, err)
			}
		}
		res.Tables = append(res.Tables, tr)
	}
	for _, ddl := range indexes {
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return res, fmt.Errorf("rebuild index: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return res, err
	}
	if src != nil {
		src.Close()
	}
	if err := dst.Close(); err != nil {
		return res, err
	}
	if err := syncFile(fresh); err != nil {
		return res, err
	}

	// Keep the old file under its new name (a hard link, so that path is
	// never missing), move its WAL and shared memory with it (left beside
	// the new file, SQLite would apply them to it), then put the fresh
	// file in its place in one rename.
	if _, err := os.Lstat(path); err == nil {
		res.DamagedCopy = DamagedName(path, now)
		if err := linkOrCopy(path, res.DamagedCopy); err != nil {
			return res, fmt.Errorf("keep the damaged file as %s: %w", res.DamagedCopy, err)
		}
		for _, side := range []string{"-wal", "-shm", "-journal"} {
			if err := os.Rename(path+side, res.DamagedCopy+side); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return res, fmt.Errorf("keep %s: %w", path+side, err)
			}
		}
	}
	if err := os.Rename(fresh, path); err != nil {
		return res, fmt.Errorf("install the recovered database: %w", err)
	}
	syncDir(filepath.Dir(path))
	res.Took = time.Since(start)
	return res, nil
}

// dropIndexes drops the explicitly created indexes of db and returns the
// statements that create them again.
func dropIndexes(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names, ddl []string
	for rows.Next() {
		var n, q string
		if err := rows.Scan(&n, &q); err != nil {
			rows.Close()
			return nil, err
		}
		names, ddl = append(names, n), append(ddl, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := db.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(n, `"`, `""`)+`"`); err != nil {
			return nil, err
		}
	}
	return ddl, nil
}

// tableNames lists the tables of the current schema.
func tableNames(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func columns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// commonColumns are the columns of table in the fresh schema that the old
// file has too (an old file may predate a migration). When the old schema
// cannot be read, it tries every column of the fresh one.
func commonColumns(ctx context.Context, src, dst *sql.DB, table string) ([]string, error) {
	want, err := columns(ctx, dst, table)
	if err != nil {
		return nil, err
	}
	have, err := columns(ctx, src, table)
	if err != nil {
		return want, nil
	}
	if len(have) == 0 {
		// The old file's schema was read and has no such table (it
		// predates it): nothing to copy.
		return nil, nil
	}
	in := map[string]bool{}
	for _, c := range have {
		in[c] = true
	}
	var out []string
	for _, c := range want {
		if in[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

// copyTable copies the rows of table it can read, in row id order. A scan
// stops at the first damaged page; it then probes the following row ids one
// by one (a lookup by row id reads only the pages on its own path through
// the tree, so it gets past a damaged page) and scans again from the next
// row it finds. complete is false when any part could not be read.
func copyTable(ctx context.Context, src *sql.DB, tx *sql.Tx, table string, cols []string) (saved int64, complete bool, err error) {
	if len(cols) == 0 {
		return 0, true, nil
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
	}
	list := strings.Join(quoted, ", ")
	qt := `"` + strings.ReplaceAll(table, `"`, `""`) + `"`
	ins, err := tx.PrepareContext(ctx, fmt.Sprintf(`INSERT OR IGNORE INTO %s (%s) VALUES (?%s)`, qt, list, strings.Repeat(", ?", len(cols)-1)))
	if err != nil {
		return 0, false, err
	}
	defer ins.Close()
	scanQ := fmt.Sprintf(`SELECT rowid, %s FROM %s WHERE rowid >= ? ORDER BY rowid`, list, qt)
	oneQ := fmt.Sprintf(`SELECT rowid, %s FROM %s WHERE rowid = ?`, list, qt)

	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols)+1)
	var rowid int64
	ptrs[0] = &rowid
	for i := range vals {
		ptrs[i+1] = &vals[i]
	}
	put := func() error {
		r, err := ins.ExecContext(ctx, vals...)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		saved += n
		return nil
	}
	// scan copies rows from row id next on; it returns the row id after
	// the last one it read, and the error that stopped it (nil at the end).
	scan := func(next int64) (int64, bool, error) {
		rows, err := src.QueryContext(ctx, scanQ, next)
		if err != nil {
			return next, false, err
		}
		defer rows.Close()
		read := false
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return next, read, err
			}
			if err := put(); err != nil {
				return next, read, fmt.Errorf("%w: %w", errWrite, err)
			}
			next, read = rowid+1, true
		}
		return next, read, rows.Err()
	}

	one, err := src.PrepareContext(ctx, oneQ)
	if err != nil {
		// The table cannot be read at all (say, its schema is damaged).
		return 0, false, nil
	}
	defer one.Close()
	var maxID int64
	maxKnown := src.QueryRowContext(ctx, fmt.Sprintf(`SELECT coalesce(max(rowid), 0) FROM %s`, qt)).Scan(&maxID) == nil
	complete = true
	next := int64(-1 << 63)
	for {
		var read bool
		next, read, err = scan(next)
		if err == nil {
			return saved, complete, nil
		}
		if errors.Is(err, errWrite) || ctx.Err() != nil {
			return saved, false, err
		}
		complete = false
		if !IsCorrupt(err) {
			return saved, false, nil // unreadable for another reason: stop here
		}
		// Damaged from next on: probe row by row. (Row ids start at 1.)
		from := next
		if !read && from == -1<<63 {
			from = 1
		}
		limit := from + maxProbe
		if maxKnown {
			limit = maxID
		}
		found := false
		for id := from; id <= limit && !found; id++ {
			if err := one.QueryRowContext(ctx, id).Scan(ptrs...); err != nil {
				if ctx.Err() != nil {
					return saved, false, ctx.Err()
				}
				continue // missing, or on a damaged page
			}
			if err := put(); err != nil {
				return saved, false, err
			}
			next, found = id+1, true
		}
		if !found {
			return saved, false, nil
		}
	}
}

var errWrite = errors.New("writing the recovered row")

func linkOrCopy(from, to string) error {
	if err := os.Link(from, to); err == nil {
		return nil
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir makes renames in dir durable where the OS allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
