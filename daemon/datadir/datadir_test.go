package datadir_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon/datadir"
)

func TestDefault(t *testing.T) {
	tests := []struct {
		name string
		goos string
		env  map[string]string
		want string // "" means an error
	}{
		{"linux XDG_DATA_HOME", "linux", map[string]string{"XDG_DATA_HOME": "/xdg", "HOME": "/home/u"}, filepath.Join("/xdg", "mindful")},
		{"linux relative XDG_DATA_HOME ignored", "linux", map[string]string{"XDG_DATA_HOME": "rel/xdg", "HOME": "/home/u"}, filepath.Join("/home/u", ".local", "share", "mindful")},
		{"linux HOME only", "linux", map[string]string{"HOME": "/home/u"}, filepath.Join("/home/u", ".local", "share", "mindful")},
		{"linux nothing set", "linux", nil, ""},
		{"linux relative XDG and no HOME", "linux", map[string]string{"XDG_DATA_HOME": "rel"}, ""},
		{"freebsd like linux", "freebsd", map[string]string{"XDG_DATA_HOME": "/xdg"}, filepath.Join("/xdg", "mindful")},
		{"darwin", "darwin", map[string]string{"HOME": "/Users/u", "XDG_DATA_HOME": "/xdg"}, filepath.Join("/Users/u", "Library", "Application Support", "mindful")},
		{"darwin no HOME", "darwin", map[string]string{"XDG_DATA_HOME": "/xdg"}, ""},
		{"windows LOCALAPPDATA", "windows", map[string]string{"LOCALAPPDATA": `C:\Users\u\AppData\Local`, "USERPROFILE": `C:\Users\other`, "HOME": "/home/u"}, filepath.Join(`C:\Users\u\AppData\Local`, "mindful")},
		{"windows USERPROFILE fallback", "windows", map[string]string{"USERPROFILE": `C:\Users\u`, "HOME": "/home/u"}, filepath.Join(`C:\Users\u`, "AppData", "Local", "mindful")},
		{"windows none", "windows", map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "/xdg"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.goos != "windows" {
				// Paths are the running system's: "/xdg" is not
				// absolute on Windows.
				t.Skipf("a %s path on %s", tt.goos, runtime.GOOS)
			}
			getenv := func(k string) string { return tt.env[k] }
			got, err := datadir.Default(tt.goos, getenv)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Default = %q, want an error", got)
				}
				if !strings.Contains(err.Error(), "--data-dir") {
					t.Errorf("error %q does not say how to fix it (--data-dir)", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Default: %v", err)
			}
			if got != tt.want {
				t.Errorf("Default = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	dir := tempDir(t)
	got, err := datadir.Resolve(dir)
	if err != nil || got != dir {
		t.Errorf("Resolve(%q) = %q, %v", dir, got, err)
	}
	t.Chdir(dir)
	got, err = datadir.Resolve("sub")
	if err != nil || !filepath.IsAbs(got) || filepath.Base(got) != "sub" {
		t.Errorf("Resolve(sub) = %q, %v; want an absolute path", got, err)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestEnsure(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	t.Run("creates 0700", func(t *testing.T) {
		dir := filepath.Join(tempDir(t), "a", "mindful")
		if err := datadir.Ensure(dir); err != nil {
			t.Fatal(err)
		}
		if m := mode(t, dir); m != 0o700 {
			t.Errorf("mode %v, want 0700", m)
		}
	})
	t.Run("tightens an existing 0755 dir", func(t *testing.T) {
		dir := filepath.Join(tempDir(t), "mindful")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "keep"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := datadir.Ensure(dir); err != nil {
			t.Fatal(err)
		}
		if m := mode(t, dir); m != 0o700 {
			t.Errorf("mode %v, want 0700", m)
		}
		if _, err := os.Stat(filepath.Join(dir, "keep")); err != nil {
			t.Errorf("Ensure lost a file: %v", err)
		}
	})
	t.Run("a file in the way", func(t *testing.T) {
		path := filepath.Join(tempDir(t), "mindful")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		err := datadir.Ensure(path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Ensure on a file: %v, want an error naming %s", err, path)
		}
	})
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestControlToken(t *testing.T) {
	dir := tempDir(t)
	tok, err := datadir.ControlToken(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !hex64.MatchString(tok) {
		t.Fatalf("token %q is not 64 hex digits", tok)
	}
	path := filepath.Join(dir, datadir.ControlTokenFile)
	if runtime.GOOS != "windows" {
		if m := mode(t, path); m != 0o600 {
			t.Errorf("token file mode %v, want 0600", m)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(b)) != tok {
		t.Errorf("file holds %q (%v), want the token", b, err)
	}
	if _, err := os.Stat(path + ".tmp"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file left behind: %v", err)
	}

	again, err := datadir.ControlToken(dir)
	if err != nil || again != tok {
		t.Errorf("second ControlToken = %q, %v; want the same token %q", again, err, tok)
	}
	read, err := datadir.ReadControlToken(dir)
	if err != nil || read != tok {
		t.Errorf("ReadControlToken = %q, %v; want %q", read, err, tok)
	}

	other, err := datadir.ControlToken(tempDir(t))
	if err != nil || other == tok {
		t.Errorf("another data dir got token %q (%v); tokens must be fresh", other, err)
	}
}

func TestControlTokenTightensMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	dir := tempDir(t)
	tok := strings.Repeat("ab", 32)
	path := filepath.Join(dir, datadir.ControlTokenFile)
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := datadir.ControlToken(dir)
	if err != nil || got != tok {
		t.Fatalf("ControlToken = %q, %v; want the existing token", got, err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("mode %v, want 0600", m)
	}
}

func TestReadControlToken(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		_, err := datadir.ReadControlToken(tempDir(t))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ReadControlToken of an empty dir: %v, want fs.ErrNotExist (clients rely on it)", err)
		}
	})
	tests := []struct {
		name, content string
	}{
		{"empty", ""},
		{"short", "abc\n"},
		{"too long", strings.Repeat("a", 65)},
		{"not hex", strings.Repeat("z", 64)},
		{"upper-case hex", strings.Repeat("AB", 32)},
		{"space inside", strings.Repeat("a", 31) + " " + strings.Repeat("a", 32)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tempDir(t)
			path := filepath.Join(dir, datadir.ControlTokenFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			tok, err := datadir.ReadControlToken(dir)
			if err == nil {
				t.Fatalf("ReadControlToken = %q, want an error", tok)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a malformed file is reported as missing")
			}
			// The daemon must not silently replace a file it cannot read.
			if _, err := datadir.ControlToken(dir); err == nil {
				t.Errorf("ControlToken accepted the malformed file")
			}
			if b, _ := os.ReadFile(path); string(b) != tt.content {
				t.Errorf("ControlToken overwrote the malformed file")
			}
		})
	}
	t.Run("surrounding whitespace", func(t *testing.T) {
		dir := tempDir(t)
		tok := strings.Repeat("0f", 32)
		if err := os.WriteFile(filepath.Join(dir, datadir.ControlTokenFile), []byte("  "+tok+"\r\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := datadir.ReadControlToken(dir); err != nil || got != tok {
			t.Errorf("ReadControlToken = %q, %v; want %q", got, err, tok)
		}
	})
}
