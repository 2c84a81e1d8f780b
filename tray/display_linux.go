//go:build linux && !notray

package tray

/*
#cgo pkg-config: gtk+-3.0
#include <stdint.h>
int mindful_gtk_init_check(void);
void mindful_on_main(uintptr_t h);
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime/cgo"
	"sync"
)

var (
	availableOnce sync.Once
	availableErr  error
)

// Available reports whether a tray icon can be shown here: a display can be
// opened and there is a D-Bus session bus (without one, GLib would start a
// bus of its own that outlives mindful). It initialises GTK, so it must be
// called on the main goroutine, before Run.
func Available() error {
	availableOnce.Do(func() { availableErr = available() })
	return availableErr
}

func available() error {
	display := os.Getenv("WAYLAND_DISPLAY")
	if d := os.Getenv("DISPLAY"); d != "" {
		display = d
	}
	if display == "" {
		return errors.New("no display (neither DISPLAY nor WAYLAND_DISPLAY is set)")
	}
	addr := sessionBusAddress()
	if addr == "" {
		return errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
	}
	// Tell GLib the address we found, so that it never autolaunches one.
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	if C.mindful_gtk_init_check() == 0 {
		return fmt.Errorf("cannot open display %q", display)
	}
	return nil
}

// onMain runs f on the GTK main thread, from the main loop.
func onMain(f func()) {
	C.mindful_on_main(C.uintptr_t(cgo.NewHandle(f)))
}

//export mindfulOnMain
func mindfulOnMain(h C.uintptr_t) {
	hh := cgo.Handle(h)
	f := hh.Value().(func())
	hh.Delete()
	f()
}
