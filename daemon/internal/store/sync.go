package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// This file is the store's side of sharing between devices
// (daemon/internal/devicesync): what this device has to send (SyncPending)
// and taking in what another device sent (SyncImport). Rows written here
// have device = ''; imported rows carry the id of their device.

func newUID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// nextClock is one more than the highest logical clock this database has
// seen (its own writes and every import): a Lamport clock. It is recorded,
// so it never goes back when a row is deleted.
func nextClock(tx *sql.Tx) (int64, error) {
	var c int64
	if err := tx.QueryRow(`SELECT MAX(
		(SELECT COALESCE(MAX(clock), 0) FROM schedule_rules),
		(SELECT COALESCE(MAX(clock), 0) FROM feed_settings),
		(SELECT COALESCE(MAX(clock), 0) FROM sync_removed WHERE kind = 'rule'),
		(SELECT COALESCE(MAX(clock), 0) FROM sync_clock))`).Scan(&c); err != nil {
		return 0, err
	}
	c++
	_, err := tx.Exec(`INSERT INTO sync_clock (id, clock) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET clock = excluded.clock`, c)
	return c, err
}

// remember records that this device removed a rule (uid).
func remember(tx *sql.Tx, kind, uid string) error {
	c, err := nextClock(tx)
	if err != nil {
		return err
	}
	return removeAt(tx, kind, uid, c)
}

func removeAt(tx *sql.Tx, kind, uid string, clock int64) error {
	_, err := tx.Exec(`INSERT INTO sync_removed (kind, uid, clock, device) VALUES (?, ?, ?, '')
		ON CONFLICT (kind, uid) DO UPDATE SET clock = excluded.clock, device = ''`, kind, uid, clock)
	return err
}

// SyncMarks say how far this device's own changes have been sent.
type SyncMarks struct {
	EventSeq     int64 `json:"event_seq"`
	AdhocID      int64 `json:"adhoc_id"`
	EarlyEndRow  int64 `json:"early_end_row"`
	Clock        int64 `json:"clock"`         // rules, feed settings, removals
	ReflectionAt int64 `json:"reflection_at"` // reflections and their removals (unix ms)
}

// SyncRule is a schedule rule as shared.
type SyncRule struct {
	Rule
	UID   string
	Clock int64
}

// SyncFeed is a feed setting as shared.
type SyncFeed struct {
	FeedSetting
	Clock int64
}

// SyncAdhoc is an on-demand break as shared.
type SyncAdhoc struct {
	Adhoc
	UID string
}

// SyncEarlyEnd is an early end as shared: Key is portable ("adhoc:<uid>"
// or "rule:<uid>@<start ms>").
type SyncEarlyEnd struct {
	EarlyEnd
	Row int64
}

// SyncReflection is a day's reflection as shared.
type SyncReflection struct {
	Day  string
	Text string
	At   int64 // unix ms, its clock
}

// SyncRemoved is a removal as shared.
type SyncRemoved struct {
	Kind, UID string
	Clock     int64
}

// SyncBatch is a set of changes of one device.
type SyncBatch struct {
	Events      []Event
	Adhoc       []SyncAdhoc
	EarlyEnds   []SyncEarlyEnd
	Rules       []SyncRule
	Feeds       []SyncFeed
	Reflections []SyncReflection
	Removed     []SyncRemoved
}

// Len is the number of changes in b.
func (b SyncBatch) Len() int {
	return len(b.Events) + len(b.Adhoc) + len(b.EarlyEnds) + len(b.Rules) + len(b.Feeds) + len(b.Reflections) + len(b.Removed)
}

