package instance_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon/internal/instance"
)

// tempDir is a fresh directory. Under Wine, removing it can fail
// (unlinkat: Invalid function) once the test is done: that is Wine's
// failure, not the test's, so it is not reported.
func tempDir(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "instance-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func acquire(t *testing.T, path string) *instance.Lock {
	t.Helper()
	l, err := instance.Acquire(path)
	if err != nil {
		t.Fatalf("Acquire(%s): %v", path, err)
	}
	t.Cleanup(func() { l.Release() })
	return l
}

func readPid(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAcquireWritesPid(t *testing.T) {
	tests := []struct {
		name     string
		existing *string // content of a lock file left behind, nil for none
	}{
		{"fresh", nil},
		{"stale pid from a crash", ptr("99999999\n")},
		{"longer stale content", ptr("123456789012345678901234567890\ngarbage\n")},
		{"empty file", ptr("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(tempDir(t), "daemon.lock")
			if tt.existing != nil {
				if err := os.WriteFile(path, []byte(*tt.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			acquire(t, path)
			if got, want := readPid(t, path), strconv.Itoa(os.Getpid())+"\n"; got != want {
				t.Errorf("lock file holds %q, want %q", got, want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestLockFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	path := filepath.Join(tempDir(t), "daemon.lock")
	acquire(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode(); m != 0o600 {
		t.Errorf("lock file mode = %v, want -rw-------", m)
	}
}

func TestSecondAcquireFails(t *testing.T) {
	path := filepath.Join(tempDir(t), "daemon.lock")
	first := acquire(t, path)

	// The lock belongs to the open file, so a second Acquire in this
	// process conflicts just as another process would.
	for i := range 2 {
		l, err := instance.Acquire(path)
		if err == nil {
			l.Release()
			t.Fatalf("attempt %d: second Acquire succeeded while the lock is held", i)
		}
		if !errors.Is(err, instance.ErrRunning) {
			t.Fatalf("attempt %d: err = %v, want ErrRunning", i, err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("attempt %d: error %q does not name the lock %s", i, err, path)
		}
		if pid := "pid " + strconv.Itoa(os.Getpid()); !strings.Contains(err.Error(), pid) {
			t.Errorf("attempt %d: error %q does not contain %q", i, err, pid)
		}
	}
	// A failed attempt leaves the holder's pid in place.
	if got, want := readPid(t, path), strconv.Itoa(os.Getpid())+"\n"; got != want {
		t.Errorf("after failed attempts the lock file holds %q, want %q", got, want)
	}

	if err := first.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if got := readPid(t, path); got != "" {
		t.Errorf("after Release the lock file holds %q, want it empty", got)
	}
	second := acquire(t, path)
	if got, want := readPid(t, path), strconv.Itoa(os.Getpid())+"\n"; got != want {
		t.Errorf("after re-acquiring the lock file holds %q, want %q", got, want)
	}
	if err := second.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
}

func TestHeldLockWithoutPid(t *testing.T) {
	path := filepath.Join(tempDir(t), "daemon.lock")
	acquire(t, path)
	// The holder is between locking and writing its pid.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := instance.Acquire(path)
	if !errors.Is(err, instance.ErrRunning) {
		t.Fatalf("err = %v, want ErrRunning", err)
	}
	if strings.Contains(err.Error(), "pid") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q: want the lock path and no pid", err)
	}
}

func TestAcquireErrors(t *testing.T) {
	dir := tempDir(t)
	tests := []struct {
		name string
		path string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "daemon.lock")},
		{"path is a directory", dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := instance.Acquire(tt.path)
			if err == nil {
				l.Release()
				t.Fatalf("Acquire(%s) succeeded", tt.path)
			}
			if errors.Is(err, instance.ErrRunning) {
				t.Errorf("err = %v: an unusable path is not another daemon", err)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name %s", err, tt.path)
			}
		})
	}
}

func TestReleaseNil(t *testing.T) {
	var l *instance.Lock
	if err := l.Release(); err != nil {
		t.Errorf("nil Lock Release = %v, want nil", err)
	}
	if err := (&instance.Lock{}).Release(); err != nil {
		t.Errorf("zero Lock Release = %v, want nil", err)
	}
}
