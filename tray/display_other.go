//go:build !linux && !windows && !notray

package tray

// Available reports whether a tray icon can be shown: on macOS
// there is always a menu bar to show it in.
func Available() error { return nil }

// onMain runs f; systray does its own hand-over to the UI thread here.
func onMain(f func()) { f() }