// SyncPending returns this device's changes after m (at most limit events),
// from one snapshot, and the marks to store once they are written out.
func (s *Store) SyncPending(ctx context.Context, m SyncMarks, limit int) (SyncBatch, SyncMarks, error) {
	var b SyncBatch
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return b, m, err
	}
	defer tx.Rollback()
	next := m

	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+`, seq
		FROM events WHERE device = '' AND seq > ? ORDER BY seq LIMIT ?`, m.EventSeq, limit)
	if err != nil {
		return b, m, err
	}
	for rows.Next() {
		var r eventRow
		var seq int64
		if err := rows.Scan(r.dest(&seq)...); err != nil {
			rows.Close()
			return b, m, err
		}
		e, _ := r.event() // hosts that are not a list are left out
		b.Events = append(b.Events, e)
		next.EventSeq = seq
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b, m, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT id, uid, name, start_at, end_at, locked, sites FROM adhoc_breaks WHERE device = '' AND id > ? ORDER BY id`, m.AdhocID)
	if err != nil {
		return b, m, err
	}
	for rows.Next() {
		var a SyncAdhoc
		var start int64
		var end sql.NullInt64
		var sites sql.NullString
		if err := rows.Scan(&a.ID, &a.UID, &a.Name, &start, &end, &a.Locked, &sites); err != nil {
			rows.Close()
			return b, m, err
		}
		a.Start = time.UnixMilli(start).UTC()
		if end.Valid {
			a.End = time.UnixMilli(end.Int64).UTC()
		}
		a.Sites, _ = sitesFrom(sites)
		b.Adhoc = append(b.Adhoc, a)
		next.AdhocID = a.ID
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `SELECT e.rowid, e.window_key, e.name, e.reason, e.at_ms, e.planned_end,
			COALESCE((SELECT 'adhoc:' || uid FROM adhoc_breaks WHERE 'adhoc:' || id = e.window_key), ''),
			COALESCE((SELECT 'rule:' || uid || substr(e.window_key, instr(e.window_key, '@')) FROM schedule_rules
				WHERE instr(e.window_key, '@') > 0 AND CAST(substr(e.window_key, 1, instr(e.window_key, '@') - 1) AS INTEGER) = id), '')
		FROM break_early_ends e WHERE e.device = '' AND e.rowid > ? ORDER BY e.rowid`, m.EarlyEndRow)
	if err != nil {
		return b, m, err
	}
	for rows.Next() {
		var x SyncEarlyEnd
		var at, planned int64
		var adhocKey, ruleKey string
		if err := rows.Scan(&x.Row, &x.WindowKey, &x.Name, &x.Reason, &at, &planned, &adhocKey, &ruleKey); err != nil {
			rows.Close()
			return b, m, err
		}
		x.At, x.PlannedEnd = time.UnixMilli(at).UTC(), time.UnixMilli(planned).UTC()
		next.EarlyEndRow = x.Row
		switch {
		case adhocKey != "":
			x.WindowKey = adhocKey
		case ruleKey != "":
			x.WindowKey = ruleKey
		default:
			continue // its break is gone: nothing to end elsewhere
		}
		b.EarlyEnds = append(b.EarlyEnds, x)
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `SELECT id, uid, clock, name, kind, start_spec, end_spec, locked, sites, enabled, created_at
		FROM schedule_rules WHERE device = '' AND clock > ? ORDER BY clock`, m.Clock)
	if err != nil {
		return b, m, err
	}
	for rows.Next() {
		var r SyncRule
		var sites sql.NullString
		var created int64
		if err := rows.Scan(&r.ID, &r.UID, &r.Clock, &r.Name, &r.Kind, &r.Start, &r.End, &r.Locked, &sites, &r.Enabled, &created); err != nil {
			rows.Close()
			return b, m, err
		}
		r.Sites, _ = sitesFrom(sites)
		r.CreatedAt = time.UnixMilli(created).UTC()
		b.Rules = append(b.Rules, r)
		next.Clock = max(next.Clock, r.Clock)
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `SELECT id, clock FROM feed_settings WHERE device = '' AND clock > ? ORDER BY clock`, m.Clock)
	if err != nil {
		return b, m, err
	}
	clocks := map[string]int64{}
	for rows.Next() {
		var id string
		var c int64
		if err := rows.Scan(&id, &c); err != nil {
			rows.Close()
			return b, m, err
		}
		clocks[id] = c
		next.Clock = max(next.Clock, c)
	}
	rows.Close()
	if len(clocks) > 0 {
		all, err := feedSettings(ctx, tx)
		if err != nil {
			return b, m, err
		}
		for _, f := range all {
			if c, ok := clocks[f.ID]; ok {
				b.Feeds = append(b.Feeds, SyncFeed{FeedSetting: f, Clock: c})
			}
		}
	}

	rows, err = tx.QueryContext(ctx, `SELECT day, text, updated_at FROM reflections WHERE device = '' AND updated_at > ? ORDER BY updated_at`, m.ReflectionAt)
	if err != nil {
		return b, m, err
	}
	for rows.Next() {
		var r SyncReflection
		if err := rows.Scan(&r.Day, &r.Text, &r.At); err != nil {
			rows.Close()
			return b, m, err
		}
		b.Reflections = append(b.Reflections, r)
		next.ReflectionAt = max(next.ReflectionAt, r.At)
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `SELECT kind, uid, clock FROM sync_removed WHERE device = '' AND
		((kind = 'rule' AND clock > ?) OR (kind = 'reflection' AND clock > ?)) ORDER BY clock`, m.Clock, m.ReflectionAt)
	if err != nil {
		return b, m, err
	}
	for rows.Next() {
		var r SyncRemoved
		if err := rows.Scan(&r.Kind, &r.UID, &r.Clock); err != nil {
			rows.Close()
			return b, m, err
		}
		b.Removed = append(b.Removed, r)
		if r.Kind == "reflection" {
			next.ReflectionAt = max(next.ReflectionAt, r.Clock)
		} else {
			next.Clock = max(next.Clock, r.Clock)
		}
	}
	rows.Close()
	return b, next, rows.Err()
}

// SyncSegment names a segment being imported.
type SyncSegment struct {
	Device  string // its device's id
	Name    string // its device's name
	Seq     int64
	Written time.Time // when its device wrote it
}

// SyncImported reports whether a segment was already imported.
func (s *Store) SyncImported(ctx context.Context, device string, seq int64) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_segments WHERE device = ? AND seq = ?`, device, seq).Scan(&n)
	return n > 0, err
}

