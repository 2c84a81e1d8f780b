// Package tray is mindful's system-tray client of the daemon. It talks to
// the daemon only through daemon/client, never the store or the WebSocket
// layer (see deps_test.go).
//
// The GTK tray itself (getlantern/systray) is not built yet; until it is,
// Supported reports why, and `mindful run` runs headless.
package tray

import "errors"

// ErrNotBuilt says the tray is not part of this build.
var ErrNotBuilt = errors.New("the tray icon is not built yet")

// Supported reports whether this build can show a tray icon, and if not, why.
func Supported() error { return ErrNotBuilt }
