package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/daemontest/proc"
	"github.com/mindful-app/mindful/installer/extpack"
)

var (
	binPath string // the mindful binary under test
	extDir  string // dist/chrome built from the source tree
	repo    string // module root
)

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func setup(m *testing.M) (int, error) {
	_, file, _, _ := runtime.Caller(0)
	repo = filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
	tmp, err := os.MkdirTemp("", "mindful-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	if binPath, err = proc.Build(tmp); err != nil {
		return 0, err
	}
	extDir = filepath.Join(tmp, "ext", "chrome")
	if err := extpack.Build(filepath.Join(repo, "extension"), extDir, "chrome", ""); err != nil {
		return 0, fmt.Errorf("build extension: %v", err)
	}
	return m.Run(), nil
}

// freePort returns a loopback port that was free a moment ago.
var freePort = proc.FreeAddr

// syncBuf collects a child's output; safe for concurrent use.
type syncBuf = proc.Log

// daemonProc is a running `mindful run`, started by daemontest/proc, with
// the short names the e2e tests use for its parts.
type daemonProc struct {
	*proc.Daemon
	t       testing.TB
	addr    string
	dataDir string
	cmd     *exec.Cmd
	log     *proc.Log
}

// startDaemon runs the daemon and waits until it logs that it listens.
func startDaemon(t testing.TB, addr, dataDir string) *daemonProc {
	t.Helper()
	p := proc.Options{Bin: binPath, Addr: addr, DataDir: dataDir, Args: []string{"--no-tray"}}.Start(t)
	return &daemonProc{Daemon: p, t: t, addr: p.Addr, dataDir: p.DataDir, cmd: p.Cmd, log: p.Log}
}

// daemonAt is a daemonProc for a daemon this test did not start (mindful.exe
// under Wine): its address and data directory only, for the CLI helpers.
func daemonAt(t testing.TB, addr, dataDir string) *daemonProc {
	return &daemonProc{Daemon: &proc.Daemon{Addr: addr, DataDir: dataDir, Bin: binPath}, t: t, addr: addr, dataDir: dataDir}
}

// stop sends SIGTERM and waits for a clean exit.
func (d *daemonProc) stop() {
	if err := d.Stop(); err != nil {
		d.t.Errorf("daemon exit after SIGTERM: %v\n%s", err, d.log)
	}
}

// cli runs a mindful client subcommand against this daemon and returns its
// stdout; it fails the test on a non-zero exit.
func (d *daemonProc) cli(args ...string) []byte {
	d.t.Helper()
	return d.Output(d.t, args...)
}

// runCLI runs a mindful command pointed at addr and dataDir, where there
// may be no daemon.
func runCLI(addr, dataDir string, args ...string) ([]byte, int, string) {
	return proc.RunCLI(binPath, addr, dataDir, args...)
}

// cliJSON runs a mindful command that prints JSON against d and decodes it.
func cliJSON[T any](d *daemonProc, args ...string) T {
	d.t.Helper()
	return proc.JSON[T](d.t, d.Daemon, args...)
}

func (d *daemonProc) events() []api.Event {
	d.t.Helper()
	return cliJSON[[]api.Event](d, "events", "--since", "all", "--json")
}

func (d *daemonProc) pairing() api.Pairing {
	d.t.Helper()
	return cliJSON[api.Pairing](d, "pair", "list", "--json")
}

func (d *daemonProc) status() api.Status {
	d.t.Helper()
	return cliJSON[api.Status](d, "status", "--json")
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
