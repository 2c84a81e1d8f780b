package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/installer"
	"github.com/mindful-app/mindful/installer/nativehost"
)

// stdin is where uninstall --purge reads its confirmation (tests replace it).
var stdin io.Reader = os.Stdin

// installEnv is the installer's view of this process and user.
func installEnv() (installer.Env, error) {
	return installer.EnvFromOS()
}

// cmdInstall is `mindful install [--dry-run] [--prefix DIR] [--browsers LIST] [--systemd]`.
func cmdInstall(c *invocation) handler {
	dry := c.fs.Bool("dry-run", false, "print what would be written, write nothing")
	prefix := c.fs.String("prefix", "", "install the binary in `DIR` (default ~/.local/bin)")
	browsers := c.fs.String("browsers", "all", "register the native-messaging host with `LIST` (chrome,chromium,edge,brave,firefox)")
	systemd := c.fs.Bool("systemd", false, "also write a systemd --user unit (Linux, headless)")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		bs, err := installer.ParseBrowsers(*browsers)
		if err != nil {
			return usageErr("%v", err)
		}
		env, err := installEnv()
		if err != nil {
			return err
		}
		if *prefix != "" {
			if env.Prefix, err = filepath.Abs(*prefix); err != nil {
				return usageErr("--prefix: %v", err)
			}
		}
		env.Browsers, env.Systemd = bs, *systemd
		plan, err := installer.PlanInstall(env)
		if err != nil {
			return err
		}
		if _, err := installer.Install(plan, installer.Options{DryRun: *dry, Out: c.stdout}); err != nil {
			return err
		}
		if *dry {
			return nil
		}
		bin, _ := installer.BinaryPath(env)
		fmt.Fprintf(c.stdout, "\nmindful is installed. It starts with your next login; to start it now: %s run\n", bin)
		fmt.Fprintln(c.stdout, "The browser extension pairs by itself through native messaging; `mindful pair approve CODE` stays as the fallback.")
		if *systemd {
			fmt.Fprintln(c.stdout, "Headless instead of the tray: systemctl --user enable --now mindful.service")
		}
		return nil
	}
}

// cmdUninstall is `mindful uninstall [--purge] [--yes] [--dry-run]`.
func cmdUninstall(c *invocation) handler {
	dry := c.fs.Bool("dry-run", false, "print what would be removed, remove nothing")
	purge := c.fs.Bool("purge", false, "also delete mindful's data and config directories")
	yes := c.fs.Bool("yes", false, "do not ask before --purge deletes the data")
	return func(args []string) error {
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		env, err := installEnv()
		if err != nil {
			return err
		}
		plan, err := installer.PlanUninstall(env)
		if err != nil {
			return err
		}
		var purgeDirs []string
		if *purge {
			data, err := datadir.Resolve(*c.dataDir)
			if err != nil {
				return err
			}
			cfg, err := installer.ConfigDir(env)
			if err != nil {
				return err
			}
			for _, d := range []string{data, cfg} {
				if _, err := os.Stat(d); err == nil && !containsString(purgeDirs, d) {
					purgeDirs = append(purgeDirs, d)
				}
			}
			if len(purgeDirs) > 0 && !*dry && !*yes {
				ok, err := confirm(c.stdout, "Delete "+strings.Join(purgeDirs, " and ")+", with everything mindful recorded?")
				if err != nil {
					return err
				}
				if !ok {
					return errors.New("nothing removed (pass --yes to purge without asking)")
				}
			}
		}

		if err := stopDaemon(c, *dry); err != nil {
			return err
		}
		if _, err := installer.Uninstall(plan, installer.Options{DryRun: *dry, Out: c.stdout}); err != nil {
			return err
		}
		for _, d := range purgeDirs {
			if *dry {
				fmt.Fprintf(c.stdout, "%-12s %s (and everything in it)\n", "would remove", d)
				continue
			}
			if err := removeAll(d); err != nil {
				return fmt.Errorf("purge %s: %w", d, err)
			}
			fmt.Fprintf(c.stdout, "%-12s %s (and everything in it)\n", "remove", d)
		}
		return nil
	}
}

// removeAll is os.RemoveAll, falling back to removing one entry at a time
// deepest first: Go's RemoveAll on Windows uses a POSIX-semantics delete
// that Wine 8 lacks ("Invalid function"), which plain deletes do not need.
func removeAll(dir string) error {
	err := os.RemoveAll(dir)
	if err == nil {
		return nil
	}
	var paths []string
	filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, p)
		}
		return nil
	})
	for i := len(paths) - 1; i >= 0; i-- { // children before their folder
		os.Remove(paths[i])
	}
	if _, serr := os.Lstat(dir); errors.Is(serr, fs.ErrNotExist) {
		return nil
	}
	return err
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// confirm asks a yes/no question on stdout and reads the answer.
func confirm(w io.Writer, question string) (bool, error) {
	fmt.Fprintf(w, "%s [y/N] ", question)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}

// stopDaemon asks the daemon to stop and waits until it has let go of its
// data directory (the instance lock file is emptied on release).
func stopDaemon(c *invocation, dry bool) error {
	dir, err := datadir.Resolve(*c.dataDir)
	if err != nil {
		return err
	}
	addr := c.daemonAddr(dir)
	cl, err := client.Open(addr, dir)
	if errors.Is(err, client.ErrNotRunning) {
		fmt.Fprintf(c.stdout, "%-12s the daemon (not running)\n", "absent")
		return nil
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if dry {
		if _, err := cl.Status(ctx); errors.Is(err, client.ErrNotRunning) {
			fmt.Fprintf(c.stdout, "%-12s the daemon (not running)\n", "absent")
		} else {
			fmt.Fprintf(c.stdout, "%-12s the daemon at %s\n", "would stop", addr)
		}
		return nil
	}
	if err := cl.Shutdown(ctx); errors.Is(err, client.ErrNotRunning) {
		fmt.Fprintf(c.stdout, "%-12s the daemon (not running)\n", "absent")
		return nil
	} else if err != nil {
		return fmt.Errorf("stop the daemon: %w", err)
	}
	lock := filepath.Join(dir, datadir.LockFile)
	for {
		_, serr := cl.Status(ctx)
		b, lerr := os.ReadFile(lock)
		if errors.Is(serr, client.ErrNotRunning) && (errors.Is(lerr, fs.ErrNotExist) || lerr == nil && strings.TrimSpace(string(b)) == "") {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the daemon did not stop within 20 s (lock %s)", lock)
		case <-time.After(100 * time.Millisecond):
		}
	}
	fmt.Fprintf(c.stdout, "%-12s the daemon at %s\n", "stopped", addr)
	return nil
}

// cmdNativeHost is `mindful native-host`, which browsers start (the host
// manifest names the mindful binary, so Main also comes here when the
// arguments are a browser's). It answers on stdout in native-messaging
// frames only; its log goes to stderr, which the browser keeps.
func cmdNativeHost(c *invocation) handler {
	return func(args []string) error { return nativeHost(c, args) }
}

func nativeHost(c *invocation, args []string) error {
	caller, err := nativehost.ParseCaller(args)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(c.stderr, nil)).With("component", "native-host")
	pair := func(ctx context.Context, req api.NativePairRequest) (api.NativePairing, error) {
		dir, err := datadir.Resolve(*c.dataDir)
		if err != nil {
			return api.NativePairing{}, err
		}
		cl, err := client.Open(c.daemonAddr(dir), dir)
		if err != nil {
			return api.NativePairing{}, err
		}
		return cl.PairNative(ctx, req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return nativehost.Serve(ctx, stdin, c.stdout, caller, pair, log)
}
