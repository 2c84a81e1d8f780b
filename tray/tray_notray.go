//go:build notray

package tray

import "context"

// Available reports whether a tray icon can be shown: never, in this build.
func Available() error { return ErrNotBuilt }

// Run returns ErrNotBuilt at once: this build has no tray icon.
func Run(ctx context.Context, cfg Config) error { return ErrNotBuilt }
