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
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/checkin"
	"github.com/mindful-app/mindful/daemon/internal/control"
	"github.com/mindful-app/mindful/daemon/internal/devicesync"
	"github.com/mindful-app/mindful/daemon/internal/extstate"
	"github.com/mindful-app/mindful/daemon/internal/instance"
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
	if !admission.IsLoopback(host) {
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
// closed with 1001, the background loops stop (queued writes and pending
// sync are written), the database is closed.
//
// Services publish what they change on one change bus and never call back
// here; Run only builds them, each from those built before it, and starts
// their loops. See docs/architecture.md.
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
	st, dmg, err := d.openStore(ctx)
	if err != nil {
		return err
	}
	if dmg != nil {
		return d.runDamaged(ctx, shutdown, *dmg)
	}
	defer st.Close()
	// The control token is written after the database exists, so a token
	// beside a missing database means the database was lost.
	ctlToken, err := datadir.ControlToken(dir)
	if err != nil {
		return err
	}
	loops := newLoops(ctx, d.log)
	defer loops.Stop() // before the store closes
	lastAlive := d.endLastRun(ctx, st)
	loops.Go("heartbeat", func(ctx context.Context) { d.heartbeat(ctx, st) })
	ln, err := d.listen()
	if err != nil {
		return err
	}

	bus := &changes.Bus{}
	states, err := state.New(ctx, st, time.Now, bus)
	if err != nil {
		return err
	}
	brk := breaks.New(breaks.Config{Store: st, Changes: bus})
	sums := summary.New(summary.Config{Store: st, State: states, Breaks: brk, Logger: d.log.With("component", "summary"), Changes: bus})
	if err := sums.Load(ctx); err != nil {
		return err
	}
	chk := checkin.New(checkin.Config{Store: st, Times: sums.CheckinTimes, Reflected: sums.Reflected, Changes: bus})
	ext := extstate.New(states, brk, bus)
	pairings := &auth.Pairings{}
	hub := wsapi.New(wsapi.Config{
		Store: st, Pairings: pairings, Origins: admission.DefaultOriginPolicy(), Version: version.Version,
		Log: d.log.With("component", "ws"), PingInterval: d.cfg.PingInterval,
		State: ext.State, MatchFeed: states.Match, Breaks: brk, Changes: bus,
		StoreFullURLs: sums.StoreFullURLs, Damaged: refuseWhenDamaged(st),
	})
	// Sharing with the user's other devices through a folder they sync.
	syn, err := devicesync.New(devicesync.Config{
		Store: st, File: filepath.Join(dir, devicesync.File), Logger: d.log.With("component", "sync"),
		Changes: bus, Interval: d.cfg.SyncInterval, EventDelay: d.cfg.SyncEventDelay,
	})
	if err != nil {
		return err
	}
	dash := web.New(web.Config{
		Summaries: sums, Settings: sums, Data: sums, Breaks: brk, Feeds: states, Checkin: chk, Sync: syn,
		Logger: d.log.With("component", "dashboard"),
	})
	ctl := &control.Server{
		Token: ctlToken, Store: st, State: states, Breaks: brk, Changes: bus, Hub: hub, Pairings: pairings,
		Version: version.Version, Addr: d.addr, DataDir: dir, StartedAt: time.Now(), Now: time.Now, Summary: sums,
		Shutdown: shutdown, Dashboard: dash, Checkin: chk, Sync: syn,
		Database: func() api.Database { return storeHealth(st) },
	}

	loops.Go("feeds", func(ctx context.Context) { states.Run(ctx, d.log) })
	loops.Go("extension state", func(ctx context.Context) { ext.Run(ctx, hub) })
	loops.Go("breaks", brk.Watch)
	loops.Go("checkin", func(ctx context.Context) { chk.Watch(ctx, lastAlive) })
	loops.Go("prune", sums.RunPrune)
	loops.Go("sync", syn.Run) // writes out what is pending when it stops
	mux := http.NewServeMux()
	mux.Handle("/api/", ctl.Handler())
	mux.Handle("GET /ws", hub)
	mux.Handle("/", dash.Handler())
	return d.serve(ctx, ln, mux, hub)
}

// openStore opens the database. A damaged database is never used: it
// returns what is wrong instead, and the daemon then only says so (log,
// status, tray) and stores nothing until it is recovered.
func (d *Daemon) openStore(ctx context.Context) (*store.Store, *api.Database, error) {
	path := filepath.Join(d.cfg.DataDir, datadir.DBFile)
	if dmg, err := d.checkDatabase(ctx, d.cfg.DataDir, path); err != nil || dmg != nil {
		return nil, dmg, err
	}
	st, err := store.Open(ctx, path, store.Options{Logger: d.log, BusyTimeout: d.cfg.BusyTimeout})
	if errors.Is(err, store.ErrDamaged) {
		dmg := damagedDB(path, err.Error(), time.Now())
		return nil, &dmg, nil
	}
	return st, nil, err
}

// endLastRun ends the browser sessions left open by a daemon that died, at
// its last heartbeat, and returns that time (now on a first run).
func (d *Daemon) endLastRun(ctx context.Context, st *store.Store) time.Time {
	lastAlive := time.Now()
	if v, err := st.Setting(ctx, keyAliveAt, ""); err == nil && v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			lastAlive = t
		}
	}
	if err := st.CloseDanglingSessions(ctx, lastAlive); err != nil {
		d.log.Warn("could not close sessions of the last run", "err", err)
	}
	return lastAlive
}

// listen opens the daemon's port and tells clients where it is.
func (d *Daemon) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", d.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is another program using the port? pick one with --addr)", d.cfg.Addr, err)
	}
	d.addr = ln.Addr().String()
	if err := datadir.WriteAddr(d.cfg.DataDir, d.addr); err != nil {
		d.log.Warn("the daemon's address was not written for clients", "err", err)
	}
	return ln, nil
}

// refuseWhenDamaged is the socket's check before it stores anything: an
// error once the store has found its database damaged.
func refuseWhenDamaged(st *store.Store) func() error {
	return func() error {
		if dmg := st.Damage(); dmg != nil {
			return fmt.Errorf("mindful's database is damaged (%s); nothing is stored until it is recovered", dmg.Problem)
		}
		return nil
	}
}

// serve serves mux on ln until ctx ends, then closes the sockets and the
// server.
func (d *Daemon) serve(ctx context.Context, ln net.Listener, mux http.Handler, hub *wsapi.Hub) error {
	_, port, _ := net.SplitHostPort(d.addr)
	srv := &http.Server{
		Handler: admission.Hosts(port, mux),
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
