package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// Rule is a stored schedule rule.
type Rule struct {
	ID        int64
	Name      string
	Kind      string
	Start     string
	End       string
	Locked    bool
	Sites     []string // nil = default sites
	Enabled   bool
	CreatedAt time.Time
}

func sitesJSON(s []string) any {
	if s == nil {
		return nil
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func sitesFrom(v sql.NullString) ([]string, error) {
	if !v.Valid {
		return nil, nil
	}
	var s []string
	err := json.Unmarshal([]byte(v.String), &s)
	return s, err
}

// AddRule stores a schedule rule and returns its id.
func (s *Store) AddRule(ctx context.Context, r Rule) (int64, error) {
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO schedule_rules (name, kind, start_spec, end_spec, locked, sites, enabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.Name, r.Kind, r.Start, r.End, r.Locked, sitesJSON(r.Sites), r.Enabled, r.CreatedAt.UnixMilli())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// DeleteRule removes a schedule rule.
func (s *Store) DeleteRule(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM schedule_rules WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// Rules returns every schedule rule by id.
func (s *Store) Rules(ctx context.Context) (_ []Rule, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, kind, start_spec, end_spec, locked, sites, enabled, created_at FROM schedule_rules ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var r Rule
		var sites sql.NullString
		var created int64
		if err := rows.Scan(&r.ID, &r.Name, &r.Kind, &r.Start, &r.End, &r.Locked, &sites, &r.Enabled, &created); err != nil {
			return nil, err
		}
		if r.Sites, err = sitesFrom(sites); err != nil {
			return nil, err
		}
		r.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Adhoc is an on-demand break.
type Adhoc struct {
	ID     int64
	Name   string
	Start  time.Time
	End    time.Time // zero = open-ended
	Locked bool
	Sites  []string
}

// AddAdhoc stores an on-demand break and returns its id.
func (s *Store) AddAdhoc(ctx context.Context, a Adhoc) (int64, error) {
	var end any
	if !a.End.IsZero() {
		end = a.End.UnixMilli()
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO adhoc_breaks (name, start_at, end_at, locked, sites, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			a.Name, a.Start.UnixMilli(), end, a.Locked, sitesJSON(a.Sites), a.Start.UnixMilli())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// AdhocSince returns on-demand breaks that end after t (or never).
func (s *Store) AdhocSince(ctx context.Context, t time.Time) (_ []Adhoc, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, start_at, end_at, locked, sites FROM adhoc_breaks
		WHERE end_at IS NULL OR end_at > ? ORDER BY start_at, id`, t.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Adhoc
	for rows.Next() {
		var a Adhoc
		var start int64
		var end sql.NullInt64
		var sites sql.NullString
		if err := rows.Scan(&a.ID, &a.Name, &start, &end, &a.Locked, &sites); err != nil {
			return nil, err
		}
		a.Start = time.UnixMilli(start).UTC()
		if end.Valid {
			a.End = time.UnixMilli(end.Int64).UTC()
		}
		if a.Sites, err = sitesFrom(sites); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// EarlyEnd is a break window ended before its time, and why.
type EarlyEnd struct {
	WindowKey  string
	Name       string
	Reason     string
	At         time.Time
	PlannedEnd time.Time
}

// EndEarly records early ends for several windows (one break period) in one
// transaction, and closes the on-demand breaks among them (adhocIDs).
func (s *Store) EndEarly(ctx context.Context, ends []EarlyEnd, adhocIDs []int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, e := range ends {
			if _, err := tx.Exec(`INSERT INTO break_early_ends (window_key, name, reason, at_ms, planned_end) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (window_key) DO NOTHING`, e.WindowKey, e.Name, e.Reason, e.At.UnixMilli(), e.PlannedEnd.UnixMilli()); err != nil {
				return err
			}
		}
		for _, id := range adhocIDs {
			at := ends[0].At.UnixMilli()
			if _, err := tx.Exec(`UPDATE adhoc_breaks SET end_at = ? WHERE id = ? AND (end_at IS NULL OR end_at > ?)`, at, id, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// EarlyEnds returns early ends at or after since.
func (s *Store) EarlyEnds(ctx context.Context, since time.Time) (_ []EarlyEnd, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT window_key, name, reason, at_ms, planned_end FROM break_early_ends WHERE at_ms >= ? ORDER BY at_ms`, since.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EarlyEnd
	for rows.Next() {
		var e EarlyEnd
		var at, planned int64
		if err := rows.Scan(&e.WindowKey, &e.Name, &e.Reason, &at, &planned); err != nil {
			return nil, err
		}
		e.At, e.PlannedEnd = time.UnixMilli(at).UTC(), time.UnixMilli(planned).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// SessionStarted records that a client authenticated; it returns the
// session's id for SessionEnded.
func (s *Store) SessionStarted(ctx context.Context, clientID string, at time.Time) (int64, error) {
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO client_sessions (client_id, connected_at) VALUES (?, ?)`, clientID, at.UnixMilli())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// SessionEnded records that a client's socket closed.
func (s *Store) SessionEnded(ctx context.Context, id int64, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE client_sessions SET disconnected_at = ? WHERE id = ?`, at.UnixMilli(), id)
		return err
	})
}

// CloseDanglingSessions ends sessions left open by a daemon that died: they
// are taken to have ended at `at` (the daemon's last heartbeat).
func (s *Store) CloseDanglingSessions(ctx context.Context, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE client_sessions SET disconnected_at = MAX(connected_at, ?) WHERE disconnected_at IS NULL`, at.UnixMilli())
		return err
	})
}

// Session is one period in which a browser was connected.
type Session struct {
	ClientID                  string
	ConnectedAt, Disconnected time.Time // Disconnected zero = still connected
}

// Sessions returns the sessions that overlap [from, to).
func (s *Store) Sessions(ctx context.Context, from, to time.Time) (_ []Session, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT client_id, connected_at, disconnected_at FROM client_sessions
		WHERE connected_at < ? AND (disconnected_at IS NULL OR disconnected_at > ?) ORDER BY connected_at`, to.UnixMilli(), from.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var x Session
		var c int64
		var d sql.NullInt64
		if err := rows.Scan(&x.ClientID, &c, &d); err != nil {
			return nil, err
		}
		x.ConnectedAt = time.UnixMilli(c).UTC()
		if d.Valid {
			x.Disconnected = time.UnixMilli(d.Int64).UTC()
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
