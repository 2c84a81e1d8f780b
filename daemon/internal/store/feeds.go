package store

import (
	"context"
	"database/sql"
	"encoding/json"
)

// FeedSetting is the user's change to one feed (see migration 0002).
type FeedSetting struct {
	ID         string
	Custom     bool
	Name       string   // "" = built-in name
	ExtraHosts []string // added to the built-in hosts
	Paths      []string // nil = built-in paths
	Enabled    *bool    // nil = built-in default (enabled)
}

// FeedSettings returns every feed setting, by id.
func (s *Store) FeedSettings(ctx context.Context) (_ []FeedSetting, err error) {
	defer s.watch(&err)
	rows, err := s.r.QueryContext(ctx, `SELECT id, custom, name, extra_hosts, paths, enabled FROM feed_settings ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FeedSetting
	for rows.Next() {
		var f FeedSetting
		var name, paths sql.NullString
		var hosts string
		var enabled sql.NullBool
		if err := rows.Scan(&f.ID, &f.Custom, &name, &hosts, &paths, &enabled); err != nil {
			return nil, err
		}
		f.Name = name.String
		if err := json.Unmarshal([]byte(hosts), &f.ExtraHosts); err != nil {
			return nil, err
		}
		if paths.Valid {
			if err := json.Unmarshal([]byte(paths.String), &f.Paths); err != nil {
				return nil, err
			}
		}
		if enabled.Valid {
			b := enabled.Bool
			f.Enabled = &b
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// PutFeedSetting stores the user's change to a feed, replacing any earlier one.
func (s *Store) PutFeedSetting(ctx context.Context, f FeedSetting) error {
	hosts, _ := json.Marshal(orEmpty(f.ExtraHosts))
	var paths any
	if f.Paths != nil {
		b, _ := json.Marshal(f.Paths)
		paths = string(b)
	}
	var enabled any
	if f.Enabled != nil {
		enabled = *f.Enabled
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO feed_settings (id, custom, name, extra_hosts, paths, enabled) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET custom=excluded.custom, name=excluded.name, extra_hosts=excluded.extra_hosts,
				paths=excluded.paths, enabled=excluded.enabled`,
			f.ID, f.Custom, nullString(f.Name), string(hosts), paths, enabled)
		return err
	})
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
