package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// SummaryEvent is an event with the fields the daily summary reads. TS is
// unix ms; zero values stand for NULL.
type SummaryEvent struct {
	Seq            int64
	ClientID       string
	EID            string
	TS             int64
	Type           string
	Domain         string
	TabID          int64
	WindowID       int64
	HasTab         bool
	HasWin         bool
	FeedID         string
	State          string
	Answer         string
	Purpose        string
	TimeboxMinutes int64
	Extends        string
	SecondsOnFeed  float64
	Note           string
	BreakKey       string
}

// SummaryEvents returns the events with from <= ts < to (unix ms), in time
// order then arrival order.
func (s *Store) SummaryEvents(ctx context.Context, from, to int64) ([]SummaryEvent, error) {
	return s.summaryEvents(ctx, `SELECT seq, client_id, eid, ts, type, domain, tab_id, window_id, feed_id, state,
			answer, purpose, timebox_minutes, extends, seconds_on_feed, note, break_key
		FROM events WHERE ts >= ? AND ts < ? ORDER BY ts, seq`, from, to)
}

func (s *Store) summaryEvents(ctx context.Context, q string, args ...any) (_ []SummaryEvent, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SummaryEvent
	var tab, win, timebox sql.NullInt64
	var feed, state, answer, purpose, ext, note, bkey sql.NullString
	var onFeed sql.NullFloat64
	for rows.Next() {
		var e SummaryEvent
		if err := rows.Scan(&e.Seq, &e.ClientID, &e.EID, &e.TS, &e.Type, &e.Domain, &tab, &win, &feed, &state,
			&answer, &purpose, &timebox, &ext, &onFeed, &note, &bkey); err != nil {
			return nil, err
		}
		e.TabID, e.HasTab = tab.Int64, tab.Valid
		e.WindowID, e.HasWin = win.Int64, win.Valid
		e.FeedID, e.State, e.Answer, e.Purpose = feed.String, state.String, answer.String, purpose.String
		e.TimeboxMinutes, e.Extends, e.SecondsOnFeed = timebox.Int64, ext.String, onFeed.Float64
		e.Note, e.BreakKey = note.String, bkey.String
		out = append(out, e)
	}
	return out, rows.Err()
}

// PromptTimes returns the time (unix ms) of every prompt event with
// from <= ts < to, in order: enough to count opens per day.
func (s *Store) PromptTimes(ctx context.Context, from, to int64) (_ []int64, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT ts FROM events WHERE type = '`+api.EventPrompt+`' AND ts >= ? AND ts < ? ORDER BY ts`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var ts int64
		if err := rows.Scan(&ts); err != nil {
			return nil, err
		}
		out = append(out, ts)
	}
	return out, rows.Err()
}

// FirstEventTime returns the time of the oldest stored event, or false.
func (s *Store) FirstEventTime(ctx context.Context) (_ int64, _ bool, err error) {
	defer s.watch(&err)
	var ts sql.NullInt64
	err = s.r.QueryRowContext(ctx, `SELECT MIN(ts) FROM events`).Scan(&ts)
	return ts.Int64, ts.Valid, err
}

// Mark is where the data stood when a rollup's inputs were read: the
// highest event seq and a digest of the browser sessions.
type Mark struct {
	Seq      int64
	Sessions string
}

func mark(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (Mark, error) {
	var m Mark
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&m.Seq); err != nil {
		return m, err
	}
	var n, ended, sum, maxID int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(disconnected_at), COALESCE(SUM(disconnected_at), 0), COALESCE(MAX(id), 0) FROM client_sessions`).Scan(&n, &ended, &sum, &maxID); err != nil {
		return m, err
	}
	m.Sessions = fmt.Sprintf("%d/%d/%d/%d", n, ended, sum, maxID)
	return m, nil
}

// Mark returns where the data stands now; take it before reading what a
// rollup is computed from, and pass it to PutRollups.
func (s *Store) Mark(ctx context.Context) (Mark, error) { return mark(ctx, s.r) }

// Rollup is a stored summary_days row: the day [From, To) whose events from
// SpanFrom on it was computed from. Version names the computation.
type Rollup struct {
	Day      string
	SpanFrom int64
	From, To int64
	Version  string
	Body     []byte
}