// SyncImportResult says what an import changed.
type SyncImportResult struct {
	Events  int  // events newly stored
	Changed bool // breaks, rules, feeds or reflections changed
}

// ErrSyncSelf is returned when asked to import this device's own segment.
var ErrSyncSelf = errors.New("a segment of this device")

// SyncImport stores the changes of another device's segment in one
// transaction, idempotently: a segment imported twice, or segments in any
// order, give the same database. Rules, feed settings and reflections merge
// by last writer on (clock, device id); self is this device's id, which
// wins ties like any other id.
func (s *Store) SyncImport(ctx context.Context, self string, seg SyncSegment, b SyncBatch, now time.Time) (SyncImportResult, error) {
	var res SyncImportResult
	if seg.Device == "" || seg.Device == self {
		return res, ErrSyncSelf
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res = SyncImportResult{}
		var done int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM sync_segments WHERE device = ? AND seq = ?`, seg.Device, seg.Seq).Scan(&done); err != nil {
			return err
		}
		if done == 0 {
			n, err := importEvents(tx, seg.Device, b.Events)
			if err != nil {
				return fmt.Errorf("events: %w", err)
			}
			res.Events = n
			ch, err := importBreaks(tx, seg.Device, b)
			if err != nil {
				return err
			}
			ch2, err := importMerged(tx, self, seg.Device, b)
			if err != nil {
				return err
			}
			if err := resolvePending(tx); err != nil {
				return err
			}
			res.Changed = ch || ch2
			if _, err := tx.Exec(`INSERT INTO sync_segments (device, seq, imported_at) VALUES (?, ?, ?)`, seg.Device, seg.Seq, now.UnixMilli()); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT INTO sync_devices (id, name, last_import, last_written, segments, records) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET
				name = CASE WHEN excluded.last_written >= sync_devices.last_written THEN excluded.name ELSE sync_devices.name END,
				last_import = excluded.last_import,
				last_written = MAX(sync_devices.last_written, excluded.last_written),
				segments = sync_devices.segments + excluded.segments, records = sync_devices.records + excluded.records`,
			seg.Device, seg.Name, now.UnixMilli(), seg.Written.UnixMilli(), 1-min(done, 1), (1-min(done, 1))*b.Len())
		return err
	})
	return res, err
}

