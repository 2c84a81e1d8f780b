// Package proc runs the built mindful binary for tests that need the daemon
// as a real process: signals, crashes, a restart on the same data, the
// tray, the command line as a user runs it.
//
// A test package builds the binary once, in TestMain, with [Build]; each
// test starts `mindful run` with [Options.Start] and runs commands against
// it with [Daemon.CLI]. The daemon logs at debug level into [Daemon.Log],
// which a failing test prints.
//
// Unlike its parent package daemontest, which runs the daemon inside the
// test's process, proc links nothing of the daemon: a test of a client of
// the daemon (tray/e2e) that uses it stays a client.
package proc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Time limits: a daemon listens within StartTimeout of its start and ends
// within StopTimeout of SIGTERM; a command ends within CLITimeout.
const (
	StartTimeout = 30 * time.Second
	StopTimeout  = 15 * time.Second
	CLITimeout   = 30 * time.Second
)

// ErrTimeout is returned when a process did not end in the time given.
var ErrTimeout = errors.New("did not end in time")

// Build builds the mindful binary of this module (./cmd/mindful) into dir
// and returns its path. It is a -race build when the test binary is one.
func Build(dir string) (string, error) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	bin := filepath.Join(dir, "mindful")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/mindful")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Options say how to run `mindful run`.
type Options struct {
	Bin     string   // the binary, from Build
	Addr    string   // --addr; "" is a free loopback port
	DataDir string   // --data-dir; "" is a new directory under t.TempDir()
	Args    []string // more arguments, such as "--no-tray"
	// Env is the daemon's environment; nil is the test's own. Its
	// MINDFUL_ADDR, MINDFUL_DATA_DIR and MINDFUL_LOG are left out: the
	// flags say where, and the daemon logs at debug level.
	Env []string
	// SysProcAttr, when set, is the process's (for example, Pdeathsig
	// so that it ends with a test binary that dies).
	SysProcAttr *syscall.SysProcAttr
}

// Daemon is a running `mindful run`.
type Daemon struct {
	Addr    string // where it listens
	DataDir string // its data directory
	Bin     string // the binary it runs, for CLI
	Cmd     *exec.Cmd
	Log     *Log // all it writes, stdout and stderr

	done chan struct{} // closed once it has exited
	err  error         // how it exited, once done is closed
}

// Start runs `mindful run --addr A --data-dir D` with o.Args, and waits
// until it logs that it listens; it fails the test if the daemon exits
// first or is not listening within StartTimeout. When the test ends, the
// daemon is stopped as by Stop, and a failing test gets its log.
func (o Options) Start(t testing.TB) *Daemon {
	t.Helper()
	d := &Daemon{Addr: o.Addr, DataDir: o.DataDir, Bin: o.Bin, Log: &Log{}, done: make(chan struct{})}
	if d.Addr == "" {
		d.Addr = FreeAddr(t)
	}
	if d.DataDir == "" {
		d.DataDir = filepath.Join(t.TempDir(), "data")
	}
	d.Cmd = exec.Command(o.Bin, append([]string{"run", "--addr", d.Addr, "--data-dir", d.DataDir}, o.Args...)...)
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	d.Cmd.Env = append(without(env, "MINDFUL_ADDR", "MINDFUL_DATA_DIR", "MINDFUL_LOG"), "MINDFUL_LOG=debug")
	d.Cmd.Stdout, d.Cmd.Stderr = d.Log, d.Log
	d.Cmd.SysProcAttr = o.SysProcAttr
	if err := d.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.err = d.Cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Errorf("daemon %s: %v", d.Addr, err)
		}
		if t.Failed() {
			t.Logf("daemon %s log:\n%s", d.Addr, d.Log)
		}
	})
	d.WaitLog(t, "mindful daemon listening", StartTimeout)
	return d
}

// without returns env less the variables named.
func without(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, k) {
			out = append(out, kv)
		}
	}
	return out
}

// Done is closed once the daemon has exited.
func (d *Daemon) Done() <-chan struct{} { return d.done }

