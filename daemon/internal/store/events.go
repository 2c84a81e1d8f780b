package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// Event is one piece of reported activity: its id, time, type and site,
// where and when it arrived, and the fields of its type.
type Event struct {
	ID         string // the extension's idempotent event id
	ClientID   string
	TS         time.Time
	Type       string
	Domain     string
	URL        string // empty unless the user opted in to full URLs
	ReceivedAt time.Time
	// EventFields.MissingHosts are stored as a JSON array (the hosts column).
	api.EventFields
	SecondsOnFeed *float64 // prompt: sum of its feed_time seconds
}

// InsertEvents stores evs for one client in a single transaction. Events
// whose id this client already stored are skipped, so a replay is harmless.
// It returns the number of events newly stored; when it returns nil every
// event in evs is durably stored.
func (s *Store) InsertEvents(ctx context.Context, evs []Event) (int, error) {
	var added int
	err := s.write(ctx, func(tx *sql.Tx) error {
		added = 0
		st, err := tx.Prepare(`INSERT INTO events (` + eventColumns + `) VALUES (` + eventPlaceholders + `) ON CONFLICT (client_id, eid) DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		var lo, hi int64 // the times of the events newly stored
		for _, e := range evs {
			var args [22]any
			res, err := st.Exec(eventArgs(args[:0], e)...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			if n == 1 {
				if ts := e.TS.UnixMilli(); added == 0 {
					lo, hi = ts, ts
				} else {
					lo, hi = min(lo, ts), max(hi, ts)
				}
			}
			added += int(n)
			// A new feed_time adds to its prompt's time on the feed; a
			// replayed one (n == 0) must not add twice.
			if n == 1 && e.Type == api.EventFeedTime && e.PromptID != "" && e.Seconds != nil {
				if _, err := tx.Exec(`UPDATE events SET seconds_on_feed = COALESCE(seconds_on_feed, 0) + ?
					WHERE client_id = ? AND eid = ? AND type = '`+api.EventPrompt+`'`, *e.Seconds, e.ClientID, e.PromptID); err != nil {
					return err
				}
			}
		}
		if added == 0 {
			return nil
		}
		// The summary's rollups of the days these events fall in are stale
		// (migration 0008: once per batch, not a trigger per row). A span is
		// shorter than two days, which bounds the index range.
		_, err = tx.Exec(`DELETE FROM summary_days WHERE span_from > ? AND span_from <= ? AND to_ms > ?`,
			lo-2*24*3600*1000, hi, lo)
		return err
	})
	return added, err
}

// eventColumns are the columns of the events table that hold an Event's
// own fields: the one mapping between Event and the table, shared by
// InsertEvents, Events and sync (with eventArgs and eventRow, in the same
// order). A new event field takes a migration and a line in each of the
// three.
const eventColumns = `client_id, eid, ts, type, domain, url, tab_id, window_id, state, received_at,
	feed_id, answer, seconds_to_answer, purpose, timebox_minutes, via, extends, prompt_id, seconds, note, break_key, hosts`

// eventPlaceholders are the "?" for eventColumns (a test counts them).
const eventPlaceholders = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`

// eventArgs appends e's values for eventColumns to args. (Callers pass an
// array on their stack: an insert then allocates no slice.)
func eventArgs(args []any, e Event) []any {
	return append(args, e.ClientID, e.ID, e.TS.UnixMilli(), e.Type, e.Domain, nullString(e.URL),
		e.TabID, e.WindowID, nullString(e.State), e.ReceivedAt.UnixMilli(),
		nullString(e.FeedID), nullString(e.Answer), e.SecondsToAnswer, nullString(e.Purpose), e.TimeboxMinutes,
		nullString(e.Via), nullString(e.Extends), nullString(e.PromptID), e.Seconds, nullString(e.Note), nullString(e.BreakKey),
		hostsJSON(e))
}

// eventRow is what a row of eventColumns is scanned into.
type eventRow struct {
	e                                                            Event
	ts, recv                                                     int64
	url, state, feed, answer, purpose, via, ext, pid, note, bkey sql.NullString
	hosts                                                        sql.NullString
	tab, win, timebox                                            sql.NullInt64
	sta, secs                                                    sql.NullFloat64
}

// dest are the destinations to scan eventColumns into, then more.
func (r *eventRow) dest(more ...any) []any {
	d := make([]any, 0, 22+len(more))
	d = append(d, &r.e.ClientID, &r.e.ID, &r.ts, &r.e.Type, &r.e.Domain, &r.url, &r.tab, &r.win, &r.state, &r.recv,
		&r.feed, &r.answer, &r.sta, &r.purpose, &r.timebox, &r.via, &r.ext, &r.pid, &r.secs, &r.note, &r.bkey, &r.hosts)
	return append(d, more...)
}

// event is the scanned event. When its hosts are not a JSON list it
// returns the event without them and an error.
func (r *eventRow) event() (Event, error) {
	e := r.e
	e.TS, e.ReceivedAt = time.UnixMilli(r.ts).UTC(), time.UnixMilli(r.recv).UTC()
	e.URL, e.State = r.url.String, r.state.String
	e.FeedID, e.Answer, e.Purpose, e.Via, e.Extends, e.PromptID = r.feed.String, r.answer.String, r.purpose.String, r.via.String, r.ext.String, r.pid.String
	e.Note, e.BreakKey = r.note.String, r.bkey.String
	e.SecondsToAnswer, e.Seconds = nullFloat(r.sta), nullFloat(r.secs)
	e.TabID, e.WindowID, e.TimeboxMinutes = nullInt(r.tab), nullInt(r.win), nullInt(r.timebox)
	if r.hosts.Valid {
		if err := json.Unmarshal([]byte(r.hosts.String), &e.MissingHosts); err != nil {
			e.MissingHosts = nil
			return e, fmt.Errorf("event %s: hosts: %w", e.ID, err)
		}
	}
	return e, nil
}

func nullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// EventFilter selects events. Zero fields do not filter.
type EventFilter struct {
	Since time.Time
	Limit int // default 10,000
}

// Events returns events in time order (then arrival order).
func (s *Store) Events(ctx context.Context, f EventFilter) (_ []Event, err error) {
	defer s.watch(&err)
	if f.Limit <= 0 {
		f.Limit = 10000
	}
	var since int64
	if !f.Since.IsZero() {
		since = f.Since.UnixMilli()
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+`, seconds_on_feed
		FROM events WHERE ts >= ? ORDER BY ts, seq LIMIT ?`, since, f.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var r eventRow
		var onFeed sql.NullFloat64
		if err := rows.Scan(r.dest(&onFeed)...); err != nil {
			return nil, err
		}
		e, err := r.event()
		if err != nil {
			return nil, err
		}
		e.SecondsOnFeed = nullFloat(onFeed)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Setting returns the value of a setting, or def when it is unset.
func (s *Store) Setting(ctx context.Context, key, def string) (_ string, err error) {
	defer s.watch(&err)
	var v string
	err = s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key=?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return def, nil
	}
	return v, err
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value`, key, value)
		return err
	})
}

func nullFloat(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}

// CountPrompts counts prompt events with one of answers at or after since.
func (s *Store) CountPrompts(ctx context.Context, since time.Time, answers ...string) (_ int, err error) {
	defer s.watch(&err)
	var n int
	q := `SELECT COUNT(*) FROM events WHERE type = '` + api.EventPrompt + `' AND ts >= ?`
	args := []any{since.UnixMilli()}
	if len(answers) > 0 {
		q += ` AND answer IN (?` + strings.Repeat(`, ?`, len(answers)-1) + `)`
		for _, a := range answers {
			args = append(args, a)
		}
	}
	err = s.r.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// hostsJSON is the hosts column of an access event: a JSON array (never
// NULL, so "no host missing" is stored as []), and NULL for other events.
func hostsJSON(e Event) any {
	if e.Type != api.EventAccess {
		return nil
	}
	if e.MissingHosts == nil {
		return "[]"
	}
	b, _ := json.Marshal(e.MissingHosts)
	return string(b)
}

// Access is what a browser last said about its site access.
type Access struct {
	State        string // "full" or "limited"
	MissingHosts []string
	At           time.Time
}

// LatestAccess returns, per client, its most recent access event (by the
// time it happened, so a late replay of an older one does not win).
func (s *Store) LatestAccess(ctx context.Context) (_ map[string]Access, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT e.client_id, e.state, e.hosts, e.ts FROM events e
		JOIN (SELECT client_id, MAX(ts) AS ts FROM events WHERE type = '`+api.EventAccess+`' GROUP BY client_id) m
		ON e.client_id = m.client_id AND e.ts = m.ts
		WHERE e.type = '`+api.EventAccess+`' ORDER BY e.seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Access{}
	for rows.Next() {
		var id string
		var state, hosts sql.NullString
		var ts int64
		if err := rows.Scan(&id, &state, &hosts, &ts); err != nil {
			return nil, err
		}
		a := Access{State: state.String, At: time.UnixMilli(ts).UTC()}
		if hosts.Valid {
			if err := json.Unmarshal([]byte(hosts.String), &a.MissingHosts); err != nil {
				return nil, fmt.Errorf("access of client %s: %w", id, err)
			}
		}
		out[id] = a
	}
	return out, rows.Err()
}

// AccessChange is one access event: from At on, the browser could act on
// every site it needs (State "full") or not ("limited").
type AccessChange struct {
	ClientID string
	At       time.Time
	State    string
}

// AccessChanges returns every access event that happened before to, in
// time order. (They are few: one per change of a browser's site access.)
func (s *Store) AccessChanges(ctx context.Context, to time.Time) (_ []AccessChange, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT client_id, ts, state FROM events
		WHERE type = '`+api.EventAccess+`' AND ts < ? ORDER BY ts, seq`, to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccessChange
	for rows.Next() {
		var a AccessChange
		var ts int64
		var state sql.NullString
		if err := rows.Scan(&a.ClientID, &ts, &state); err != nil {
			return nil, err
		}
		a.At, a.State = time.UnixMilli(ts).UTC(), state.String
		out = append(out, a)
	}
	return out, rows.Err()
}
