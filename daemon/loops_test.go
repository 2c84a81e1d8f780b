package daemon

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
)

// Stop ends every loop and returns only once each has returned.
func TestLoopsStopWaitsForEveryLoop(t *testing.T) {
	l := newLoops(context.Background(), slog.New(slog.DiscardHandler))
	var running, finished atomic.Int32
	started := make(chan struct{}, 3)
	for range 3 {
		l.Go("test", func(ctx context.Context) {
			running.Add(1)
			started <- struct{}{}
			<-ctx.Done()
			finished.Add(1)
		})
	}
	for range 3 {
		<-started
	}
	l.Stop()
	if running.Load() != 3 || finished.Load() != 3 {
		t.Fatalf("after Stop: %d started, %d returned; want 3 and 3", running.Load(), finished.Load())
	}
}

// The loops also end with the context they were made from.
func TestLoopsEndWithTheirContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	l := newLoops(ctx, slog.New(slog.DiscardHandler))
	done := make(chan struct{})
	l.Go("test", func(ctx context.Context) { <-ctx.Done(); close(done) })
	cancel()
	<-done
	l.Stop()
}
