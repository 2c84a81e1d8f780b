//go:build !windows && !notray

package tray

// loopEnder returns a function that ends systray's loop where
// systray.Quit cannot: here it always can (GTK's and Cocoa's loops end on
// Quit whether or not the icon came up).
func loopEnder() func() { return func() {} }
