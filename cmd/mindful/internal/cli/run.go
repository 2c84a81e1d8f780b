package cli

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"

	"github.com/mindful-app/mindful/cmd/mindful/internal/shutdown"
	"github.com/mindful-app/mindful/daemon"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/installer"
	"github.com/mindful-app/mindful/tray"
)

// runDaemon is `mindful run`: the daemon in goroutines and, where a display
// can be opened, the tray icon on the main goroutine (which GTK and
// systray need, on the main OS thread). SIGINT, SIGTERM, Windows' close
// and log-off messages (package shutdown) and the tray's Quit all stop both
// cleanly.
func runDaemon(c *invocation, noTray bool) error {
	dir, err := datadir.Resolve(*c.dataDir)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if os.Getenv("MINDFUL_LOG") == "debug" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: level}))
	d, err := daemon.New(daemon.Config{Addr: *c.addr, DataDir: dir, Logger: log})
	if err != nil {
		return usageErr("%v", err)
	}
	withTray := false
	switch {
	case noTray:
		log.Info("running headless (--no-tray)")
	default:
		// Checked before anything starts: GTK must not exit the process
		// for want of a display once the daemon runs.
		if err := tray.Available(); err != nil {
			log.Info("running headless", "reason", err.Error())
		} else {
			withTray = true
		}
	}
	sctx, stop := shutdown.Notify(context.Background(), log)
	defer stop()
	if !withTray {
		return d.Run(sctx)
	}

	// Shut down clients before the server: the tray first (on a signal,
	// Quit, or the daemon's end), then the daemon.
	trayCtx, stopTray := context.WithCancel(sctx)
	defer stopTray()
	daemonCtx, stopDaemon := context.WithCancel(context.Background())
	defer stopDaemon()
	errc := make(chan error, 1)
	go func() {
		err := d.Run(daemonCtx)
		stopTray() // the daemon is gone: so is the tray
		errc <- err
	}()
	select {
	case <-d.Ready():
	case <-trayCtx.Done():
		stopDaemon()
		return <-errc
	}
	var terr error
	if cl, err := client.Open(d.Addr(), dir); err != nil {
		terr = err
	} else {
		terr = tray.Run(trayCtx, tray.Config{
			Daemon: cl, Log: log.With("component", "tray"), Quit: stopTray,
			Open: openURL, Autostart: autostart{},
		})
	}
	// A request the tray gave up on can leave a connection that never sent
	// anything, which http.Server.Shutdown waits 5 s for: close them.
	// (daemon/client's Client uses the default transport.)
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	stopDaemon()
	return errors.Join(<-errc, terr)
}

// openURL opens url in the user's browser, without waiting for it.
func openURL(url string) error {
	cmd, err := opener(url)
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// autostart is the tray's "Start at login", through the installer: the
// entry starts the running binary.
type autostart struct{}

func (autostart) Enabled() (bool, error) {
	env, err := installer.EnvFromOS()
	if err != nil {
		return false, err
	}
	return installer.AutostartEnabled(env)
}

func (autostart) Set(on bool) error {
	env, err := installer.EnvFromOS()
	if err != nil {
		return err
	}
	return installer.SetAutostart(env, on)
}