func importEvents(tx *sql.Tx, device string, evs []Event) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	st, err := tx.Prepare(`INSERT INTO events (` + eventColumns + `, device) VALUES (` + eventPlaceholders + `, ?) ON CONFLICT (client_id, eid) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	added := 0
	var lo, hi int64
	prompts := map[[2]string]bool{}
	for _, e := range evs {
		var args [23]any
		r, err := st.Exec(append(eventArgs(args[:0], e), device)...)
		if err != nil {
			return 0, err
		}
		if n, _ := r.RowsAffected(); n == 1 {
			ts := e.TS.UnixMilli()
			if added == 0 {
				lo, hi = ts, ts
			} else {
				lo, hi = min(lo, ts), max(hi, ts)
			}
			added++
			switch {
			case e.Type == api.EventPrompt:
				prompts[[2]string{e.ClientID, e.ID}] = true
			case e.Type == api.EventFeedTime && e.PromptID != "":
				prompts[[2]string{e.ClientID, e.PromptID}] = true
			}
		}
	}
	// A prompt's time on the feed is the sum of its feed_time events,
	// whichever arrived first.
	for p := range prompts {
		if _, err := tx.Exec(`UPDATE events SET seconds_on_feed = (SELECT SUM(f.seconds) FROM events f
				WHERE f.client_id = events.client_id AND f.type = '`+api.EventFeedTime+`' AND f.prompt_id = events.eid)
			WHERE client_id = ? AND eid = ? AND type = '`+api.EventPrompt+`'`, p[0], p[1]); err != nil {
			return 0, err
		}
	}
	if added > 0 {
		if _, err := tx.Exec(`DELETE FROM summary_days WHERE span_from > ? AND span_from <= ? AND to_ms > ?`,
			lo-2*24*3600*1000, hi, lo); err != nil {
			return 0, err
		}
	}
	return added, nil
}

func importBreaks(tx *sql.Tx, device string, b SyncBatch) (bool, error) {
	changed := false
	for _, a := range b.Adhoc {
		var end any
		if !a.End.IsZero() {
			end = a.End.UnixMilli()
		}
		r, err := tx.Exec(`INSERT INTO adhoc_breaks (name, start_at, end_at, locked, sites, created_at, uid, device) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (uid) DO NOTHING`, a.Name, a.Start.UnixMilli(), end, a.Locked, sitesJSON(a.Sites), a.Start.UnixMilli(), a.UID, device)
		if err != nil {
			return false, fmt.Errorf("break %s: %w", a.UID, err)
		}
		if n, _ := r.RowsAffected(); n > 0 {
			changed = true
		}
	}
	for _, e := range b.EarlyEnds {
		if !strings.HasPrefix(e.WindowKey, "adhoc:") && !strings.HasPrefix(e.WindowKey, "rule:") {
			return false, fmt.Errorf("early end: window %q is neither adhoc:<id> nor rule:<id>@<ms>", e.WindowKey)
		}
		r, err := tx.Exec(`INSERT INTO break_early_ends (window_key, name, reason, at_ms, planned_end, device, sync_key)
			SELECT 'pending:' || ?1, ?2, ?3, ?4, ?5, ?6, ?1 WHERE NOT EXISTS (SELECT 1 FROM break_early_ends WHERE sync_key = ?1)
			ON CONFLICT (window_key) DO NOTHING`, e.WindowKey, e.Name, e.Reason, e.At.UnixMilli(), e.PlannedEnd.UnixMilli(), device)
		if err != nil {
			return false, fmt.Errorf("early end %s: %w", e.WindowKey, err)
		}
		if n, _ := r.RowsAffected(); n > 0 {
			changed = true
		}
	}
	return changed, nil
}

// resolvePending gives early ends whose break is here now its local key,
// and ends the break.
func resolvePending(tx *sql.Tx) error {
	if _, err := tx.Exec(`UPDATE break_early_ends SET window_key = 'adhoc:' || (SELECT id FROM adhoc_breaks WHERE uid = substr(sync_key, 7))
		WHERE window_key LIKE 'pending:adhoc:%' AND EXISTS (SELECT 1 FROM adhoc_breaks WHERE uid = substr(sync_key, 7))
		AND NOT EXISTS (SELECT 1 FROM break_early_ends x
			WHERE x.window_key = 'adhoc:' || (SELECT id FROM adhoc_breaks WHERE uid = substr(break_early_ends.sync_key, 7)))`); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE adhoc_breaks SET end_at = (SELECT MIN(at_ms) FROM break_early_ends e WHERE e.window_key = 'adhoc:' || adhoc_breaks.id)
		WHERE EXISTS (SELECT 1 FROM break_early_ends e WHERE e.window_key = 'adhoc:' || adhoc_breaks.id AND (adhoc_breaks.end_at IS NULL OR adhoc_breaks.end_at > e.at_ms))`); err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT sync_key FROM break_early_ends WHERE window_key LIKE 'pending:rule:%'`)
	if err != nil {
		return err
	}
	var pend []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return err
		}
		pend = append(pend, k)
	}
	rows.Close()
	for _, k := range pend {
		uid, start, ok := strings.Cut(strings.TrimPrefix(k, "rule:"), "@")
		if !ok {
			continue
		}
		var id int64
		if err := tx.QueryRow(`SELECT id FROM schedule_rules WHERE uid = ?`, uid).Scan(&id); err != nil {
			continue // the rule has not arrived (or was removed)
		}
		if _, err := tx.Exec(`UPDATE OR IGNORE break_early_ends SET window_key = ? WHERE sync_key = ?`, strconv.FormatInt(id, 10)+"@"+start, k); err != nil {
			return err
		}
	}
	return nil
}

// newer reports whether (c1, d1) was written after (c2, d2).
func newer(c1 int64, d1 string, c2 int64, d2 string) bool {
	return c1 > c2 || (c1 == c2 && d1 > d2)
}

func importMerged(tx *sql.Tx, self, device string, b SyncBatch) (bool, error) {
	changed := false
	who := func(d string) string {
		if d == "" {
			return self
		}
		return d
	}
	for _, r := range b.Removed {
		var c int64
		var d string
		err := tx.QueryRow(`SELECT clock, device FROM sync_removed WHERE kind = ? AND uid = ?`, r.Kind, r.UID).Scan(&c, &d)
		if err == nil && !newer(r.Clock, device, c, who(d)) {
			continue
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		if _, err := tx.Exec(`INSERT INTO sync_removed (kind, uid, clock, device) VALUES (?, ?, ?, ?)
			ON CONFLICT (kind, uid) DO UPDATE SET clock = excluded.clock, device = excluded.device`, r.Kind, r.UID, r.Clock, device); err != nil {
			return false, err
		}
		switch r.Kind {
		case "rule":
			// A removed rule stays removed, whatever its clock.
			if x, err := tx.Exec(`DELETE FROM schedule_rules WHERE uid = ?`, r.UID); err != nil {
				return false, err
			} else if n, _ := x.RowsAffected(); n > 0 {
				changed = true
			}
		case "reflection":
			var at int64
			var d string
			err := tx.QueryRow(`SELECT updated_at, device FROM reflections WHERE day = ?`, r.UID).Scan(&at, &d)
			if err == nil && newer(r.Clock, device, at, who(d)) {
				if _, err := tx.Exec(`DELETE FROM reflections WHERE day = ?`, r.UID); err != nil {
					return false, err
				}
				changed = true
			}
		default:
			return false, fmt.Errorf("removal of an unknown kind %q", r.Kind)
		}
	}
	for _, r := range b.Rules {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM sync_removed WHERE kind = 'rule' AND uid = ?`, r.UID).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			continue
		}
		var c int64
		var d string
		err := tx.QueryRow(`SELECT clock, device FROM schedule_rules WHERE uid = ?`, r.UID).Scan(&c, &d)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.Exec(`INSERT INTO schedule_rules (name, kind, start_spec, end_spec, locked, sites, enabled, created_at, uid, clock, device)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Name, r.Kind, r.Start, r.End, r.Locked, sitesJSON(r.Sites), r.Enabled,
				r.CreatedAt.UnixMilli(), r.UID, r.Clock, device); err != nil {
				return false, fmt.Errorf("rule %s: %w", r.UID, err)
			}
			changed = true
		case err != nil:
			return false, err
		case newer(r.Clock, device, c, who(d)):
			if _, err := tx.Exec(`UPDATE schedule_rules SET name = ?, kind = ?, start_spec = ?, end_spec = ?, locked = ?, sites = ?, enabled = ?,
				clock = ?, device = ? WHERE uid = ?`, r.Name, r.Kind, r.Start, r.End, r.Locked, sitesJSON(r.Sites), r.Enabled, r.Clock, device, r.UID); err != nil {
				return false, err
			}
			changed = true
		}
	}
	for _, f := range b.Feeds {
		var c int64
		var d string
		err := tx.QueryRow(`SELECT clock, device FROM feed_settings WHERE id = ?`, f.ID).Scan(&c, &d)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		if err == nil && !newer(f.Clock, device, c, who(d)) {
			continue
		}
		hosts := sitesJSON(orEmpty(f.ExtraHosts))
		var paths, enabled any
		if f.Paths != nil {
			paths = sitesJSON(f.Paths)
		}
		if f.Enabled != nil {
			enabled = *f.Enabled
		}
		if _, err := tx.Exec(`INSERT INTO feed_settings (id, custom, name, extra_hosts, paths, enabled, clock, device) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET custom=excluded.custom, name=excluded.name, extra_hosts=excluded.extra_hosts,
				paths=excluded.paths, enabled=excluded.enabled, clock=excluded.clock, device=excluded.device`,
			f.ID, f.Custom, nullString(f.Name), hosts, paths, enabled, f.Clock, device); err != nil {
			return false, fmt.Errorf("feed %s: %w", f.ID, err)
		}
		changed = true
	}
	for _, r := range b.Reflections {
		var c int64
		var d string
		if err := tx.QueryRow(`SELECT clock, device FROM sync_removed WHERE kind = 'reflection' AND uid = ?`, r.Day).Scan(&c, &d); err == nil && !newer(r.At, device, c, who(d)) {
			continue
		}
		err := tx.QueryRow(`SELECT updated_at, device FROM reflections WHERE day = ?`, r.Day).Scan(&c, &d)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		if err == nil && !newer(r.At, device, c, who(d)) {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO reflections (day, text, updated_at, device) VALUES (?, ?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at, device = excluded.device`,
			r.Day, r.Text, r.At, device); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

