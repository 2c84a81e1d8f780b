//go:build !windows

package datadir

import (
	"fmt"
	"os"
)

// restrict gives dir mode 0700.
func restrict(dir string) error { return os.Chmod(dir, 0o700) }

// Private reports whether only the user can enter dir: mode 0700 (no
// group or other bits).
func Private(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return fmt.Errorf("%s has mode %v: others can read it", dir, m)
	}
	return nil
}
