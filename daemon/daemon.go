// Package daemon is mindful's local daemon: the single source of truth. It
// wires the store, the extension's WebSocket, the control API for the CLI
// and tray, and runs them on one loopback port until its context ends.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/checkin"
	"github.com/mindful-app/mindful/daemon/internal/control"
	"github.com/mindful-app/mindful/daemon/internal/devicesync"
	"github.com/mindful-app/mindful/daemon/internal/guard"
	"github.com/mindful-app/mindful/daemon/internal/instance"
	"github.com/mindful-app/mindful/daemon/internal/notify"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/state"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/summary"
	"github.com/mindful-app/mindful/daemon/internal/web"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
	"github.com/mindful-app/mindful/daemon/version"
)

// DefaultAddr is where the daemon listens unless told otherwise.
const DefaultAddr = "127.0.0.1:17717"

// Config configures a Daemon.
type Config struct {
	Addr    string // loopback host:port; port 0 picks a free one
	DataDir string // resolved data directory
	Logger  *slog.Logger

	// Tuning, for tests; zero means the protocol's defaults.
	PingInterval time.Duration
	BusyTimeout  time.Duration
	// Sharing between devices: how often the synced folder is read, and
	// how long events wait to be written out together.
	SyncInterval   time.Duration
	SyncEventDelay time.Duration
}

// Daemon is a configured daemon; Run starts it.
type Daemon struct {
	cfg   Config
	log   *slog.Logger
	ready chan struct{}
	addr  string
}

// New checks cfg. It refuses to listen on anything but a loopback address.
func New(cfg Config) (*Daemon, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: want HOST:PORT (%v)", cfg.Addr, err)
	}
	if !guard.IsLoopback(host) {
		return nil, fmt.Errorf("--addr %q: mindful only listens on a loopback address (127.0.0.1, ::1 or localhost), never on %q", cfg.Addr, host)
	}
	if strings.EqualFold(host, "localhost") {
		cfg.Addr = net.JoinHostPort("127.0.0.1", port)
	}
	if cfg.DataDir == "" {
		return nil, errors.New("no data directory")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Daemon{cfg: cfg, log: cfg.Logger, ready: make(chan struct{})}, nil
}

// Ready is closed once the daemon is listening; Addr is then valid.
func (d *Daemon) Ready() <-chan struct{} { return d.ready }

// Addr is the address the daemon listens on, after Ready.
func (d *Daemon) Addr() string { return d.addr }

