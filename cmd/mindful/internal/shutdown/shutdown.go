// Package shutdown turns the operating system's requests to stop into the
// end of a context, so that `mindful run` stops cleanly (the daemon closes
// its store and lets go of its lock) however it is asked to:
//
//   - SIGINT and SIGTERM everywhere. On Windows, Go delivers a console's
//     Ctrl+C and Ctrl+Break as SIGINT and its close, log-off and shutdown
//     events as SIGTERM.
//   - On Windows, a GUI program (mindful.exe is built as one, so that no
//     console window opens at login) has no console and gets none of
//     those. It gets window messages instead: WM_CLOSE (`taskkill` without
//     /F) and WM_ENDSESSION (log-off, shutdown) to each top-level window.
//     Notify opens one hidden window to receive them, with or without the
//     tray icon.
package shutdown

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Grace is how long the end of a Windows session waits for the program to
// finish stopping: Windows ends the process as soon as the window has
// answered WM_ENDSESSION.
const Grace = 10 * time.Second

// Notify returns a context that ends at the first request to stop, and
// done, to call once the program has finished stopping (it also releases
// what Notify holds). Which request came is logged.
func Notify(parent context.Context, log *slog.Logger) (ctx context.Context, done func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	finished := make(chan struct{})
	stop := func(why string) {
		if ctx.Err() == nil {
			log.Info("stopping", "on", why)
		}
		cancel(nil)
	}
	go func() {
		select {
		case s := <-sigs:
			stop(s.String())
		case <-ctx.Done():
		case <-finished:
		}
	}()
	watchSession(stop, finished, log)
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(finished)
			cancel(nil)
		})
	}
}
