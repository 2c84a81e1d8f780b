package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/version"
)

// Flags may come before, between or after the positional arguments, in
// package flag's single-dash form too.
func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		pos     []string
		addr    string
		json    bool
		wantErr bool
	}{
		{"flag after positionals", []string{"approve", "042137", "--addr", "127.0.0.1:17718"}, []string{"approve", "042137"}, "127.0.0.1:17718", false, false},
		{"flag between positionals", []string{"approve", "-addr", "127.0.0.1:1", "000001"}, []string{"approve", "000001"}, "127.0.0.1:1", false, false},
		{"bool flag before", []string{"--json", "list"}, []string{"list"}, "default", true, false},
		{"bool flag after", []string{"list", "--json"}, []string{"list"}, "default", true, false},
		{"bool flag =false", []string{"list", "--json=false"}, []string{"list"}, "default", false, false},
		{"flag=value", []string{"--addr=127.0.0.1:9", "list"}, []string{"list"}, "127.0.0.1:9", false, false},
		{"single dash", []string{"-json", "-addr=x:1"}, nil, "x:1", true, false},
		{"double dash ends flags", []string{"--json", "--", "--addr", "-x"}, []string{"--addr", "-x"}, "default", true, false},
		{"double dash first", []string{"--", "list"}, []string{"list"}, "default", false, false},
		{"lone dash is positional", []string{"-"}, []string{"-"}, "default", false, false},
		{"no args", nil, nil, "default", false, false},
		{"unknown flag", []string{"list", "--bogus"}, nil, "", false, true},
		{"unknown flag with =", []string{"--bogus=1"}, nil, "", false, true},
		{"missing value", []string{"list", "--addr"}, nil, "", false, true},
		{"bad bool", []string{"--json=maybe"}, nil, "", false, true},
	}
	t.Setenv("MINDFUL_ADDR", "default")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A command with --json and the --addr every command has,
			// run the way Main runs every command.
			r := newRoot(io.Discard, io.Discard)
			var pos []string
			var asJSON *bool
			r.cmd.AddCommand(&cobra.Command{Use: "test", Args: cobra.ArbitraryArgs, RunE: func(_ *cobra.Command, args []string) error {
				pos = args
				return nil
			}})
			asJSON = r.top("test").Flags().Bool("json", false, "")
			_, err := r.execute(append([]string{"test"}, tt.args...))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parse %q = %q, want an error", tt.args, pos)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse %q: %v", tt.args, err)
			}
			if !slices.Equal(pos, tt.pos) {
				t.Errorf("positional %q, want %q", pos, tt.pos)
			}
			if r.addr != tt.addr || *asJSON != tt.json {
				t.Errorf("addr %q json %v, want %q %v", r.addr, *asJSON, tt.addr, tt.json)
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.Local)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"90m", now.Add(-90 * time.Minute), false},
		{"24h", now.Add(-24 * time.Hour), false},
		{"1h30m", now.Add(-90 * time.Minute), false},
		{"7d", now.AddDate(0, 0, -7), false},
		{"1d", now.AddDate(0, 0, -1), false},
		{"all", time.Time{}, false},
		{"0", time.Time{}, false},
		{"", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"-5m", time.Time{}, true},
		{"0m", time.Time{}, true},
		{"0d", time.Time{}, true},
		{"-1d", time.Time{}, true},
		{"1.5d", time.Time{}, true},
		{"d", time.Time{}, true},
		{"7days", time.Time{}, true},
		{"ALL", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSince(tt.in, now)
			if tt.err {
				if err == nil {
					t.Fatalf("parseSince(%q) = %v, want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "--since") {
					t.Errorf("error %q does not name --since", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseSince(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("parseSince(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// run runs Main and returns the exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// isolate points the CLI at an empty data dir and a closed loopback port, so
// that no test can reach a real daemon or the user's data.
func isolate(t *testing.T) (dataDir, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	dataDir = t.TempDir()
	t.Setenv("MINDFUL_DATA_DIR", dataDir)
	t.Setenv("MINDFUL_ADDR", addr)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", "")
	return dataDir, addr
}

func TestMainUsageErrors(t *testing.T) {
	isolate(t)
	tests := []struct {
		name string
		args []string
		msg  string // in stderr
	}{
		{"no args", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"status", "--bogus"}, "bogus"},
		{"unknown flag before command", []string{"--bogus", "status"}, "unknown command"},
		{"version with argument", []string{"version", "now"}, `unexpected argument "now"`},
		{"status with argument", []string{"status", "x"}, `unexpected argument "x"`},
		{"pair without subcommand", []string{"pair"}, "missing argument"},
		{"unknown pair subcommand", []string{"pair", "frob"}, `unknown pair command "frob"`},
		{"pair approve without code", []string{"pair", "approve"}, "needs one argument"},
		{"pair approve bad code", []string{"pair", "approve", "12ab"}, `pairing code "12ab"`},
		{"pair approve 5 digits", []string{"pair", "approve", "04213"}, `pairing code "04213"`},
		{"pair approve 7 digits", []string{"pair", "approve", "0421370"}, `pairing code "0421370"`},
		{"pair list with argument", []string{"pair", "list", "x"}, "takes no argument"},
		{"pair revoke without id", []string{"pair", "revoke"}, "needs one argument"},
		{"events bad since", []string{"events", "--since", "soon"}, "--since"},
		{"run on a public address", []string{"run", "--addr", "0.0.0.0:17717"}, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\nstderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr does not contain %q:\n%s", tt.msg, stderr)
			}
			if !strings.Contains(stderr, "Usage:") {
				t.Errorf("a usage error prints the usage; stderr:\n%s", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

func TestMainHelpAndVersion(t *testing.T) {
	isolate(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "mindful " + version.Version + "\n"},
		{[]string{"--version"}, "mindful " + version.Version + "\n"},
		{[]string{"-version"}, "mindful " + version.Version + "\n"},
		{[]string{"help"}, usage()},
		{[]string{"--help"}, usage()},
		{[]string{"-h"}, usage()},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != 0 || stdout != tt.want || stderr != "" {
				t.Errorf("exit %d stdout %q stderr %q; want 0, %q, nothing", code, stdout, stderr, tt.want)
			}
		})
	}
}

// The usage names every command, and every command is in the usage.
func TestUsageListsCommands(t *testing.T) {
	for _, c := range commands() {
		if !strings.Contains(usage(), "mindful "+c.name) {
			t.Errorf("usage does not mention %q", c.name)
		}
		for _, s := range c.subs {
			if !strings.Contains(usage(), "mindful "+c.name+" "+s.name) {
				t.Errorf("usage does not mention %q", c.name+" "+s.name)
			}
		}
	}
}

// usage is the overview `mindful help` prints.
func usage() string { return newRoot(io.Discard, io.Discard).overview() }

func TestMainNotRunning(t *testing.T) {
	dataDir, addr := isolate(t)
	// Without a token file the client stops before dialling; with one it
	// dials the closed port. Both mean the daemon is not running.
	setups := []struct {
		name  string
		setup func(t *testing.T)
	}{
		{"empty data dir", func(t *testing.T) {}},
		{"token but no daemon", func(t *testing.T) {
			if _, err := datadir.ControlToken(dataDir); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			s.setup(t)
			t.Cleanup(func() { os.Remove(filepath.Join(dataDir, datadir.ControlTokenFile)) })

			for _, args := range [][]string{
				{"status"},
				{"events"},
				{"pair", "list"},
				{"pair", "approve", "042137"},
				{"pair", "revoke", "abc"},
			} {
				code, stdout, stderr := run(t, args...)
				if code != 1 {
					t.Errorf("%q: exit %d, want 1\nstderr: %s", args, code, stderr)
				}
				if !strings.Contains(stderr, "not running") {
					t.Errorf("%q: stderr does not say the daemon is not running:\n%s", args, stderr)
				}
				if strings.Contains(stderr, "Usage:") {
					t.Errorf("%q: a failure is not a usage error; stderr:\n%s", args, stderr)
				}
				if stdout != "" {
					t.Errorf("%q: stdout %q, want nothing", args, stdout)
				}
			}

			code, stdout, stderr := run(t, "status", "--json")
			if code != 1 {
				t.Errorf("status --json: exit %d, want 1", code)
			}
			var st struct {
				Running *bool  `json:"running"`
				Addr    string `json:"addr"`
				Version string `json:"version"`
				Clients []any  `json:"clients"`
			}
			if err := json.Unmarshal([]byte(stdout), &st); err != nil {
				t.Fatalf("status --json printed %q: %v (stderr %s)", stdout, err, stderr)
			}
			if st.Running == nil || *st.Running {
				t.Errorf("status --json: running = %v, want false", st.Running)
			}
			if st.Addr != addr || st.Version != version.Version || st.Clients == nil {
				t.Errorf("status --json = %+v; want addr %s, version %s, clients []", st, addr, version.Version)
			}
		})
	}
}

// --addr on the command line beats MINDFUL_ADDR.
func TestMainAddrFlag(t *testing.T) {
	dataDir, _ := isolate(t)
	if _, err := datadir.ControlToken(dataDir); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other := ln.Addr().String()
	ln.Close()
	code, stdout, _ := run(t, "status", "--json", "--addr", other)
	var st struct {
		Addr string `json:"addr"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 1 {
		t.Fatalf("exit %d, stdout %q: %v", code, stdout, err)
	}
	if st.Addr != other {
		t.Errorf("addr %q, want the flag's %q", st.Addr, other)
	}
}

// A client finds a daemon started with --addr through the address it
// wrote to the data dir, unless --addr or MINDFUL_ADDR say otherwise.
func TestDaemonAddrFromDataDir(t *testing.T) {
	dir := t.TempDir()
	newCtx := func(args ...string) *invocation {
		r := newRoot(io.Discard, io.Discard)
		st := r.top("status")
		if err := st.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		return &invocation{name: "status", fs: st.Flags(), addr: &r.addr, dataDir: &r.dataDir}
	}
	t.Setenv("MINDFUL_ADDR", "")
	if got := newCtx().daemonAddr(dir); got != "127.0.0.1:17717" {
		t.Errorf("no file: %q, want the default", got)
	}
	if err := datadir.WriteAddr(dir, "127.0.0.1:45678"); err != nil {
		t.Fatal(err)
	}
	// POSIX modes only: on Windows the data dir's access list keeps it private.
	if fi, err := os.Stat(filepath.Join(dir, datadir.AddrFile)); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Fatalf("address file: %v, %v", fi, err)
	}
	if got := newCtx().daemonAddr(dir); got != "127.0.0.1:45678" {
		t.Errorf("with the file: %q, want the daemon's", got)
	}
	if got := newCtx("--addr", "127.0.0.1:1111").daemonAddr(dir); got != "127.0.0.1:1111" {
		t.Errorf("--addr: %q", got)
	}
	t.Setenv("MINDFUL_ADDR", "127.0.0.1:2222")
	if got := newCtx().daemonAddr(dir); got != "127.0.0.1:2222" {
		t.Errorf("MINDFUL_ADDR: %q", got)
	}
}
