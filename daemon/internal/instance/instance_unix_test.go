//go:build unix

package instance_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/mindful-app/mindful/daemon/internal/instance"
)

// helperEnv, when set to a lock path, turns the test binary into a process
// that takes that lock, says so on stdout, and holds it until stdin closes.
const helperEnv = "MINDFUL_INSTANCE_TEST_HOLD_LOCK"

func TestHelperHoldLock(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestLockDiesWithProcess")
	}
	if _, err := instance.Acquire(path); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	fmt.Printf("LOCKED %d\n", os.Getpid())
	io.Copy(io.Discard, os.Stdin)
	// Exit without Release, as a crashing daemon would.
	os.Exit(0)
}

// holder is a child process holding the lock.
type holder struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.Reader
	stderr *bytes.Buffer
	pid    int
}

func startHolder(t *testing.T, path string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$", "-test.count=1")
	// Under -race the child would sleep 1 s at exit (atexit_sleep_ms).
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), helperEnv+"="+path, "GORACE="+gorace)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &holder{cmd: cmd, stdin: stdin, stderr: new(bytes.Buffer)}
	cmd.Stderr = h.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	// Wait until the child says it holds the lock.
	br := bufio.NewReader(stdout)
	for {
		line, err := br.ReadString('\n')
		if pid, ok := strings.CutPrefix(strings.TrimSpace(line), "LOCKED "); ok {
			h.pid, _ = strconv.Atoi(pid)
			break
		}
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper never took the lock (%v); stderr:\n%s", err, h.stderr)
		}
	}
	if h.pid != cmd.Process.Pid {
		t.Fatalf("helper reports pid %d, started pid %d", h.pid, cmd.Process.Pid)
	}
	h.stdout = br
	return h
}

func TestLockDiesWithProcess(t *testing.T) {
	tests := []struct {
		name string
		end  func(t *testing.T, h *holder)
	}{
		{"SIGKILL", func(t *testing.T, h *holder) {
			if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			err := h.cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("Wait = %v, want the child killed", err)
			}
			ws, ok := ee.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("child ended with %v, want killed by SIGKILL", ee)
			}
		}},
		{"exit without Release", func(t *testing.T, h *holder) {
			h.stdin.Close()
			io.Copy(io.Discard, h.stdout)
			if err := h.cmd.Wait(); err != nil {
				t.Fatalf("helper: %v; stderr:\n%s", err, h.stderr)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "daemon.lock")
			h := startHolder(t, path)

			l, err := instance.Acquire(path)
			if err == nil {
				l.Release()
				t.Fatal("Acquire succeeded while another process holds the lock")
			}
			if !errors.Is(err, instance.ErrRunning) {
				t.Fatalf("err = %v, want ErrRunning", err)
			}
			if pid := fmt.Sprintf("(pid %d)", h.pid); !strings.Contains(err.Error(), pid) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q: want %s and the lock path %s", err, pid, path)
			}

			tt.end(t, h)

			// The kernel dropped the lock with the process; the child's pid
			// is still in the file, and Acquire replaces it.
			if got, want := readPid(t, path), strconv.Itoa(h.pid)+"\n"; got != want {
				t.Errorf("lock file left by the child holds %q, want %q", got, want)
			}
			l, err = instance.Acquire(path)
			if err != nil {
				t.Fatalf("Acquire after the holder died: %v", err)
			}
			defer l.Release()
			if got, want := readPid(t, path), strconv.Itoa(os.Getpid())+"\n"; got != want {
				t.Errorf("lock file holds %q, want %q", got, want)
			}
		})
	}
}
