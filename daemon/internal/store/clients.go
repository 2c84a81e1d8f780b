package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Client is a paired browser profile.
type Client struct {
	ID             string
	Browser        string
	BrowserVersion string
	ExtVersion     string
	Origin         string
	TokenHash      []byte
	PairedAt       time.Time
	LastSeen       time.Time // zero if never seen after pairing
	PairedVia      string    // PairedViaCode or PairedViaNative; "" is stored as code
}

// How a client was paired (clients.paired_via).
const (
	PairedViaCode   = "code"   // the user approved the code the extension showed
	PairedViaNative = "native" // the extension asked mindful's native-messaging host
)

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// PutClient stores a newly paired client, replacing any earlier pairing of
// the same client id (and so its token).
func (s *Store) PutClient(ctx context.Context, c Client) error {
	via := c.PairedVia
	if via == "" {
		via = PairedViaCode
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO clients (id, browser, browser_version, ext_version, origin, token_hash, paired_at, last_seen, paired_via)
			VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
			ON CONFLICT (id) DO UPDATE SET browser=excluded.browser, browser_version=excluded.browser_version,
				ext_version=excluded.ext_version, origin=excluded.origin, token_hash=excluded.token_hash,
				paired_at=excluded.paired_at, last_seen=NULL, paired_via=excluded.paired_via`,
			c.ID, c.Browser, c.BrowserVersion, c.ExtVersion, c.Origin, c.TokenHash, c.PairedAt.UnixMilli(), via)
		return err
	})
}

// TouchClient records that the client authenticated at t with these versions.
func (s *Store) TouchClient(ctx context.Context, id, browser, browserVersion, extVersion string, t time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE clients SET last_seen=?, browser=?, browser_version=?, ext_version=? WHERE id=?`,
			t.UnixMilli(), browser, browserVersion, extVersion, id)
		return err
	})
}

// DeleteClient removes a pairing. Its events stay.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM clients WHERE id=?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// Client returns the client with this id, or ErrNotFound.
func (s *Store) Client(ctx context.Context, id string) (_ Client, err error) {
	defer s.watch(&err)
	row := s.r.QueryRowContext(ctx, `SELECT id, browser, browser_version, ext_version, origin, token_hash, paired_at, last_seen, paired_via FROM clients WHERE id=?`, id)
	c, err := scanClient(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, ErrNotFound
	}
	return c, err
}

// Clients returns every paired client, oldest pairing first.
func (s *Store) Clients(ctx context.Context) (_ []Client, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT id, browser, browser_version, ext_version, origin, token_hash, paired_at, last_seen, paired_via FROM clients ORDER BY paired_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanClient(r scanner) (Client, error) {
	var c Client
	var paired int64
	var seen sql.NullInt64
	if err := r.Scan(&c.ID, &c.Browser, &c.BrowserVersion, &c.ExtVersion, &c.Origin, &c.TokenHash, &paired, &seen, &c.PairedVia); err != nil {
		return Client{}, err
	}
	c.PairedAt = time.UnixMilli(paired).UTC()
	if seen.Valid {
		c.LastSeen = time.UnixMilli(seen.Int64).UTC()
	}
	return c, nil
}
