package store

import (
	"context"
	"database/sql"
	"time"
)

// Event is one piece of reported activity.
type Event struct {
	ID         string // the extension's idempotent event id
	ClientID   string
	TS         time.Time
	Type       string
	Domain     string
	URL        string // empty unless the user opted in to full URLs
	TabID      *int64
	WindowID   *int64
	State      string
	ReceivedAt time.Time
}

// InsertEvents stores evs for one client in a single transaction. Events
// whose id this client already stored are skipped, so a replay is harmless.
// It returns the number of events newly stored; when it returns nil every
// event in evs is durably stored.
func (s *Store) InsertEvents(ctx context.Context, evs []Event) (int, error) {
	var added int
	err := s.write(ctx, func(tx *sql.Tx) error {
		added = 0
		st, err := tx.Prepare(`INSERT INTO events (client_id, eid, ts, type, domain, url, tab_id, window_id, state, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id, eid) DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, e := range evs {
			res, err := st.Exec(e.ClientID, e.ID, e.TS.UnixMilli(), e.Type, e.Domain, nullString(e.URL),
				e.TabID, e.WindowID, nullString(e.State), e.ReceivedAt.UnixMilli())
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	return added, err
}

// EventFilter selects events. Zero fields do not filter.
type EventFilter struct {
	Since time.Time
	Limit int // default 10,000
}

// Events returns events in time order (then arrival order).
func (s *Store) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	if f.Limit <= 0 {
		f.Limit = 10000
	}
	var since int64
	if !f.Since.IsZero() {
		since = f.Since.UnixMilli()
	}
	rows, err := s.r.QueryContext(ctx, `SELECT client_id, eid, ts, type, domain, url, tab_id, window_id, state, received_at
		FROM events WHERE ts >= ? ORDER BY ts, seq LIMIT ?`, since, f.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var ts, recv int64
		var u, state sql.NullString
		var tab, win sql.NullInt64
		if err := rows.Scan(&e.ClientID, &e.ID, &ts, &e.Type, &e.Domain, &u, &tab, &win, &state, &recv); err != nil {
			return nil, err
		}
		e.TS = time.UnixMilli(ts).UTC()
		e.ReceivedAt = time.UnixMilli(recv).UTC()
		e.URL, e.State = u.String, state.String
		if tab.Valid {
			e.TabID = &tab.Int64
		}
		if win.Valid {
			e.WindowID = &win.Int64
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Setting returns the value of a setting, or def when it is unset.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key=?`, key).Scan(&v)
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

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
