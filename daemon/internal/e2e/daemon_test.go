package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
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
	binPath = filepath.Join(tmp, "mindful")
	args := []string{"build", "-o", binPath}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/mindful")...)
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("go build: %v\n%s", err, out)
	}
	extDir = filepath.Join(tmp, "ext", "chrome")
	if err := extpack.Build(filepath.Join(repo, "extension"), extDir, "chrome", ""); err != nil {
		return 0, fmt.Errorf("build extension: %v", err)
	}
	return m.Run(), nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// daemonProc is a running `mindful run`.
type daemonProc struct {
	t       testing.TB
	addr    string
	dataDir string
	cmd     *exec.Cmd
	log     *syncBuf
	exited  chan error
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDaemon runs the daemon and waits until it logs that it listens.
func startDaemon(t testing.TB, addr, dataDir string) *daemonProc {
	t.Helper()
	d := &daemonProc{t: t, addr: addr, dataDir: dataDir, log: &syncBuf{}, exited: make(chan error, 1)}
	d.cmd = exec.Command(binPath, "run", "--no-tray", "--addr", addr, "--data-dir", dataDir)
	d.cmd.Env = append(os.Environ(), "MINDFUL_LOG=debug")
	pr, pw := io.Pipe()
	d.cmd.Stderr = pw
	d.cmd.Stdout = pw
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(d.log, line)
			if strings.Contains(line, "mindful daemon listening") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	go func() { err := d.cmd.Wait(); pw.Close(); d.exited <- err }()
	select {
	case <-ready:
	case err := <-d.exited:
		t.Fatalf("daemon exited at start: %v\n%s", err, d.log)
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		t.Fatalf("daemon did not start within 30 s:\n%s", d.log)
	}
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("daemon %s log:\n%s", addr, d.log)
		}
	})
	return d
}

// stop sends SIGTERM and waits for a clean exit.
func (d *daemonProc) stop() {
	if d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.exited:
		d.exited <- err
		if err != nil {
			d.t.Errorf("daemon exit after SIGTERM: %v\n%s", err, d.log)
		}
	case <-time.After(15 * time.Second):
		d.cmd.Process.Kill()
		d.t.Errorf("daemon did not stop within 15 s of SIGTERM:\n%s", d.log)
	}
}

// cli runs a mindful client subcommand against this daemon and returns its
// stdout; it fails the test on a non-zero exit.
func (d *daemonProc) cli(args ...string) []byte {
	d.t.Helper()
	out, code, stderr := runCLI(d.addr, d.dataDir, args...)
	if code != 0 {
		d.t.Fatalf("mindful %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return out
}

func runCLI(addr, dataDir string, args ...string) ([]byte, int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = append(os.Environ(), "MINDFUL_ADDR="+addr, "MINDFUL_DATA_DIR="+dataDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
	}
	return stdout.Bytes(), code, stderr.String()
}

func (d *daemonProc) events() []api.Event {
	d.t.Helper()
	var evs []api.Event
	if err := json.Unmarshal(d.cli("events", "--since", "all", "--json"), &evs); err != nil {
		d.t.Fatal(err)
	}
	return evs
}

func (d *daemonProc) pairing() api.Pairing {
	d.t.Helper()
	var p api.Pairing
	if err := json.Unmarshal(d.cli("pair", "list", "--json"), &p); err != nil {
		d.t.Fatal(err)
	}
	return p
}

func (d *daemonProc) status() api.Status {
	d.t.Helper()
	var s api.Status
	if err := json.Unmarshal(d.cli("status", "--json"), &s); err != nil {
		d.t.Fatal(err)
	}
	return s
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
