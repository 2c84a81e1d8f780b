package tray_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden reports why a dependency of the tray or the installer is not
// allowed, or "" if it is. Those programs are clients of the daemon: they
// talk to it through daemon/client, and must not link the store (SQLite) or
// the WebSocket layer, or reach into the daemon's internals.
func forbidden(pkg string) string {
	switch {
	case pkg == "github.com/mattn/go-sqlite3" || strings.HasPrefix(pkg, "github.com/mattn/go-sqlite3/"):
		return "SQLite belongs to the daemon's store"
	case pkg == "github.com/gorilla/websocket" || strings.HasPrefix(pkg, "github.com/gorilla/websocket/"):
		return "the WebSocket belongs to the daemon's extension API"
	case strings.HasPrefix(pkg, "github.com/mindful-app/mindful/daemon/internal/"):
		return "the daemon's internals are reached only through daemon/client"
	}
	return ""
}

func TestForbidden(t *testing.T) {
	for pkg, bad := range map[string]bool{
		"github.com/mattn/go-sqlite3":                            true,
		"github.com/gorilla/websocket":                           true,
		"github.com/mindful-app/mindful/daemon/internal/store":   true,
		"github.com/mindful-app/mindful/daemon/internal/wsapi/x": true,
		"github.com/mindful-app/mindful/daemon/client":           false,
		"github.com/mindful-app/mindful/daemon/api":              false,
		"github.com/mattn/go-sqlite3-other":                      false,
		"github.com/mindful-app/mindful/daemon/internalx":        false,
		"github.com/getlantern/systray":                          false,
	} {
		if got := forbidden(pkg) != ""; got != bad {
			t.Errorf("forbidden(%q) = %v, want %v", pkg, got, bad)
		}
	}
}

// goList runs `go list` in the module root with extra environment.
func goList(t *testing.T, env []string, args ...string) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not in PATH: %v", err)
	}
	cmd := exec.Command(goBin, append([]string{"list"}, args...)...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.Fields(string(out))
}

// hasGoFiles reports whether dir (relative to the module root) or a
// directory below it holds a .go file.
func hasGoFiles(t *testing.T, dir string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(filepath.Join("..", dir), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return found
}

// TestDeps checks the dependencies of the tray and the installer on every
// desktop platform, since their code will be platform-specific.
func TestDeps(t *testing.T) {
	for _, dir := range []string{"tray", "installer"} {
		t.Run(dir, func(t *testing.T) {
			if dir != "tray" && !hasGoFiles(t, dir) {
				t.Skipf("./%s has no Go packages yet", dir)
			}
			for _, goos := range []string{"linux", "darwin", "windows"} {
				t.Run(goos, func(t *testing.T) {
					env := []string{"GOOS=" + goos, "GOARCH=amd64", "CGO_ENABLED=1"}
					deps := goList(t, env, "-deps", "./"+dir+"/...")
					if !listsPackageUnder(deps, "github.com/mindful-app/mindful/"+dir) {
						t.Fatalf("go list -deps ./%s/... listed %q; the check is looking at the wrong thing", dir, deps)
					}
					for _, p := range deps {
						if why := forbidden(p); why != "" {
							t.Errorf("./%s/... depends on %s: %s", dir, p, why)
						}
					}
				})
			}
		})
	}
}

func listsPackageUnder(pkgs []string, root string) bool {
	for _, p := range pkgs {
		if p == root || strings.HasPrefix(p, root+"/") {
			return true
		}
	}
	return false
}

// TestE2EDeps checks the tray's end-to-end test, which runs the real binary
// (daemon/daemontest/proc) rather than a daemon in its own process: it talks
// to the daemon as clients do, and links neither the store nor the daemon's
// internals. It may speak WebSocket, where it stands in for a browser.
func TestE2EDeps(t *testing.T) {
	deps := goList(t, nil, "-deps", "-test", "./tray/e2e")
	if !listsPackageUnder(deps, "github.com/mindful-app/mindful/daemon/daemontest/proc") {
		t.Fatalf("go list -deps -test ./tray/e2e listed %q; the check is looking at the wrong thing", deps)
	}
	for _, p := range deps {
		if p == "github.com/gorilla/websocket" {
			continue
		}
		if why := forbidden(p); why != "" {
			t.Errorf("./tray/e2e's test depends on %s: %s", p, why)
		}
	}
}