// Rollups returns the stored rollups of the days from..to (YYYY-MM-DD,
// inclusive), by day. A stored rollup is never stale: InsertEvents and
// triggers delete it when anything it was computed from changes
// (migrations 0007 and 0008).
func (s *Store) Rollups(ctx context.Context, fromDay, toDay string) (_ map[string]Rollup, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT day, span_from, from_ms, to_ms, fingerprint, body FROM summary_days WHERE day >= ? AND day <= ?`, fromDay, toDay)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Rollup{}
	for rows.Next() {
		var r Rollup
		if err := rows.Scan(&r.Day, &r.SpanFrom, &r.From, &r.To, &r.Version, &r.Body); err != nil {
			return nil, err
		}
		out[r.Day] = r
	}
	return out, rows.Err()
}

// PutRollups stores rollups computed from data read after m was taken,
// replacing those of the same days. If events or sessions changed since m
// in a way that could touch a rollup, that rollup is not stored (the next
// summary computes it again): InsertEvents and the triggers could not have
// deleted a rollup that was not stored yet.
func (s *Store) PutRollups(ctx context.Context, m Mark, rs []Rollup) error {
	if len(rs) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		now, err := mark(ctx, tx)
		if err != nil {
			return err
		}
		if now.Sessions != m.Sessions {
			return nil
		}
		// A new feed_time updates an older prompt, anywhere in time.
		var ft int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM events WHERE seq > ? AND type = '`+api.EventFeedTime+`'`, m.Seq).Scan(&ft); err != nil {
			return err
		}
		if ft > 0 {
			return nil
		}
		for _, r := range rs {
			var late int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM events WHERE seq > ? AND ts >= ? AND ts < ?`, m.Seq, r.SpanFrom, r.To).Scan(&late); err != nil {
				return err
			}
			if late > 0 {
				continue
			}
			if _, err := tx.Exec(`INSERT INTO summary_days (day, span_from, from_ms, to_ms, fingerprint, max_seq, body) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (day) DO UPDATE SET span_from = excluded.span_from, from_ms = excluded.from_ms, to_ms = excluded.to_ms,
					fingerprint = excluded.fingerprint, max_seq = excluded.max_seq, body = excluded.body`,
				r.Day, r.SpanFrom, r.From, r.To, r.Version, m.Seq, string(r.Body)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reflections returns the reflection texts of the days from..to
// (YYYY-MM-DD, inclusive), by day.
func (s *Store) Reflections(ctx context.Context, fromDay, toDay string) (_ map[string]string, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT day, text FROM reflections WHERE day >= ? AND day <= ?`, fromDay, toDay)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var d, t string
		if err := rows.Scan(&d, &t); err != nil {
			return nil, err
		}
		out[d] = t
	}
	return out, rows.Err()
}

// SetReflection stores the reflection of a day; empty text removes it.
func (s *Store) SetReflection(ctx context.Context, day, text string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if text == "" {
			res, err := tx.Exec(`DELETE FROM reflections WHERE day = ?`, day)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			return removeAt(tx, "reflection", day, at.UnixMilli())
		}
		_, err := tx.Exec(`INSERT INTO reflections (day, text, updated_at, device) VALUES (?, ?, ?, '')
			ON CONFLICT (day) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at, device = ''`, day, text, at.UnixMilli())
		return err
	})
}

// pruneBatch bounds how many events one write of PruneEvents deletes, so
// that a first prune of a large database does not hold up the events that
// browsers are sending meanwhile.
const pruneBatch = 5000

// PruneEvents deletes the events older than before (and, through the
// triggers, the rollups they were part of), in batches of pruneBatch. It
// returns how many events it deleted.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := s.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.Exec(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE ts < ? LIMIT ?)`, before.UnixMilli(), pruneBatch)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			return nil
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// ClearRollups deletes every stored rollup (they are a cache).
func (s *Store) ClearRollups(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM summary_days`)
		return err
	})
}

// Activity event types, as ActivityRow.Kind.
const (
	KindOther = iota
	KindTabNavigated
	KindTabActivated
	KindTabClosed
	KindWindowFocus
	KindIdleState
)

// ActivityRow is a tab, window or idle event: just what time accounting
// reads. Zero values stand for NULL.
type ActivityRow struct {
	ClientID string
	TS       int64
	Kind     int
	TabID    int64
	WindowID int64
	HasTab   bool
	HasWin   bool
	FeedID   string
	State    string
}

// ActivityEvents returns the tab, window and idle events with
// from <= ts < to (unix ms), in time order then arrival order. It reads
// fewer columns than SummaryEvents, for the bulk of a day's events.
func (s *Store) ActivityEvents(ctx context.Context, from, to int64) (_ []ActivityRow, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT client_id, ts,
			CASE type WHEN '`+api.EventTabNavigated+`' THEN 1 WHEN '`+api.EventTabActivated+`' THEN 2 WHEN '`+api.EventTabClosed+`' THEN 3
				WHEN '`+api.EventWindowFocus+`' THEN 4 WHEN '`+api.EventIdleState+`' THEN 5 ELSE 0 END AS kind,
			tab_id, window_id, feed_id, state
		FROM events WHERE ts >= ? AND ts < ? AND kind != 0 ORDER BY ts, seq`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]ActivityRow, 0, 4096)
	var tab, win sql.NullInt64
	var feed, state sql.NullString
	for rows.Next() {
		var e ActivityRow
		if err := rows.Scan(&e.ClientID, &e.TS, &e.Kind, &tab, &win, &feed, &state); err != nil {
			return nil, err
		}
		e.TabID, e.HasTab = tab.Int64, tab.Valid
		e.WindowID, e.HasWin = win.Int64, win.Valid
		e.FeedID, e.State = feed.String, state.String
		out = append(out, e)
	}
	return out, rows.Err()
}

// SummaryEventsOf is SummaryEvents for the given types only, through the
// (type, ts) index: the few prompts, attempts and notes of a day.
func (s *Store) SummaryEventsOf(ctx context.Context, from, to int64, types ...string) ([]SummaryEvent, error) {
	if len(types) == 0 {
		return nil, nil
	}
	q := `SELECT seq, client_id, eid, ts, type, domain, tab_id, window_id, feed_id, state,
			answer, purpose, timebox_minutes, extends, seconds_on_feed, note, break_key
		FROM events WHERE type IN (?` + strings.Repeat(", ?", len(types)-1) + `) AND ts >= ? AND ts < ? ORDER BY ts, seq`
	args := make([]any, 0, len(types)+2)
	for _, t := range types {
		args = append(args, t)
	}
	args = append(args, from, to)
	return s.summaryEvents(ctx, q, args...)
}
