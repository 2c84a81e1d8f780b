package daemon

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/internal/instance"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// ErrDaemonRunning means `mindful db recover` found the daemon running: it
// only works on a database that no daemon has open.
var ErrDaemonRunning = errors.New("the mindful daemon is running")

// ErrNothingToRecover means the database passed the check.
var ErrNothingToRecover = errors.New("nothing to recover")

// CheckDB runs the daemon's start-up check on the database in dir (read
// only; it works whether or not the daemon runs).
func CheckDB(ctx context.Context, dir string) (api.DBCheck, error) {
	path := filepath.Join(dir, datadir.DBFile)
	res, err := store.Check(ctx, path)
	if err != nil {
		return api.DBCheck{Path: path}, err
	}
	out := api.DBCheck{
		Path: path, State: string(res.State), OK: res.OK(), Size: res.Size,
		Problem: res.Problem(), Problems: res.Problems, Seconds: res.Took.Seconds(),
	}
	switch res.State {
	case store.CheckDamaged:
		out.Todo = TodoRecover
	case store.CheckMissing, store.CheckEmpty:
		if prior := priorUse(dir); len(prior) > 0 {
			out.Problem += ", but this data directory was used before"
			out.Todo = TodoLost
		} else {
			// Never used: the daemon makes it at its first start.
			out.OK = true
			out.Problem = ""
		}
	}
	return out, nil
}

// RecoverDB copies everything readable from the database in dir into a new
// one, keeps the old file beside it (mindful.db.damaged-TIME) and reports
// the rows saved per table. The daemon must be stopped: RecoverDB takes its
// instance lock, and returns ErrDaemonRunning when it cannot. A database
// that passes the check is left alone (ErrNothingToRecover) unless force.
func RecoverDB(ctx context.Context, dir string, force bool) (api.DBRecovery, error) {
	path := filepath.Join(dir, datadir.DBFile)
	lock, err := instance.Acquire(filepath.Join(dir, datadir.LockFile))
	if errors.Is(err, instance.ErrRunning) {
		return api.DBRecovery{Path: path}, fmt.Errorf("%w (%v): it has %s open; quit it first (the tray's Quit mindful, or `systemctl --user stop mindful` if it runs as a service), then run `mindful db recover` again", ErrDaemonRunning, err, path)
	}
	if err != nil {
		return api.DBRecovery{Path: path}, err
	}
	defer lock.Release()
	chk, err := CheckDB(ctx, dir)
	if err != nil {
		return api.DBRecovery{Path: path}, err
	}
	if chk.OK && !force {
		if chk.State != string(store.CheckOK) {
			return api.DBRecovery{Path: path}, fmt.Errorf("%w: there is no database at %s yet (mindful makes it when it first starts)", ErrNothingToRecover, path)
		}
		return api.DBRecovery{Path: path}, fmt.Errorf("%w: %s passed the check (use --force to copy it into a new file anyway)", ErrNothingToRecover, path)
	}
	res, err := store.Recover(ctx, path, time.Now())
	out := api.DBRecovery{Path: path, DamagedCopy: res.DamagedCopy, Tables: []api.DBTableRecovery{}, Seconds: res.Took.Seconds()}
	for _, t := range res.Tables {
		out.Tables = append(out.Tables, api.DBTableRecovery{Table: t.Table, Saved: t.Saved, Complete: t.Complete, Skipped: t.Skipped})
	}
	if err != nil {
		return out, fmt.Errorf("recover %s: %w (the original is unchanged)", path, err)
	}
	return out, nil
}
