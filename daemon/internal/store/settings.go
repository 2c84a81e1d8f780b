package store

import (
	"context"
	"database/sql"
)

// SetSettings stores several settings in one transaction: all or none.
func (s *Store) SetSettings(ctx context.Context, kv map[string]string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for k, v := range kv {
			if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value`, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}