// Run runs the daemon until ctx ends, then shuts down cleanly: sockets are
// closed with 1001, queued writes are committed, the database is closed.
func (d *Daemon) Run(ctx context.Context) error {
	// POST /api/v1/shutdown (mindful uninstall) ends the run like ctx does.
	ctx, shutdown := context.WithCancel(ctx)
	defer shutdown()
	dir := d.cfg.DataDir
	if err := datadir.Ensure(dir); err != nil {
		return err
	}
	lock, err := instance.Acquire(filepath.Join(dir, datadir.LockFile))
	if err != nil {
		return err
	}
	defer lock.Release()

	// A damaged database is never used: the daemon then only says what is
	// wrong (log, status, tray) and stores nothing until it is recovered.
	dbPath := filepath.Join(dir, datadir.DBFile)
	if dmg, err := d.checkDatabase(ctx, dir, dbPath); err != nil {
		return err
	} else if dmg != nil {
		return d.runDamaged(ctx, shutdown, *dmg)
	}
	st, err := store.Open(ctx, dbPath, store.Options{Logger: d.log, BusyTimeout: d.cfg.BusyTimeout})
	if errors.Is(err, store.ErrDamaged) {
		return d.runDamaged(ctx, shutdown, damagedDB(dbPath, err.Error(), time.Now()))
	}
	if err != nil {
		return err
	}
	defer st.Close()
	// The control token is written after the database exists, so a token
	// beside a missing database means the database was lost.
	ctlToken, err := datadir.ControlToken(dir)
	if err != nil {
		return err
	}

	// Browser sessions left open by a daemon that died end at its last
	// heartbeat; from now on the heartbeat is written every minute.
	lastAlive := time.Now()
	if v, err := st.Setting(ctx, keyAliveAt, ""); err == nil && v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			lastAlive = t
		}
	}
	if err := st.CloseDanglingSessions(ctx, lastAlive); err != nil {
		d.log.Warn("could not close sessions of the last run", "err", err)
	}
	go d.heartbeat(ctx, st)

	ln, err := net.Listen("tcp", d.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another program using the port? pick one with --addr)", d.cfg.Addr, err)
	}
	d.addr = ln.Addr().String()
	if err := datadir.WriteAddr(dir, d.addr); err != nil {
		d.log.Warn("the daemon's address was not written for clients", "err", err)
	}

	// The state service tells browsers about changes through the hub, and
	// the hub asks the service for the state: broadcast links the two once
	// both exist. The hub coalesces a burst of changes into one state.
	var hub *wsapi.Hub
	var hubReady atomic.Pointer[wsapi.Hub] // hub, once it exists (watchers start first)
	var states *state.Service
	changes := &notify.Hub{}
	broadcast := func() {
		changes.Publish()
		if h := hubReady.Load(); h != nil {
			h.StateChanged()
		}
	}
	states, err = state.New(ctx, st, time.Now, broadcast)
	if err != nil {
		return err
	}
	brk := breaks.New(breaks.Config{Store: st, DefaultSites: states.DefaultSites, Changed: broadcast})
	states.SetBreaks(func(ctx context.Context, ps *protocol.State) error {
		bs, until, err := brk.ForExtension(ctx)
		if err != nil {
			return err
		}
		reason, err := brk.Reason(ctx)
		if err != nil {
			return err
		}
		used, limit, err := brk.EarlyEndsThisWeek(ctx)
		if err != nil {
			return err
		}
		ps.Breaks, ps.BreaksUntil, ps.BreakReason = bs, until, reason
		ps.EarlyEnd = protocol.EarlyEndRule{WaitSeconds: int(breaks.EarlyEndWait.Seconds()), LeftThisWeek: max(0, limit-used)}
		return nil
	})
	go brk.Watch(ctx)
	// The evening check-in reads the summary's settings and reflections;
	// a changed setting (check-in time, day start) or deleted data makes it
	// look again at once.
	var sums *summary.Service
	chk := checkin.New(checkin.Config{
		Store: st,
		Times: func(ctx context.Context) (string, string, error) {
			set, err := sums.Settings(ctx)
			return set.DayStart, set.CheckinTime, err
		},
		Reflected: func(ctx context.Context, date string) (bool, error) {
			day, err := sums.Day(ctx, date)
			return day.Reflection != "", err
		},
		Changed: changes.Publish,
	})
	// The daily summary, the user's settings, export and deletion; old
	// events are pruned once a day when a retention is set.
	sums = summary.New(summary.Config{Store: st, State: states, Breaks: brk, Logger: d.log.With("component", "summary"), Changed: func() {
		broadcast()
		chk.Refresh()
		brk.Refresh() // deleting all data deletes the breaks too
	}})
	if err := sums.Load(ctx); err != nil {
		return err
	}
	go sums.RunPrune(ctx)

	pairings := &auth.Pairings{}
	hub = wsapi.New(wsapi.Config{
		Store:        st,
		Pairings:     pairings,
		Origins:      guard.DefaultOriginPolicy(),
		Version:      version.Version,
		Log:          d.log.With("component", "ws"),
		PingInterval: d.cfg.PingInterval,
		State:        states.State,
		MatchFeed:    states.Match,
		// A new answer may change today's habit count, which sets the
		// length of the breathing pause in every browser.
		PromptAnswered: broadcast,
		Breaks:         brk,
		Changed:        changes.Publish,
		StoreFullURLs:  sums.StoreFullURLs,
		Damaged: func() error {
			if dmg := st.Damage(); dmg != nil {
				return fmt.Errorf("mindful's database is damaged (%s); nothing is stored until it is recovered", dmg.Problem)
			}
			return nil
		},
	})
	hubReady.Store(hub)

	// Sharing with the user's other devices through a folder they sync:
	// local changes go out, other devices' changes come in and are
	// broadcast like local ones. Run ends with ctx; the store closes after.
	syncKicks, unsubscribe := changes.Subscribe()
	defer unsubscribe()
	syn, err := devicesync.New(devicesync.Config{
		Store: st, File: filepath.Join(dir, devicesync.File), Logger: d.log.With("component", "sync"),
		Kicks: syncKicks, Interval: d.cfg.SyncInterval, EventDelay: d.cfg.SyncEventDelay,
		// An import may change the feed list (which the matcher caches),
		// breaks (Reload tells the browsers either way; the break watcher
		// sets its timer again) and today's reflection (the check-in looks
		// again).
		Changed: func() {
			if err := states.Reload(ctx); err != nil {
				d.log.Warn("state not reloaded after an import", "err", err)
			}
			brk.Refresh() // an imported break or rule moves the next transition
			chk.Refresh()
		},
	})
	if err != nil {
		return err
	}
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); syn.Run(ctx) }()
	defer func() { shutdown(); <-syncDone }()
	// The dashboard (served at /) and the check-in's clock.
	go chk.Watch(ctx, lastAlive)
	dash := web.New(web.Config{
		Summaries: sums, Settings: sums, Data: sums, Breaks: brk, Feeds: states, Checkin: chk, Sync: syn,
		Logger: d.log.With("component", "dashboard"),
	})
	ctl := &control.Server{
		Token: ctlToken, Store: st, State: states, Breaks: brk, Changes: changes, Hub: hub, Pairings: pairings,
		Version: version.Version, Addr: d.addr, DataDir: dir, StartedAt: time.Now(), Now: time.Now, Summary: sums,
		Shutdown: shutdown, Dashboard: dash, Checkin: chk, Sync: syn,
		Database: func() api.Database { return storeHealth(st) },
	}

	mux := http.NewServeMux()
	mux.Handle("/api/", ctl.Handler())
	mux.Handle("GET /ws", hub)
	mux.Handle("/", dash.Handler())
	return d.serve(ctx, ln, mux, hub)
}