// Err is how the daemon exited (nil: exit status 0); it waits for the exit.
func (d *Daemon) Err() error {
	<-d.done
	return d.err
}

// WaitExit waits up to timeout for the daemon to exit and returns how it
// exited, or ErrTimeout, leaving it running.
func (d *Daemon) WaitExit(timeout time.Duration) error {
	select {
	case <-d.done:
		return d.err
	case <-time.After(timeout):
		return fmt.Errorf("mindful run %w: %s", ErrTimeout, timeout)
	}
}

// Stop sends SIGTERM and waits for the exit, which it returns; a daemon
// still running StopTimeout later is killed, and Stop returns ErrTimeout.
// A daemon that has already exited is left as it is: Stop returns nil.
func (d *Daemon) Stop() error {
	select {
	case <-d.done:
		return nil
	default:
	}
	d.Cmd.Process.Signal(syscall.SIGTERM)
	err := d.WaitExit(StopTimeout)
	if errors.Is(err, ErrTimeout) {
		d.Kill()
	}
	return err
}

// Kill ends the daemon with SIGKILL, so that nothing of its own shutdown
// runs, and waits until it has exited.
func (d *Daemon) Kill() {
	d.Cmd.Process.Kill()
	<-d.done
}

// WaitLog waits until the daemon's output holds want; it fails the test if
// the daemon exits first or timeout passes.
func (d *Daemon) WaitLog(t testing.TB, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		grown := d.Log.next()
		if strings.Contains(d.Log.String(), want) {
			return
		}
		select {
		case <-grown:
		case <-d.done:
			if !strings.Contains(d.Log.String(), want) {
				t.Fatalf("mindful run exited (%v) before logging %q:\n%s", d.err, want, d.Log)
			}
			return
		case <-deadline:
			t.Fatalf("mindful run did not log %q within %s:\n%s", want, timeout, d.Log)
		}
	}
}

// CLI runs a mindful command against this daemon: RunCLI with its address
// and data directory.
func (d *Daemon) CLI(args ...string) (stdout []byte, code int, stderr string) {
	return RunCLI(d.Bin, d.Addr, d.DataDir, args...)
}

// Output runs a mindful command against this daemon and returns its
// stdout; it fails the test when the command exits non-zero.
func (d *Daemon) Output(t testing.TB, args ...string) []byte {
	t.Helper()
	out, code, stderr := d.CLI(args...)
	if code != 0 {
		t.Fatalf("mindful %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// JSON runs a mindful command that prints JSON (its args end in --json)
// against d, and decodes what it prints into a T.
func JSON[T any](t testing.TB, d *Daemon, args ...string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(d.Output(t, args...), &v); err != nil {
		t.Fatalf("mindful %s: %v", strings.Join(args, " "), err)
	}
	return v
}

// RunCLI runs `bin args...` as a user would, pointed at the daemon at addr
// with data directory dataDir (MINDFUL_ADDR, MINDFUL_DATA_DIR), and returns
// its stdout, its exit code (-1 when it could not run or ran out of
// CLITimeout) and its stderr.
func RunCLI(bin, addr, dataDir string, args ...string) (stdout []byte, code int, stderr string) {
	ctx, cancel := context.WithTimeout(context.Background(), CLITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "MINDFUL_ADDR="+addr, "MINDFUL_DATA_DIR="+dataDir)
	if os.Getenv("GORACE") == "" {
		// A -race binary sleeps 1 s at exit by default: not for every command.
		cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0")
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		code = -1
	}
	return out.Bytes(), code, errOut.String()
}

// Log collects a process's output. It is safe for concurrent use, and its
// zero value is ready to use.
type Log struct {
	mu    sync.Mutex
	b     bytes.Buffer
	grown chan struct{} // closed by the next Write
}

// Write adds p to the log and wakes those waiting for it to grow.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.grown != nil {
		close(l.grown)
		l.grown = nil
	}
	return l.b.Write(p)
}

// String returns all that was written.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// next returns a channel that the next Write closes.
func (l *Log) next() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.grown == nil {
		l.grown = make(chan struct{})
	}
	return l.grown
}
