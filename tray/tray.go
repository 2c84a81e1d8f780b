// Package tray is mindful's system-tray icon: the day at a glance and one
// click to take a break. It is a client of the daemon, talking to it only
// through daemon/client, never the store or the WebSocket layer (see
// deps_test.go).
//
// The menu is a pure function of the daemon's state (model.go: Build), so
// it is tested without GTK. A thin view (view_systray.go) applies it to
// getlantern/systray items and turns clicks into calls to the daemon
// (controller.go). Built with -tags notray, the package is a stub without
// cgo GTK, and `mindful run` runs headless.
package tray

import "errors"

// ErrNotBuilt says this build has no tray icon (it was built with -tags notray).
var ErrNotBuilt = errors.New("this mindful was built without the tray icon (-tags notray)")
