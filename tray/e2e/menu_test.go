package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/mindful-app/mindful/daemon/daemontest/proc"
)

// The tray's menu as a desktop shell sees it: ayatana-appindicator exports
// it with libdbusmenu under the app's unique bus name, even with no
// StatusNotifierWatcher on the bus (the icon itself then falls back to
// XEmbed).
const (
	itemPath  = dbus.ObjectPath("/org/ayatana/NotificationItem/systray")
	menuPath  = itemPath + "/Menu"
	menuIface = "com.canonical.dbusmenu"
	sniIface  = "org.kde.StatusNotifierItem"
)

// call calls a D-Bus method, giving up after timeout: a tray that stops
// answering fails the test instead of hanging it.
func call(timeout time.Duration, obj dbus.BusObject, method string, args ...any) *dbus.Call {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return obj.CallWithContext(ctx, method, 0, args...)
}

// node is one item of a dbusmenu layout.
type node struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []*node
}

func (n *node) label() string {
	if n == nil {
		return ""
	}
	s, _ := n.Props["label"].Value().(string)
	return s
}

// visible, enabled: absent means true (dbusmenu's defaults).
func (n *node) visible() bool { return n.flag("visible") }
func (n *node) enabled() bool { return n.flag("enabled") }

func (n *node) flag(name string) bool {
	v, ok := n.Props[name]
	if !ok {
		return true
	}
	b, _ := v.Value().(bool)
	return b
}

// toggle is the check state: 1 checked, 0 not, -1 not a check item.
func (n *node) toggle() int32 {
	v, ok := n.Props["toggle-state"]
	if !ok {
		return -1
	}
	i, _ := v.Value().(int32)
	return i
}

func (n *node) walk(fn func(*node) bool) *node {
	if fn(n) {
		return n
	}
	for _, c := range n.Children {
		if f := c.walk(fn); f != nil {
			return f
		}
	}
	return nil
}

// find returns the item labelled exactly label, or nil.
func (n *node) find(label string) *node {
	return n.walk(func(x *node) bool { return x.ID != 0 && x.label() == label })
}

func (n *node) findPrefix(prefix string) *node {
	return n.walk(func(x *node) bool { return x.ID != 0 && strings.HasPrefix(x.label(), prefix) })
}

func (n *node) dump(b *strings.Builder, depth int) {
	fmt.Fprintf(b, "%s%d %q", strings.Repeat("  ", depth), n.ID, n.label())
	if !n.visible() {
		b.WriteString(" hidden")
	}
	if !n.enabled() {
		b.WriteString(" disabled")
	}
	if t := n.toggle(); t >= 0 {
		fmt.Fprintf(b, " toggle=%d", t)
	}
	b.WriteByte('\n')
	for _, c := range n.Children {
		c.dump(b, depth+1)
	}
}

// parseNode turns GetLayout's (ia{sv}av) into a tree.
func parseNode(v any) (*node, error) {
	fields, ok := v.([]any)
	if !ok || len(fields) != 3 {
		return nil, fmt.Errorf("layout item %T %v", v, v)
	}
	n := &node{}
	if n.ID, ok = fields[0].(int32); !ok {
		return nil, fmt.Errorf("layout id %T", fields[0])
	}
	if n.Props, ok = fields[1].(map[string]dbus.Variant); !ok {
		return nil, fmt.Errorf("layout props %T", fields[1])
	}
	kids, ok := fields[2].([]dbus.Variant)
	if !ok {
		return nil, fmt.Errorf("layout children %T", fields[2])
	}
	for _, k := range kids {
		c, err := parseNode(k.Value())
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, c)
	}
	return n, nil
}

// snapshot is what the shell shows: the menu and the label by the icon.
type snapshot struct {
	root  *node
	title string
}

// status is the menu's first line.
func (s snapshot) status() string {
	if s.root == nil || len(s.root.Children) == 0 {
		return ""
	}
	return s.root.Children[0].label()
}

func (s snapshot) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "title %q\n", s.title)
	if s.root != nil {
		s.root.dump(&b, 0)
	}
	return b.String()
}

// menu drives one app's dbusmenu.
type menu struct {
	t    *testing.T
	conn *dbus.Conn
	dest string
	sigs chan *dbus.Signal
}

