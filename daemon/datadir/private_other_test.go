//go:build !windows

package datadir_test

import (
	"fmt"
	"os"
)

func fileIsPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		return fmt.Errorf("%s has mode %v, want 0600", path, m)
	}
	return nil
}
