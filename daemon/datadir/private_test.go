package datadir_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/mindful-app/mindful/daemon/datadir"
)

// tempDir is a fresh directory. Under Wine, removing a tree can fail
// (unlinkat: Invalid function) after the test is done: that is Wine's, and
// not this test's, failure, so it is not reported there.
func tempDir(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "datadir-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestEnsureMakesItPrivate(t *testing.T) {
	parent := tempDir(t)
	plain := filepath.Join(parent, "plain")
	if err := os.Mkdir(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(plain, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := datadir.Private(plain); err == nil {
		t.Fatalf("Private(%s) = nil for a folder anyone can read", plain)
	}
	dir := filepath.Join(parent, "mindful")
	if err := datadir.Ensure(dir); err != nil {
		t.Fatal(err)
	}
	if err := datadir.Private(dir); err != nil {
		t.Fatalf("after Ensure: %v", err)
	}
	// What the daemon then writes there is private too (by inheritance on
	// Windows; by the folder's mode elsewhere).
	if _, err := datadir.ControlToken(dir); err != nil {
		t.Fatal(err)
	}
	if err := fileIsPrivate(filepath.Join(dir, datadir.ControlTokenFile)); err != nil {
		t.Error(err)
	}
	// An existing folder is tightened.
	if err := datadir.Ensure(plain); err != nil {
		t.Fatal(err)
	}
	if err := datadir.Private(plain); err != nil {
		t.Errorf("Ensure on an existing folder: %v", err)
	}
}
