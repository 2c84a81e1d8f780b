//go:build windows && !notray

package tray

import "golang.org/x/sys/windows"

var procPostThreadMessageW = windows.NewLazySystemDLL("user32.dll").NewProc("PostThreadMessageW")

// loopEnder returns a function that ends the message loop of the calling
// thread (systray's, on the main thread) by posting it WM_QUIT.
func loopEnder() func() {
	const wmQuit = 0x0012
	tid := windows.GetCurrentThreadId()
	return func() { procPostThreadMessageW.Call(uintptr(tid), wmQuit, 0, 0) }
}
