package tray

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/godbus/dbus/v5"
)

// Notifier shows desktop notifications. key groups notifications that
// replace each other (a break's "started" is replaced by its "over").
type Notifier interface {
	Notify(key, summary, body string)
	Close()
}

// sessionBusAddress is the address of the user's D-Bus session bus, or ""
// when there is none. It never starts one: with DISPLAY set and no bus
// address, GLib (and godbus' SessionBus) would autolaunch a bus daemon that
// outlives the program.
func sessionBusAddress() string {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return a
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		p := filepath.Join(dir, "bus")
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return "unix:path=" + p
		}
	}
	return ""
}

const (
	notifyName  = "org.freedesktop.Notifications"
	notifyPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifyIface = "org.freedesktop.Notifications"
)

// dbusNotifier sends notifications to the freedesktop notification
// service (org.freedesktop.Notifications.Notify). Where there is no
// session bus or no such service it does nothing, and says so once in the
// debug log.
type dbusNotifier struct {
	log  *slog.Logger
	app  string
	icon *iconHint

	mu       sync.Mutex
	conn     *dbus.Conn
	ids      map[string]uint32
	warned   bool
	disabled bool
}

// NewNotifier connects to the session bus, if there is one.
func NewNotifier(log *slog.Logger, app string) Notifier {
	n := &dbusNotifier{log: log, app: app, ids: map[string]uint32{}, icon: newIconHint(IconPNG(IconNormal))}
	addr := sessionBusAddress()
	if addr == "" {
		log.Debug("no D-Bus session bus: desktop notifications are off")
		n.disabled = true
		return n
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		log.Debug("cannot connect to the D-Bus session bus: desktop notifications are off", "err", err)
		n.disabled = true
		return n
	}
	n.conn = conn
	return n
}

// available reports whether a notification service runs or can be
// started by the bus.
func (n *dbusNotifier) available() bool {
	var has bool
	if err := n.conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, notifyName).Store(&has); err == nil && has {
		return true
	}
	var names []string
	if err := n.conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&names); err == nil {
		for _, s := range names {
			if s == notifyName {
				return true
			}
		}
	}
	return false
}

func (n *dbusNotifier) Notify(key, summary, body string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.disabled || n.conn == nil {
		return
	}
	if !n.available() {
		if !n.warned {
			n.log.Debug("no desktop notification service on the session bus: notifications are off until one appears")
			n.warned = true
		}
		return
	}
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant("mindful")}
	if n.icon != nil {
		hints["image-data"] = dbus.MakeVariant(*n.icon)
	}
	var id uint32
	err := n.conn.Object(notifyName, notifyPath).Call(notifyIface+".Notify", 0,
		n.app, n.ids[key], "", summary, body, []string{}, hints, int32(-1)).Store(&id)
	if err != nil {
		if !n.warned {
			n.log.Warn("desktop notification not shown", "err", err)
			n.warned = true
		}
		return
	}
	n.ids[key] = id
}

func (n *dbusNotifier) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn != nil {
		n.conn.Close()
		n.conn = nil
	}
	n.disabled = true
}

// iconHint is the "image-data" hint: (iiibiiay) raw RGBA.
type iconHint struct {
	Width, Height, Rowstride int32
	HasAlpha                 bool
	BitsPerSample, Channels  int32
	Data                     []byte
}

func newIconHint(pngData []byte) *iconHint {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return nil
	}
	b := img.Bounds()
	rgba := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	return &iconHint{Width: int32(b.Dx()), Height: int32(b.Dy()), Rowstride: int32(rgba.Stride),
		HasAlpha: true, BitsPerSample: 8, Channels: 4, Data: rgba.Pix}
}
