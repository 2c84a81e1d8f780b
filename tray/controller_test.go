package tray

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// fakeDaemon pushes the statuses sent on push and records calls.
type fakeDaemon struct {
	push    chan api.Status
	calls   chan string
	mu      sync.Mutex
	pairing api.Pairing
	breaks  api.Breaks
	fail    error
}

func newFakeDaemon() *fakeDaemon {
	return &fakeDaemon{push: make(chan api.Status), calls: make(chan string, 16)}
}

func (f *fakeDaemon) Watch(ctx context.Context, fn func(api.Status)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case st := <-f.push:
			fn(st)
		}
	}
}

func (f *fakeDaemon) Breaks(ctx context.Context) (api.Breaks, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.breaks, nil
}

func (f *fakeDaemon) Pairing(ctx context.Context) (api.Pairing, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pairing, nil
}

func (f *fakeDaemon) call(s string) error {
	f.calls <- s
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail
}

func (f *fakeDaemon) StartBreak(ctx context.Context, req api.BreakStartRequest) (api.Status, error) {
	until := ""
	if req.Until != nil {
		until = req.Until.UTC().Format(time.RFC3339)
	}
	return api.Status{}, f.call(fmt.Sprintf("start for=%q until=%s name=%q", req.For, until, req.Name))
}

func (f *fakeDaemon) PausePrompts(ctx context.Context, until time.Time) (api.Status, error) {
	return api.Status{}, f.call("pause until " + until.UTC().Format(time.RFC3339))
}

func (f *fakeDaemon) ResumePrompts(ctx context.Context) (api.Status, error) {
	return api.Status{}, f.call("resume")
}

func (f *fakeDaemon) Approve(ctx context.Context, code string) (api.PairedClient, error) {
	return api.PairedClient{}, f.call("approve " + code)
}

func (f *fakeDaemon) DashboardLink(ctx context.Context, page, date string) (api.DashboardLink, error) {
	err := f.call(fmt.Sprintf("link page=%s date=%s", page, date))
	return api.DashboardLink{URL: "http://127.0.0.1:17717/login#one-time-" + page}, err
}

// fakeAutostart is the installer's start-at-login entry, in memory.
type fakeAutostart struct {
	mu  sync.Mutex
	on  bool
	err error
}

func (a *fakeAutostart) Enabled() (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.on, a.err
}

func (a *fakeAutostart) Set(on bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	a.on = on
	return nil
}

type fakeView struct{ menus chan Menu }

func (v *fakeView) Apply(m Menu) {
	select {
	case v.menus <- m:
	default: // the test only looks at the newest
		select {
		case <-v.menus:
		default:
		}
		v.menus <- m
	}
}

type fakeNotifier struct{ got chan notice }

func (n *fakeNotifier) Notify(key, summary, body string) { n.got <- notice{key, summary, body} }
func (n *fakeNotifier) Close()                           {}

type harness struct {
	t      *testing.T
	d      *fakeDaemon
	v      *fakeView
	n      *fakeNotifier
	c      *controller
	a      *fakeAutostart
	quits  chan struct{}
	opened chan string
}

func startController(t *testing.T) *harness {
	h := &harness{
		t: t, d: newFakeDaemon(), v: &fakeView{menus: make(chan Menu, 1)}, n: &fakeNotifier{got: make(chan notice, 16)},
		a: &fakeAutostart{}, quits: make(chan struct{}, 1), opened: make(chan string, 4),
	}
	h.c = newController(Config{
		Daemon: h.d, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Quit:      func() { h.quits <- struct{}{} },
		Open:      func(url string) error { h.opened <- url; return nil },
		Autostart: h.a,
		Now:       func() time.Time { return now },
		Notifier:  h.n,
	}, h.v)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.c.run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// waitMenu waits for a menu for which ok holds.
func (h *harness) waitMenu(what string, ok func(Menu) bool) Menu {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-h.v.menus:
			if ok(m) {
				return m
			}
		case <-deadline:
			h.t.Fatalf("no menu with %s", what)
		}
	}
}

