package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// exportTables are the tables that hold the user's data, in export order.
// Paired browsers (clients, with their token hashes) are not the user's
// data and are neither exported nor deleted; summary_days is a cache.
var exportTables = []string{
	"events", "reflections", "schedule_rules", "adhoc_breaks", "break_early_ends",
	"client_sessions", "feed_settings", "settings",
}

// ExportFormats are the formats Export writes.
var ExportFormats = []string{"json", "csv"}

// Export writes everything the user's data tables hold, from one snapshot,
// as "json" or "csv".
//
// JSON is one object: {"format": "mindful-export", "version": 1,
// "exported_at": ..., "tables": {"events": [{column: value, ...}, ...],
// ...}}, every row with every column (times are unix ms, as stored).
//
// CSV is one table: a "table" column, then the columns of events, then a
// "data" column. Events fill the event columns; a row of any other table
// has its table's name in "table" and the whole row as a JSON object in
// "data".
func (s *Store) Export(ctx context.Context, w io.Writer, format string) (err error) {
	defer s.watch(&err)
	if !slices.Contains(ExportFormats, format) {
		return fmt.Errorf("format: want json or csv, got %q", format)
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if format == "json" {
		return exportJSON(ctx, tx, w)
	}
	return exportCSV(ctx, tx, w)
}

// eachRow calls fn with the columns and values of every row of table.
func eachRow(ctx context.Context, tx *sql.Tx, table string, fn func(cols []string, vals []any) error) error {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY rowid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		if err := fn(cols, vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rowJSON appends the row as a JSON object; keys are the columns'
// names, already quoted.
func rowJSON(buf []byte, keys [][]byte, vals []any) []byte {
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(append(buf, k...), ':')
		buf = appendJSON(buf, vals[i])
	}
	return append(buf, '}')
}

// appendJSON appends one SQLite value (nil, int64, float64, string) as
// JSON, without reflection: an export has millions of them.
func appendJSON(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(buf, "null"...)
		}
		return strconv.AppendFloat(buf, x, 'g', -1, 64)
	case string:
		return appendJSONString(buf, x)
	case bool:
		return strconv.AppendBool(buf, x)
	case time.Time:
		return appendJSONString(buf, x.UTC().Format(time.RFC3339Nano))
	default:
		return appendJSONString(buf, fmt.Sprint(x))
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, "\\ufffd"...)
		} else {
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}

func quotedKeys(cols []string) [][]byte {
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i] = appendJSONString(nil, c)
	}
	return keys
}

func exportJSON(ctx context.Context, tx *sql.Tx, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "{\"format\":\"mindful-export\",\"version\":1,\"exported_at\":%q,\"tables\":{", time.Now().UTC().Format(time.RFC3339))
	var buf []byte
	for ti, t := range exportTables {
		if ti > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, "\n%q:[", t)
		n := 0
		var keys [][]byte
		err := eachRow(ctx, tx, t, func(cols []string, vals []any) error {
			if keys == nil {
				keys = quotedKeys(cols)
			}
			buf = buf[:0]
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '\n')
			buf = rowJSON(buf, keys, vals)
			n++
			_, err := bw.Write(buf)
			return err
		})
		if err != nil {
			return fmt.Errorf("export %s: %w", t, err)
		}
		bw.WriteByte(']')
	}
	bw.WriteString("}}\n")
	return bw.Flush()
}

func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

func exportCSV(ctx context.Context, tx *sql.Tx, w io.Writer) error {
	cw := csv.NewWriter(w)
	var evCols []string
	rows, err := tx.QueryContext(ctx, `SELECT * FROM events LIMIT 0`)
	if err != nil {
		return err
	}
	evCols, err = rows.Columns()
	rows.Close()
	if err != nil {
		return err
	}
	if err := cw.Write(append(append([]string{"table"}, evCols...), "data")); err != nil {
		return err
	}
	rec := make([]string, len(evCols)+2)
	for _, t := range exportTables {
		err := eachRow(ctx, tx, t, func(cols []string, vals []any) error {
			clear(rec)
			rec[0] = t
			if t == "events" {
				for i, v := range vals {
					rec[i+1] = csvValue(v)
				}
			} else {
				rec[len(rec)-1] = string(rowJSON(nil, quotedKeys(cols), vals))
			}
			return cw.Write(rec)
		})
		if err != nil {
			return fmt.Errorf("export %s: %w", t, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// DeleteAll deletes the user's data (every table Export writes, and the
// summary cache) in one write, then rebuilds the database file (VACUUM)
// and empties the write-ahead log (wal_checkpoint(TRUNCATE)), so the
// deleted text is gone from the files on disk, not just unreachable.
// Paired browsers stay paired.
//
// VACUUM cannot run inside a transaction, so it runs on the writer's own
// connection (the only one that writes) right after the delete.
func (s *Store) DeleteAll(ctx context.Context) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Triggers (migration 0007) would run once per deleted row and
		// turn off SQLite's fast whole-table delete: set them aside and
		// put them back, in the same transaction.
		type trigger struct{ name, sql string }
		var trs []trigger
		rows, err := tx.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var t trigger
			if err := rows.Scan(&t.name, &t.sql); err != nil {
				rows.Close()
				return err
			}
			trs = append(trs, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, t := range trs {
			if _, err := tx.Exec(`DROP TRIGGER "` + t.name + `"`); err != nil {
				return err
			}
		}
		for _, t := range append([]string{"summary_days"}, exportTables...) {
			if _, err := tx.Exec(`DELETE FROM ` + t); err != nil {
				return fmt.Errorf("delete %s: %w", t, err)
			}
		}
		for _, t := range trs {
			if _, err := tx.Exec(t.sql); err != nil {
				return fmt.Errorf("restore trigger %s: %w", t.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, `VACUUM`); err != nil {
		return unavailable(fmt.Errorf("vacuum: %w", err))
	}
	// A reader that is in the middle of a query keeps the log from being
	// emptied; try again for a while.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var busy, logN, done int
		if err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logN, &done); err != nil {
			return unavailable(fmt.Errorf("checkpoint: %w", err))
		}
		if busy == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: the write-ahead log could not be emptied (a reader kept it busy); try again", ErrUnavailable)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