// serve serves mux on ln until ctx ends, then closes the sockets and the
// server.
func (d *Daemon) serve(ctx context.Context, ln net.Listener, mux http.Handler, hub *wsapi.Hub) error {
	_, port, _ := net.SplitHostPort(d.addr)
	srv := &http.Server{
		Handler: guard.Hosts(port, mux),
		// Slow or idle connections are closed, so that a local process
		// cannot pile them up toward the file-descriptor limit. The
		// WebSocket (after the upgrade) and the status stream set their
		// own deadlines; exports get longer to write.
		ReadHeaderTimeout: HTTPReadHeaderTimeout,
		ReadTimeout:       HTTPReadTimeout,
		WriteTimeout:      HTTPWriteTimeout,
		IdleTimeout:       HTTPIdleTimeout,
		// Requests see the daemon's context, so long-lived ones (the
		// status stream) end when the daemon shuts down.
		BaseContext: func(net.Listener) context.Context { return ctx },
		ErrorLog:    slog.NewLogLogger(d.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	d.log.Info("mindful daemon listening", "addr", d.addr, "data_dir", d.cfg.DataDir, "version", version.Version)
	close(d.ready)

	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	}
	d.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	herr := hub.Shutdown(sctx)
	serr := srv.Shutdown(sctx)
	if err := errors.Join(herr, serr); err != nil {
		d.log.Warn("shutdown was not clean", "err", err)
	}
	d.log.Info("stopped")
	return nil
}

const keyAliveAt = "daemon.alive_at"

// The HTTP timeouts bound every connection: reading the headers, reading
// the whole request (a slow body), writing the answer, and waiting idle
// between keep-alive requests.
const (
	HTTPReadHeaderTimeout = 5 * time.Second
	HTTPReadTimeout       = 10 * time.Second
	HTTPWriteTimeout      = 20 * time.Second
	HTTPIdleTimeout       = 30 * time.Second
)

// heartbeat records every minute that the daemon is alive.
func (d *Daemon) heartbeat(ctx context.Context, st *store.Store) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := st.SetSetting(ctx, keyAliveAt, time.Now().UTC().Format(time.RFC3339)); err != nil && ctx.Err() == nil {
			d.log.Warn("heartbeat not written", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
