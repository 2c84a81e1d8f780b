package tray

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// Daemon is the part of daemon/client's Client that the tray uses.
type Daemon interface {
	Watch(ctx context.Context, fn func(api.Status)) error
	Breaks(ctx context.Context) (api.Breaks, error)
	Pairing(ctx context.Context) (api.Pairing, error)
	StartBreak(ctx context.Context, req api.BreakStartRequest) (api.Status, error)
	PausePrompts(ctx context.Context, until time.Time) (api.Status, error)
	ResumePrompts(ctx context.Context) (api.Status, error)
	Approve(ctx context.Context, code string) (api.PairedClient, error)
	DashboardLink(ctx context.Context, page, date string) (api.DashboardLink, error)
}

// Autostart reads and changes whether mindful starts at login (the
// installer package does it; see cmd/mindful).
type Autostart interface {
	Enabled() (bool, error)
	Set(on bool) error
}

// Config configures the tray.
type Config struct {
	Daemon Daemon       // the daemon's control API (a *client.Client)
	Log    *slog.Logger // nil: slog.Default()
	// Quit is called when the user picks Quit; it should stop the daemon.
	// The tray itself ends when Run's context ends.
	Quit func()
	// Open opens a URL in the user's browser (the dashboard's one-time
	// link); nil leaves the dashboard items without effect.
	Open func(url string) error
	// Autostart backs the "Start at login" item; nil leaves it disabled.
	Autostart Autostart
	// Optional, for tests.
	Now      func() time.Time
	Labels   *Labels
	Notifier Notifier // nil: desktop notifications over D-Bus, where there are any
}

// View shows a Menu; the real one is the systray icon.
type View interface {
	Apply(Menu)
}

// callTimeout bounds one call to the daemon.
const callTimeout = 15 * time.Second

// controller keeps the menu in step with the daemon and turns clicks into
// calls to it. One goroutine (run) owns its state.
type controller struct {
	cfg    Config
	l      *Labels
	log    *slog.Logger
	view   View
	notify Notifier

	statuses chan api.Status // the newest status, at most one waiting
	clicks   chan ItemID
	acts     sync.WaitGroup

	// Owned by run.
	st      *api.Status
	breaks  api.Breaks
	pairing api.Pairing
	menu    Menu
	seen    map[string]bool // pairing codes and check-in days already announced

	autostartKnown, autostartOn bool
}

func newController(cfg Config, view View) *controller {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Labels == nil {
		cfg.Labels = &English
	}
	if cfg.Quit == nil {
		cfg.Quit = func() {}
	}
	c := &controller{
		cfg: cfg, l: cfg.Labels, log: cfg.Log, view: view, notify: cfg.Notifier,
		statuses: make(chan api.Status, 1),
		clicks:   make(chan ItemID, 16),
		seen:     map[string]bool{},
	}
	if c.notify == nil {
		c.notify = NewNotifier(cfg.Log, cfg.Labels.NotifyApp)
	}
	c.menu = c.l.Build(api.Status{}, api.Breaks{}, api.Pairing{}, cfg.Now())
	return c
}

// Click is called by the view when an item is clicked; it never blocks.
func (c *controller) Click(id ItemID) {
	select {
	case c.clicks <- id:
	default:
		c.log.Warn("tray click dropped: too many at once", "item", id)
	}
}

// run keeps the view up to date until ctx ends.
func (c *controller) run(ctx context.Context) {
	defer c.notify.Close()
	defer c.acts.Wait()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.watch(ctx) }()
	defer wg.Wait()

	c.readAutostart()
	c.menu.SetAutostart(c.autostartKnown, c.autostartOn)
	c.view.Apply(c.menu)
	// The title shows the time left in minutes: redraw from the last
	// state as the clock moves, without asking the daemon (which pushes
	// every change, and a fresh status every 30 s).
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case st := <-c.statuses:
			c.update(ctx, st)
		case id := <-c.clicks:
			c.click(ctx, id)
		case <-tick.C:
			if c.st != nil {
				c.render()
			}
		}
	}
}

