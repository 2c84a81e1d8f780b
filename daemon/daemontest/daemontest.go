// Package daemontest starts a real mindful daemon for any package's tests.
// It is the one place that knows how; there are two ways:
//
//   - [Start] runs the daemon inside the test's own process (daemon.New,
//     then Run on a free loopback port with a fresh data directory) and
//     stops it when the test ends. It is quick and is what tests of
//     clients (daemon/client, the CLI) and of the daemon's wiring use.
//   - Package daemontest/proc builds the mindful binary and runs
//     `mindful run` as a child process, for tests that need a real
//     process: signals, crashes, the tray, the command line as a user
//     runs it. It links nothing of the daemon, so that tests of a client
//     of the daemon (tray/e2e) stay clients.
//
// A daemon from either is real: the store, the sockets and every service,
// at the real time of day.
package daemontest

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon"
	"github.com/mindful-app/mindful/daemon/client"
)

// startTimeout bounds how long a daemon may take to listen.
const startTimeout = 30 * time.Second

// Daemon is a daemon running in the test's process.
type Daemon struct {
	Addr    string // the loopback host:port it listens on
	DataDir string // its data directory
}

// Options change how Start runs the daemon; the zero value is the usual.
type Options struct {
	// DataDir is the daemon's data directory; "" is a new directory
	// under t.TempDir().
	DataDir string
	// Logger gets the daemon's log; nil writes warnings and errors to the
	// test's output.
	Logger *slog.Logger
}

// Start runs a daemon with the zero Options: see [Options.Start].
func Start(t testing.TB) *Daemon { return Options{}.Start(t) }

// Start runs a daemon in this process on a free loopback port, waits until
// it listens, and stops it (failing the test if Run fails) when the test
// ends.
func (o Options) Start(t testing.TB) *Daemon {
	t.Helper()
	dir := o.DataDir
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "data")
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	d, err := daemon.New(daemon.Config{Addr: "127.0.0.1:0", DataDir: dir, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	select {
	case <-d.Ready():
	case err := <-done:
		t.Fatalf("daemon did not start: %v", err)
	case <-time.After(startTimeout):
		t.Fatalf("daemon did not start within %s", startTimeout)
	}
	return &Daemon{Addr: d.Addr(), DataDir: dir}
}

// Client opens a client of the daemon's local API, with its control token.
func (d *Daemon) Client(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.Open(d.Addr, d.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
