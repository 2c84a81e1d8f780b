// Package instance makes sure only one daemon runs per data directory, with
// an OS file lock that the kernel releases when the process dies, so a crash
// never leaves a stale lock behind.
package instance

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrRunning means another daemon holds the lock.
var ErrRunning = errors.New("another mindful daemon is already running")

// Lock is a held instance lock.
type Lock struct {
	f *os.File
}

// Acquire takes the lock at path (created 0600) and writes our pid into it.
func Acquire(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		if pid := strings.TrimSpace(string(b)); pid != "" {
			return nil, fmt.Errorf("%w (pid %s) with this data dir (lock %s)", ErrRunning, pid, path)
		}
		return nil, fmt.Errorf("%w with this data dir (lock %s)", ErrRunning, path)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &Lock{f: f}, nil
}

// Release drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := unlockFile(l.f)
	return errors.Join(err, l.f.Close())
}