// findMenu finds the bus name of the daemon's process that exports the
// menu, waiting for it to appear (or the process to exit).
func findMenu(t *testing.T, conn *dbus.Conn, d *proc.Daemon) *menu {
	t.Helper()
	pid, log := d.Cmd.Process.Pid, d.Log
	// Look again whenever a connection comes or an object says something
	// on the bus, and every 250 ms in case that was missed.
	born := make(chan *dbus.Signal, 64)
	matches := [][]dbus.MatchOption{
		{dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged")},
		{dbus.WithMatchObjectPath(menuPath)},
	}
	for _, m := range matches {
		if err := conn.AddMatchSignal(m...); err != nil {
			t.Fatal(err)
		}
	}
	conn.Signal(born)
	defer func() {
		conn.RemoveSignal(born)
		for _, m := range matches {
			conn.RemoveMatchSignal(m...)
		}
	}()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		var names []string
		if err := call(10*time.Second, conn.BusObject(), "org.freedesktop.DBus.ListNames").Store(&names); err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if !strings.HasPrefix(name, ":") {
				continue
			}
			var p uint32
			if err := call(10*time.Second, conn.BusObject(), "org.freedesktop.DBus.GetConnectionUnixProcessID", name).Store(&p); err != nil || int(p) != pid {
				continue
			}
			// The process may have several connections (its notifier's,
			// too): the menu's is the one that answers GetLayout. While
			// the menu is being exported, a GetLayout can go unanswered
			// (seen under load: a second call at once is answered), so
			// ask with a short timeout and again.
			var rev uint32
			var layout any
			if err := call(time.Second, conn.Object(name, menuPath), menuIface+".GetLayout", int32(0), int32(0), []string{}).Store(&rev, &layout); err != nil {
				continue
			}
			m := &menu{t: t, conn: conn, dest: name, sigs: make(chan *dbus.Signal, 64)}
			if err := conn.AddMatchSignal(dbus.WithMatchSender(name)); err != nil {
				t.Fatal(err)
			}
			conn.Signal(m.sigs)
			t.Cleanup(func() {
				conn.RemoveSignal(m.sigs)
				conn.RemoveMatchSignal(dbus.WithMatchSender(name))
			})
			return m
		}
		select {
		case <-d.Done():
			t.Fatalf("mindful run exited (%v) before its menu showed on the bus:\n%s", d.Err(), log)
		case <-deadline:
			t.Fatalf("no tray menu on the bus from pid %d within 30 s:\n%s", pid, log)
		case <-born:
		case <-tick.C:
		}
	}
}

func (m *menu) snapshot() (snapshot, error) {
	var rev uint32
	var layout any
	err := call(2*time.Second, m.conn.Object(m.dest, menuPath), menuIface+".GetLayout", int32(0), int32(-1), []string{}).Store(&rev, &layout)
	if err != nil {
		return snapshot{}, err
	}
	root, err := parseNode(layout)
	if err != nil {
		return snapshot{}, err
	}
	s := snapshot{root: root}
	var v dbus.Variant
	if err := call(2*time.Second, m.conn.Object(m.dest, itemPath), "org.freedesktop.DBus.Properties.Get", sniIface, "XAyatanaLabel").Store(&v); err != nil {
		return snapshot{}, err
	}
	s.title, _ = v.Value().(string)
	return s, nil
}

// wait waits until ok holds for what the shell shows. It looks again on
// every signal from the app (LayoutUpdated, ItemsPropertiesUpdated,
// XAyatanaNewLabel, …), and every 250 ms in case one was missed.
func (m *menu) wait(what string, timeout time.Duration, ok func(snapshot) bool) snapshot {
	m.t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var last snapshot
	for {
		s, err := m.snapshot()
		if err == nil {
			last = s
			if ok(s) {
				return s
			}
		}
		select {
		case <-m.sigs:
		case <-tick.C:
		case <-deadline:
			m.t.Fatalf("timed out after %s waiting for %s; the tray shows:\n%s(last error: %v)", timeout, what, last, err)
		}
	}
}

// click clicks the visible, enabled item labelled label, as a shell does.
func (m *menu) click(label string) {
	m.t.Helper()
	s := m.wait("an item "+label, 5*time.Second, func(s snapshot) bool {
		n := s.root.find(label)
		return n != nil && n.visible() && n.enabled()
	})
	n := s.root.find(label)
	if err := call(10*time.Second, m.conn.Object(m.dest, menuPath), menuIface+".Event", n.ID, "clicked", dbus.MakeVariant(int32(0)), uint32(time.Now().Unix())).Err; err != nil {
		m.t.Fatalf("click %q: %v", label, err)
	}
}
