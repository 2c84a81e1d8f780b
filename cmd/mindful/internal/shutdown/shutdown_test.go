//go:build unix

package shutdown

import (
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"
)

func TestSignalsEndTheContext(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx, done := Notify(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
			defer done()
			if ctx.Err() != nil {
				t.Fatal("context ended before any signal")
			}
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("%v did not end the context", sig)
			}
		})
	}
}

func TestDoneEndsTheContext(t *testing.T) {
	ctx, done := Notify(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	done()
	done() // twice is fine
	if ctx.Err() == nil {
		t.Fatal("context still live after done")
	}
}
