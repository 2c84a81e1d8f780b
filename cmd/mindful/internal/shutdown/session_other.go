//go:build !windows

package shutdown

import "log/slog"

// watchSession does nothing here: SIGTERM is how a Unix session ends.
func watchSession(stop func(why string), finished <-chan struct{}, log *slog.Logger) {}