// watch follows the daemon's status stream, reconnecting when it breaks.
func (c *controller) watch(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for {
		start := time.Now()
		err := c.cfg.Daemon.Watch(ctx, func(st api.Status) {
			select {
			case <-c.statuses: // drop the older one
			default:
			}
			c.statuses <- st
		})
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > 10*time.Second {
			backoff = 100 * time.Millisecond
		}
		c.log.Debug("status stream ended; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// update takes a new status: it fetches what the status only counts (the
// schedule, the pairing requests), redraws and notifies.
func (c *controller) update(ctx context.Context, st api.Status) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if b, err := c.cfg.Daemon.Breaks(cctx); err == nil {
		c.breaks = b
	} else if ctx.Err() == nil {
		c.log.Warn("tray: cannot list breaks", "err", err)
	}
	if st.PendingPairings > 0 {
		if p, err := c.cfg.Daemon.Pairing(cctx); err == nil {
			c.pairing = p
		} else if ctx.Err() == nil {
			c.log.Warn("tray: cannot list pairing requests", "err", err)
		}
	} else {
		c.pairing = api.Pairing{}
	}
	prev := c.st
	c.st = &st
	c.render()
	for _, n := range notices(c.l, prev, st, c.pairing, c.seen, c.cfg.Now()) {
		c.notify.Notify(n.key, n.summary, n.body)
	}
}

func (c *controller) render() {
	st := api.Status{}
	if c.st != nil {
		st = *c.st
	}
	c.menu = c.l.Build(st, c.breaks, c.pairing, c.cfg.Now())
	c.menu.SetAutostart(c.autostartKnown, c.autostartOn)
	c.view.Apply(c.menu)
}

// readAutostart asks the installer whether mindful starts at login.
func (c *controller) readAutostart() {
	c.autostartKnown, c.autostartOn = false, false
	if c.cfg.Autostart == nil {
		return
	}
	on, err := c.cfg.Autostart.Enabled()
	if err != nil {
		c.log.Warn("tray: cannot tell whether mindful starts at login", "err", err)
		return
	}
	c.autostartKnown, c.autostartOn = true, on
}

// click runs the action of the item as it is shown now.
func (c *controller) click(ctx context.Context, id ItemID) {
	if id < 0 || id >= NumItems {
		return
	}
	it := c.menu.Items[id]
	if !it.Enabled || !it.Visible {
		return
	}
	a := it.Action
	switch a.Kind {
	case ActNone:
		return
	case ActQuit:
		c.log.Info("quit from the tray")
		c.cfg.Quit()
		return
	case ActKeepBreak:
		// The view has put the check mark back; say how to end it.
		c.notify.Notify("keep", c.l.NotifyKeepBreak, c.l.HintEndEarly)
		return
	case ActAutostart:
		// A small file (or registry value) written on the spot.
		if err := c.cfg.Autostart.Set(a.On); err != nil {
			c.log.Warn("tray: action failed", "action", c.l.FailAutostart, "err", err)
			c.notify.Notify("error", c.l.NotifyApp, fmt.Sprintf(c.l.NotifyFailedf, c.l.FailAutostart, err))
		}
		c.readAutostart()
		c.render()
		return
	}
	now := c.cfg.Now()
	c.acts.Add(1)
	go func() {
		defer c.acts.Done()
		actx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		var err error
		var what string
		switch a.Kind {
		case ActStartBreak:
			what = c.l.FailStartBreak
			_, err = c.cfg.Daemon.StartBreak(actx, a.Break)
		case ActPausePrompts:
			what = c.l.FailPause
			_, err = c.cfg.Daemon.PausePrompts(actx, now.Add(a.For))
		case ActResumePrompts:
			what = c.l.FailResume
			_, err = c.cfg.Daemon.ResumePrompts(actx)
		case ActApprove:
			what = c.l.FailApprove
			_, err = c.cfg.Daemon.Approve(actx, a.Code)
		case ActDashboard:
			what = c.l.FailDashboard
			err = c.openDashboard(actx, a.Page, a.Date)
		}
		if err != nil && ctx.Err() == nil {
			c.log.Warn("tray: action failed", "action", what, "err", err)
			c.notify.Notify("error", c.l.NotifyApp, fmt.Sprintf(c.l.NotifyFailedf, what, err))
		}
	}()
}

// openDashboard opens the dashboard page by a fresh one-time link.
func (c *controller) openDashboard(ctx context.Context, page, date string) error {
	if c.cfg.Open == nil {
		return fmt.Errorf("no way to open a browser here: run `mindful dashboard --print`")
	}
	l, err := c.cfg.Daemon.DashboardLink(ctx, page, date)
	if err != nil {
		return err
	}
	return c.cfg.Open(l.URL)
}

type notice struct{ key, summary, body string }

// notices are the desktop notifications for a change of status: a break
// starts or ends, a browser asks to pair, the evening check-in is due (once
// per day, also when it became due while the tray was not running). prev is
// nil for the first status.
func notices(l *Labels, prev *api.Status, cur api.Status, p api.Pairing, seen map[string]bool, now time.Time) []notice {
	var out []notice
	if prev != nil && !prev.Break.Active && cur.Break.Active {
		body := l.NotifyBreakOpen
		if cur.Break.EndsAt != nil {
			body = fmt.Sprintf(l.NotifyBreakUntilf, l.clock(*cur.Break.EndsAt, now))
		}
		out = append(out, notice{"break", l.NotifyBreakStart, body})
	}
	if prev != nil && prev.Break.Active && !cur.Break.Active {
		out = append(out, notice{"break", l.NotifyBreakEnd, l.NotifyBreakEndBody})
	}
	if db := cur.Database; db != nil && !db.OK && db.Problem != "" && !seen["database "+db.Problem] {
		seen["database "+db.Problem] = true
		out = append(out, notice{"database", l.NotifyDatabase, fmt.Sprintf(l.NotifyDatabasef, db.Problem, db.Path, db.Todo)})
	}
	if cur.Checkin.Due && !seen["checkin "+cur.Checkin.Date] {
		seen["checkin "+cur.Checkin.Date] = true
		out = append(out, notice{"checkin", l.NotifyCheckin, l.NotifyCheckinBody})
	}
	for _, r := range pendingPairings(p, now) {
		if seen[r.Code] {
			continue
		}
		seen[r.Code] = true
		browser := r.Browser
		if browser == "" {
			browser = l.UnknownBrowser
		}
		out = append(out, notice{"pair-" + r.Code, fmt.Sprintf(l.NotifyPairf, browser), fmt.Sprintf(l.NotifyPairBodyf, r.Code)})
	}
	return out
}
