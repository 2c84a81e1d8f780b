//go:build windows

package shutdown

import (
	"fmt"
	"log/slog"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32               = windows.NewLazySystemDLL("user32.dll")
	procRegisterClassExW = user32.NewProc("RegisterClassExW")
	procCreateWindowExW  = user32.NewProc("CreateWindowExW")
	procDefWindowProcW   = user32.NewProc("DefWindowProcW")
	procGetMessageW      = user32.NewProc("GetMessageW")
	procTranslateMessage = user32.NewProc("TranslateMessage")
	procDispatchMessageW = user32.NewProc("DispatchMessageW")
)

const (
	wmClose           = 0x0010
	wmQueryEndSession = 0x0011
	wmEndSession      = 0x0016
)

type wndClassEx struct {
	size, style                        uint32
	wndProc                            uintptr
	clsExtra, wndExtra                 int32
	instance, icon, cursor, background windows.Handle
	menuName, className                *uint16
	iconSm                             windows.Handle
}

type msg struct {
	hwnd    windows.Handle
	message uint32
	wParam  uintptr
	lParam  uintptr
	time    uint32
	pt      struct{ x, y int32 }
}

// watchSession opens a hidden top-level window on a thread of its own and
// turns WM_CLOSE and WM_ENDSESSION into stop. The session's end waits (up
// to Grace) until finished is closed. Without a window station to open a
// window in (a service, or Wine without a display) it logs why and leaves
// the signals to do the work.
func watchSession(stop func(why string), finished <-chan struct{}, log *slog.Logger) {
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // the window belongs to this thread for good
		if err := openWindow(stop, finished); err != nil {
			ready <- err
			return
		}
		ready <- nil
		var m msg
		for {
			r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
			if int32(r) <= 0 {
				return
			}
			procTranslateMessage.Call(uintptr(unsafe.Pointer(&m)))
			procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
		}
	}()
	if err := <-ready; err != nil {
		log.Debug("no window for close and log-off messages: only signals stop mindful", "err", err)
	}
}

func openWindow(stop func(why string), finished <-chan struct{}) error {
	var inst windows.Handle
	if err := windows.GetModuleHandleEx(0, nil, &inst); err != nil {
		return fmt.Errorf("GetModuleHandleEx: %w", err)
	}
	class, _ := windows.UTF16PtrFromString("mindfulSessionWindow")
	title, _ := windows.UTF16PtrFromString("mindful")
	proc := func(hwnd windows.Handle, m uint32, wParam, lParam uintptr) uintptr {
		switch m {
		case wmClose:
			stop("WM_CLOSE")
			return 0
		case wmQueryEndSession:
			return 1
		case wmEndSession:
			if wParam != 0 {
				stop("WM_ENDSESSION")
				select {
				case <-finished:
				case <-time.After(Grace):
				}
			}
			return 0
		}
		r, _, _ := procDefWindowProcW.Call(uintptr(hwnd), uintptr(m), wParam, lParam)
		return r
	}
	wc := wndClassEx{wndProc: windows.NewCallback(proc), instance: inst, className: class}
	wc.size = uint32(unsafe.Sizeof(wc))
	if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
		return fmt.Errorf("RegisterClassExW: %w", err)
	}
	// A top-level window that is never shown: message-only windows
	// (HWND_MESSAGE) get no WM_ENDSESSION.
	h, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(class)), uintptr(unsafe.Pointer(title)),
		0, 0, 0, 0, 0, 0, 0, uintptr(inst), 0)
	if h == 0 {
		return fmt.Errorf("CreateWindowExW: %w", err)
	}
	return nil
}
