//go:build windows && !notray

package tray

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	procCreateWindowExW = windows.NewLazySystemDLL("user32.dll").NewProc("CreateWindowExW")
	procDestroyWindow   = windows.NewLazySystemDLL("user32.dll").NewProc("DestroyWindow")
)

// Available reports whether a tray icon can be shown: whether this process
// can open a window (the icon needs one for its messages). It cannot in a
// service's session, or under Wine without a display, where systray would
// fail and leave an empty message loop behind.
func Available() error {
	class, _ := windows.UTF16PtrFromString("STATIC")
	h, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(class)), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	if h == 0 {
		return fmt.Errorf("cannot open a window: %v", err)
	}
	procDestroyWindow.Call(h)
	return nil
}

// onMain runs f; systray does its own hand-over to the UI thread here.
func onMain(f func()) { f() }
