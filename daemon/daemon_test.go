package daemon_test

import (
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon"
)

func TestNewRefusesNonLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want string // in the error
	}{
		{"0.0.0.0:1", "loopback"},
		{"192.168.1.1:1", "loopback"},
		{"example.com:1", "loopback"},
		{"[::]:1", "loopback"},
		{"[2001:db8::1]:1", "loopback"},
		{"localhost.evil.test:1", "loopback"},
		{":17717", "loopback"},
		{"127.0.0.1", "HOST:PORT"},
		{"127.0.0.1:1:2", "HOST:PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			d, err := daemon.New(daemon.Config{Addr: tt.addr, DataDir: t.TempDir()})
			if err == nil {
				t.Fatalf("New(%q) = %v, want an error", tt.addr, d)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.addr) {
				t.Errorf("New(%q): %v; want an error naming the address and %q", tt.addr, err, tt.want)
			}
		})
	}
}

func TestNewAcceptsLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "LOCALHOST:0", "[::1]:0", "127.0.0.1:17717", ""} {
		t.Run(addr, func(t *testing.T) {
			d, err := daemon.New(daemon.Config{Addr: addr, DataDir: t.TempDir()})
			if err != nil {
				t.Fatalf("New(%q): %v", addr, err)
			}
			if d == nil || d.Ready() == nil {
				t.Fatalf("New(%q) returned no usable daemon", addr)
			}
			select {
			case <-d.Ready():
				t.Errorf("Ready is closed before Run")
			default:
			}
		})
	}
}

func TestNewNeedsDataDir(t *testing.T) {
	if _, err := daemon.New(daemon.Config{Addr: "127.0.0.1:0"}); err == nil {
		t.Errorf("New without a data directory succeeded")
	}
}
