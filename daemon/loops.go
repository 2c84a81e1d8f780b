package daemon

import (
	"context"
	"log/slog"
	"sync"
)

// loops owns the daemon's background goroutines, as a supervisor owns
// Syncthing's services: Go starts one under the loops' context, and Stop
// cancels that context and waits until every loop has returned. Nothing
// runs past Stop, so the store can close after it.
type loops struct {
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	wg     sync.WaitGroup
}

// newLoops returns loops that also stop when ctx ends.
func newLoops(ctx context.Context, log *slog.Logger) *loops {
	ctx, cancel := context.WithCancel(ctx)
	return &loops{ctx: ctx, cancel: cancel, log: log}
}

// Go runs run in its own goroutine until its context ends. name is for the
// log.
func (l *loops) Go(name string, run func(ctx context.Context)) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		run(l.ctx)
		l.log.Debug("loop stopped", "loop", name)
	}()
}

// Stop ends every loop and waits for them.
func (l *loops) Stop() {
	l.cancel()
	l.wg.Wait()
}