// SyncDevice is a device seen in the shared folder.
type SyncDevice struct {
	ID, Name    string
	LastImport  time.Time
	LastWritten time.Time
	Segments    int
	Records     int
}

// SyncDevices returns every device imported from, by id.
func (s *Store) SyncDevices(ctx context.Context) ([]SyncDevice, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, last_import, last_written, segments, records FROM sync_devices ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SyncDevice
	for rows.Next() {
		var d SyncDevice
		var li, lw int64
		if err := rows.Scan(&d.ID, &d.Name, &li, &lw, &d.Segments, &d.Records); err != nil {
			return nil, err
		}
		d.LastImport, d.LastWritten = time.UnixMilli(li).UTC(), time.UnixMilli(lw).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// EventsByDevice counts the events of [from, to) by device (” = this one).
func (s *Store) EventsByDevice(ctx context.Context, from, to time.Time) (map[string]int, error) {
	return s.countByDevice(ctx, `SELECT device, COUNT(*) FROM events WHERE ts >= ? AND ts < ? GROUP BY device`, from, to)
}

// OpensByDevice counts the prompts of [from, to) by device (” = this one).
func (s *Store) OpensByDevice(ctx context.Context, from, to time.Time) (map[string]int, error) {
	return s.countByDevice(ctx, `SELECT device, COUNT(*) FROM events WHERE type = '`+api.EventPrompt+`' AND ts >= ? AND ts < ? GROUP BY device`, from, to)
}

// countByDevice runs a query of (device, count) rows over [from, to).
func (s *Store) countByDevice(ctx context.Context, query string, from, to time.Time) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, query, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, err
		}
		out[d] = n
	}
	return out, rows.Err()
}
