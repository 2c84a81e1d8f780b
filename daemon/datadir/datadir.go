// Package datadir finds and prepares mindful's per-user data directory and
// the secret files in it. The daemon and its local clients (CLI, tray) share
// it: a client proves it is the trusted side by reading the control token,
// which only the user can read.
package datadir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// File names inside the data directory.
const (
	DBFile           = "mindful.db"
	LockFile         = "mindful.lock"
	ControlTokenFile = "control.token"
	// AddrFile holds the address the daemon last listened on, so that
	// clients (and the native-messaging host, which a browser starts)
	// find a daemon started with --addr.
	AddrFile = "daemon.addr"
)

// Default returns the per-user data directory for goos:
// Linux and other Unix: $XDG_DATA_HOME/mindful, default ~/.local/share/mindful;
// macOS: ~/Library/Application Support/mindful; Windows: %LOCALAPPDATA%\mindful.
// getenv is os.Getenv in production and a map in tests.
func Default(goos string, getenv func(string) string) (string, error) {
	home := getenv("HOME")
	switch goos {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "mindful"), nil
		}
		if p := getenv("USERPROFILE"); p != "" {
			return filepath.Join(p, "AppData", "Local", "mindful"), nil
		}
		return "", errors.New("neither %LOCALAPPDATA% nor %USERPROFILE% is set; pass --data-dir")
	case "darwin":
		if home == "" {
			return "", errors.New("$HOME is not set; pass --data-dir")
		}
		return filepath.Join(home, "Library", "Application Support", "mindful"), nil
	default:
		if x := getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
			return filepath.Join(x, "mindful"), nil
		}
		if home == "" {
			return "", errors.New("neither $XDG_DATA_HOME nor $HOME is set; pass --data-dir")
		}
		return filepath.Join(home, ".local", "share", "mindful"), nil
	}
}

// Resolve returns dir if it is set, else the platform default.
func Resolve(dir string) (string, error) {
	if dir != "" {
		return filepath.Abs(dir)
	}
	return Default(runtime.GOOS, os.Getenv)
}

// Ensure creates dir with mode 0700, or tightens an existing one to 0700.
// On Windows, where modes mean little, it gives dir a protected access
// list that lets only the current user in, inherited by everything in it
// (see restrict in private_windows.go).
func Ensure(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir %s: %w", dir, err)
	}
	if err := restrict(dir); err != nil {
		return fmt.Errorf("make data dir %s private: %w", dir, err)
	}
	return nil
}

// ControlToken returns the daemon's control token from dir, creating it
// (mode 0600) if it does not exist yet. Only the daemon calls this.
func ControlToken(dir string) (string, error) {
	path := filepath.Join(dir, ControlTokenFile)
	if tok, err := ReadControlToken(dir); err == nil {
		if err := os.Chmod(path, 0o600); err != nil {
			return "", fmt.Errorf("set mode 0600 on %s: %w", path, err)
		}
		return tok, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("install %s: %w", path, err)
	}
	return tok, nil
}

// ReadControlToken reads the control token that the daemon wrote to dir.
func ReadControlToken(dir string) (string, error) {
	path := filepath.Join(dir, ControlTokenFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) != 64 || strings.Trim(tok, "0123456789abcdef") != "" {
		return "", fmt.Errorf("%s is malformed (want 64 hex digits); delete it and restart the daemon", path)
	}
	return tok, nil
}

// WriteAddr records the address the daemon listens on (mode 0600).
func WriteAddr(dir, addr string) error {
	path := filepath.Join(dir, AddrFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(addr+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("install %s: %w", path, err)
	}
	return nil
}

// ReadAddr returns the address the daemon last listened on, or "" when no
// daemon has written one.
func ReadAddr(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, AddrFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
