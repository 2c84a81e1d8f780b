//go:build !notray

package tray

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/getlantern/systray"
)

func init() {
	// systray.Run must own the main OS thread (GTK, and Cocoa on macOS):
	// keep the main goroutine on it. (systray's own init does the same.)
	runtime.LockOSThread()
}

// Run shows the tray icon until ctx ends, then removes it (and the icon
// file systray wrote to the temp directory). It must be called on the main
// goroutine, after Available has returned nil; run the daemon in other
// goroutines. Picking Quit calls cfg.Quit, which should end ctx.
func Run(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	v := &systrayView{done: make(chan struct{})}
	c := newController(cfg, v)
	ready, ran, looped := make(chan struct{}), make(chan struct{}), make(chan struct{})
	endLoop := loopEnder() // on the main thread, which runs the loop
	go func() {
		select {
		case <-ctx.Done():
			systray.Quit()
			// systray.Quit closes the icon's window; where that window
			// never came up (Windows with no desktop to show it on) the
			// loop runs on regardless, and only this ends it.
			endLoop()
		case <-looped:
		}
	}()
	systray.Run(func() {
		close(ready)
		v.build(c.menu, c.Click)
		go func() { defer close(ran); c.run(ctx) }()
		c.log.Info("tray icon shown")
	}, nil)
	close(looped)
	removeIconFiles()
	cancel()
	close(v.done)
	select {
	case <-ready:
		<-ran
	default: // the tray never came up
	}
	return nil
}

// systrayView applies Menus to systray items. Every change goes through
// mu; systray queues it for the GTK main loop.
type systrayView struct {
	done chan struct{} // closed when the tray is gone

	mu      sync.Mutex
	items   [NumItems]*systray.MenuItem
	shown   [NumItems]Item // as last applied
	hidden  [NumItems]bool
	title   string
	icon    IconID
	tooltip string
	built   bool
}

// build creates the items of the menu m (see Layout), and forwards their
// clicks to click.
func (v *systrayView) build(m Menu, click func(ItemID)) {
	v.mu.Lock()
	for id := range NumItems {
		spec := Layout[id]
		it := m.Items[id]
		if spec.SepBefore {
			systray.AddSeparator()
		}
		var mi *systray.MenuItem
		switch {
		case spec.Parent == NoParent && spec.Checkable:
			mi = systray.AddMenuItemCheckbox(it.Label, "", false)
		case spec.Parent == NoParent:
			mi = systray.AddMenuItem(it.Label, "")
		case spec.Checkable:
			mi = v.items[spec.Parent].AddSubMenuItemCheckbox(it.Label, "", false)
		default:
			mi = v.items[spec.Parent].AddSubMenuItem(it.Label, "")
		}
		v.items[id] = mi
		v.shown[id] = Item{Label: it.Label, Enabled: true, Visible: true}
		go v.forward(id, mi, click)
	}
	v.icon = -1
	v.built = true
	v.mu.Unlock()
	v.Apply(m)
}

// forward turns clicks on one item into calls of click.
func (v *systrayView) forward(id ItemID, mi *systray.MenuItem, click func(ItemID)) {
	for {
		select {
		case <-v.done:
			return
		case <-mi.ClickedCh:
		}
		if Layout[id].Checkable {
			// GTK has flipped the check mark; the daemon's state decides
			// it, so put back the one last applied until that changes.
			v.mu.Lock()
			setChecked(mi, v.shown[id].Checked)
			v.mu.Unlock()
		}
		click(id)
	}
}

func setChecked(mi *systray.MenuItem, on bool) {
	if on {
		mi.Check()
	} else {
		mi.Uncheck()
	}
}

// Apply shows m, changing only what differs from the last Menu.
func (v *systrayView) Apply(m Menu) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.built {
		return
	}
	for id := range NumItems {
		want, cur, mi := m.Items[id], v.shown[id], v.items[id]
		updated := false
		if want.Label != cur.Label {
			mi.SetTitle(want.Label)
			updated = true
		}
		if want.Enabled != cur.Enabled {
			if want.Enabled {
				mi.Enable()
			} else {
				mi.Disable()
			}
			updated = true
		}
		if Layout[id].Checkable && want.Checked != cur.Checked {
			setChecked(mi, want.Checked)
			updated = true
		}
		// systray shows an item again whenever it updates it.
		switch {
		case !want.Visible && (updated || !v.hidden[id]):
			mi.Hide()
			v.hidden[id] = true
		case want.Visible && v.hidden[id]:
			mi.Show()
			v.hidden[id] = false
		}
		v.shown[id] = want
	}
	if m.Icon != v.icon {
		systray.SetIcon(TrayIcon(runtime.GOOS, m.Icon))
		v.icon = m.Icon
	}
	if m.Tooltip != v.tooltip {
		systray.SetTooltip(m.Tooltip)
		v.tooltip = m.Tooltip
	}
	if m.Title != v.title {
		// systray sets the label straight from the calling thread; GTK
		// wants it on its own.
		title := m.Title
		onMain(func() { systray.SetTitle(title) })
		v.title = m.Title
	}
}

// removeIconFiles removes the files systray wrote our icons to: on Windows
// it hands LoadImage a file in the temp directory, named for the MD5 of the
// bytes, and leaves it there.
func removeIconFiles() {
	for id := range NumIcons {
		sum := md5.Sum(TrayIcon(runtime.GOOS, id))
		os.Remove(filepath.Join(os.TempDir(), "systray_temp_icon_"+hex.EncodeToString(sum[:])))
	}
}