func (h *harness) waitCall(want string) {
	h.t.Helper()
	select {
	case got := <-h.d.calls:
		if got != want {
			h.t.Fatalf("daemon call %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		h.t.Fatalf("no daemon call %q", want)
	}
}

func (h *harness) waitNotice(summary string) notice {
	h.t.Helper()
	select {
	case n := <-h.n.got:
		if n.summary != summary {
			h.t.Fatalf("notification %+v, want %q", n, summary)
		}
		return n
	case <-time.After(5 * time.Second):
		h.t.Fatalf("no notification %q", summary)
	}
	return notice{}
}

func (h *harness) noNotice() {
	h.t.Helper()
	select {
	case n := <-h.n.got:
		h.t.Fatalf("unexpected notification %+v", n)
	default:
	}
}

func TestControllerFollowsTheDaemon(t *testing.T) {
	h := startController(t)
	st := connected()
	h.d.push <- st
	h.waitMenu("the normal icon", func(m Menu) bool { return m.Icon == IconNormal })
	h.noNotice()

	// A break starts (from anywhere): the menu follows and a notification says so.
	st.Break = api.BreakStatus{Active: true, EndsAt: at("16:00")}
	h.d.push <- st
	h.waitMenu("the break", func(m Menu) bool { return m.Title == "Break · 1h 20m" && m.Items[ItemBreakMode].Checked })
	start := h.waitNotice("Break started")
	if start.body != "Until 16:00. Your feeds stay closed until then." {
		t.Errorf("start body %q", start.body)
	}
	// It ends: the notification replaces the first one.
	st.Break = api.BreakStatus{}
	h.d.push <- st
	h.waitMenu("no break", func(m Menu) bool { return !m.Items[ItemBreakMode].Checked })
	if end := h.waitNotice("Break over"); end.key != start.key {
		t.Errorf("keys %q and %q: the end does not replace the start", start.key, end.key)
	}
}

func TestControllerClicks(t *testing.T) {
	h := startController(t)
	st := connected()
	h.d.push <- st
	h.waitMenu("the normal icon", func(m Menu) bool { return m.Icon == IconNormal })

	h.c.Click(ItemBreak15m)
	h.waitCall(`start for="15m" until= name=""`)
	h.c.Click(ItemBreakMorning)
	h.waitCall(`start for="until 08:00" until= name=""`)
	h.c.Click(ItemBreakMode)
	h.waitCall(`start for="" until= name=""`)
	h.c.Click(ItemPrompts)
	h.waitCall("pause until " + now.Add(time.Hour).UTC().Format(time.RFC3339))
	// Disabled items do nothing.
	h.c.Click(ItemStatus)
	h.c.Click(ItemApprove0) // hidden
	// A scheduled break, started early.
	h.d.mu.Lock()
	h.d.breaks = api.Breaks{Upcoming: []api.NextBreak{{Name: "Evening", StartsAt: *at("21:00"), EndsAt: at("22:00")}}}
	h.d.mu.Unlock()
	st.PromptsPausedUntil = at("15:40")
	h.d.push <- st
	h.waitMenu("the scheduled break", func(m Menu) bool { return m.Scheduled()[0].Visible && m.Items[ItemPrompts].Label == "Resume prompts" })
	h.c.Click(ItemScheduled0)
	h.waitCall(`start for="" until=2026-03-04T20:00:00Z name="Evening"`)
	h.c.Click(ItemPrompts)
	h.waitCall("resume")

	// On a break, unchecking break mode keeps the break and says how to end it.
	st.Break = api.BreakStatus{Active: true}
	h.d.push <- st
	h.waitMenu("break mode", func(m Menu) bool { return m.Items[ItemBreakMode].Checked })
	h.waitNotice("Break started")
	h.c.Click(ItemBreakMode)
	if n := h.waitNotice("Your break goes on"); n.body != English.HintEndEarly {
		t.Errorf("keep-break body %q", n.body)
	}
	select {
	case c := <-h.d.calls:
		t.Fatalf("unchecking break mode called the daemon: %s", c)
	default:
	}

	h.c.Click(ItemQuit)
	select {
	case <-h.quits:
	case <-time.After(5 * time.Second):
		t.Fatal("Quit did not call cfg.Quit")
	}
}

func TestControllerPairing(t *testing.T) {
	h := startController(t)
	h.d.mu.Lock()
	h.d.pairing = api.Pairing{Pending: []api.PendingPairing{{Code: "042137", Browser: "chromium", ExpiresAt: now.Add(time.Minute)}}}
	h.d.mu.Unlock()
	st := connected()
	st.PendingPairings = 1
	h.d.push <- st
	m := h.waitMenu("an approval", func(m Menu) bool { return m.Approvals()[0].Visible })
	if got := m.Approvals()[0].Label; got != "Approve 042137 (chromium, no origin: a local program)" {
		t.Errorf("slot label %q", got)
	}
	n := h.waitNotice("chromium asks to pair with mindful")
	if n.body != "Approve it in the tray menu (Pair a browser…) only if your browser shows 042137." {
		t.Errorf("pairing body %q", n.body)
	}
	// The same request again: no second notification.
	h.d.push <- st
	h.waitMenu("an approval", func(m Menu) bool { return m.Approvals()[0].Visible })
	h.noNotice()

	// A failed call says so.
	h.d.mu.Lock()
	h.d.fail = errors.New("no such code")
	h.d.mu.Unlock()
	h.c.Click(ItemApprove0)
	h.waitCall("approve 042137")
	if n := h.waitNotice("mindful"); n.body != "Could not approve the pairing: no such code" {
		t.Errorf("failure body %q", n.body)
	}
}

func TestControllerDashboardAndCheckin(t *testing.T) {
	h := startController(t)
	st := connected()
	h.d.push <- st
	h.waitMenu("the reflection item", func(m Menu) bool {
		return m.Items[ItemReflection].Enabled && m.Items[ItemReflection].Label == "Today's reflection…"
	})

	h.c.Click(ItemDashboard)
	h.waitCall("link page=history date=")
	if url := <-h.opened; url != "http://127.0.0.1:17717/login#one-time-history" {
		t.Fatalf("opened %q", url)
	}

	// The check-in becomes due: one notification per day, and the item
	// opens Today for that day.
	st.Checkin = api.Checkin{Due: true, Date: "2026-11-23"}
	h.d.push <- st
	h.waitMenu("the waiting reflection", func(m Menu) bool { return m.Items[ItemReflection].Label == "Today's reflection… (waiting for you)" })
	h.waitNotice("What did you notice today?")
	h.d.push <- st
	h.waitMenu("the same status again", func(m Menu) bool { return m.Items[ItemReflection].Enabled })
	h.noNotice()
	h.c.Click(ItemReflection)
	h.waitCall("link page=today date=2026-11-23")
	<-h.opened

	// A failing daemon: the user hears why, and no browser opens.
	h.d.mu.Lock()
	h.d.fail = errors.New("daemon gone")
	h.d.mu.Unlock()
	h.c.Click(ItemDashboard)
	h.waitCall("link page=history date=")
	if n := h.waitNotice("mindful"); n.body != "Could not open the dashboard: daemon gone" {
		t.Fatalf("failure notice %q", n.body)
	}
	select {
	case u := <-h.opened:
		t.Fatalf("opened %q after a failure", u)
	default:
	}
}

func TestControllerStartAtLogin(t *testing.T) {
	h := startController(t)
	h.d.push <- connected()
	h.waitMenu("start at login, off", func(m Menu) bool {
		it := m.Items[ItemStartLogin]
		return it.Enabled && !it.Checked
	})
	h.c.Click(ItemStartLogin)
	h.waitMenu("start at login, on", func(m Menu) bool { return m.Items[ItemStartLogin].Checked })
	if on, _ := h.a.Enabled(); !on {
		t.Fatal("the autostart entry was not written")
	}
	h.c.Click(ItemStartLogin)
	h.waitMenu("start at login, off again", func(m Menu) bool { return !m.Items[ItemStartLogin].Checked })
	if on, _ := h.a.Enabled(); on {
		t.Fatal("the autostart entry was not removed")
	}

	// When it cannot be read, the item is disabled.
	h.a.mu.Lock()
	h.a.err = errors.New("permission denied")
	h.a.mu.Unlock()
	h.c.Click(ItemStartLogin)
	h.waitNotice("mindful")
	h.waitMenu("start at login, disabled", func(m Menu) bool { return !m.Items[ItemStartLogin].Enabled })
}
