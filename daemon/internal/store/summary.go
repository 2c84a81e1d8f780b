package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
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
	rows, err := s.r.QueryContext(ctx, `SELECT seq, client_id, eid, ts, type, domain, tab_id, window_id, feed_id, state,
			answer, purpose, timebox_minutes, extends, seconds_on_feed, note, break_key
		FROM events WHERE ts >= ? AND ts < ? ORDER BY ts, seq`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]SummaryEvent, 0, 1024)
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
func (s *Store) PromptTimes(ctx context.Context, from, to int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT ts FROM events WHERE type = 'prompt' AND ts >= ? AND ts < ? ORDER BY ts`, from, to)
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
func (s *Store) FirstEventTime(ctx context.Context) (int64, bool, error) {
	var ts sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT MIN(ts) FROM events`).Scan(&ts)
	return ts.Int64, ts.Valid, err
}

// Fingerprint describes the events with from <= ts < to and the browser
// sessions overlapping that span; it changes when any of them is added,
// removed or (for sessions) ended.
func (s *Store) Fingerprint(ctx context.Context, from, to int64) (string, error) {
	var n, maxSeq int64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events WHERE ts >= ? AND ts < ?`, from, to).Scan(&n, &maxSeq); err != nil {
		return "", err
	}
	var sn, sEnd, sMax int64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(COALESCE(disconnected_at, -1)), 0), COALESCE(MAX(id), 0) FROM client_sessions
		WHERE connected_at < ? AND (disconnected_at IS NULL OR disconnected_at > ?)`, to, from).Scan(&sn, &sEnd, &sMax); err != nil {
		return "", err
	}
	return fmt.Sprintf("e%d/%d s%d/%d/%d", n, maxSeq, sn, sEnd, sMax), nil
}

// Rollup is a stored summary_days row.
type Rollup struct {
	Day         string
	From, To    int64
	Fingerprint string
	Body        []byte
}

// Rollups returns the stored rollups of the days from..to (YYYY-MM-DD,
// inclusive), by day.
func (s *Store) Rollups(ctx context.Context, fromDay, toDay string) (map[string]Rollup, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT day, from_ms, to_ms, fingerprint, body FROM summary_days WHERE day >= ? AND day <= ?`, fromDay, toDay)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Rollup{}
	for rows.Next() {
		var r Rollup
		if err := rows.Scan(&r.Day, &r.From, &r.To, &r.Fingerprint, &r.Body); err != nil {
			return nil, err
		}
		out[r.Day] = r
	}
	return out, rows.Err()
}

// PutRollups stores rollups, replacing those of the same days.
func (s *Store) PutRollups(ctx context.Context, rs []Rollup) error {
	if len(rs) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, r := range rs {
			if _, err := tx.Exec(`INSERT INTO summary_days (day, from_ms, to_ms, fingerprint, body) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (day) DO UPDATE SET from_ms = excluded.from_ms, to_ms = excluded.to_ms,
					fingerprint = excluded.fingerprint, body = excluded.body`, r.Day, r.From, r.To, r.Fingerprint, string(r.Body)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reflections returns the reflection texts of the days from..to
// (YYYY-MM-DD, inclusive), by day.
func (s *Store) Reflections(ctx context.Context, fromDay, toDay string) (map[string]string, error) {
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
			_, err := tx.Exec(`DELETE FROM reflections WHERE day = ?`, day)
			return err
		}
		_, err := tx.Exec(`INSERT INTO reflections (day, text, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at`, day, text, at.UnixMilli())
		return err
	})
}

// PruneEvents deletes the events older than before, and the rollups of the
// days that started before it. It returns how many events it deleted.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM events WHERE ts < ?`, before.UnixMilli())
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.Exec(`DELETE FROM summary_days WHERE from_ms < ?`, before.UnixMilli())
		return err
	})
	return n, err
}
