package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/control"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
	"github.com/mindful-app/mindful/daemon/version"
)

// What to do about a damaged database, in the words the log, the status,
// the tray and the CLI use.
const (
	TodoRecover = "quit mindful, then run `mindful db recover`: it copies everything readable into a new database and keeps the damaged file beside it"
	TodoLost    = "restore mindful.db from a backup if you have one (with mindful stopped); otherwise quit mindful and run `mindful db recover` to start again with an empty database (browsers then pair again)"
)

// priorUse names the files in dir that only a daemon that has already run
// leaves behind. Beside them, a missing or empty database was lost, not
// never made.
func priorUse(dir string) []string {
	var found []string
	for _, name := range []string{datadir.ControlTokenFile, datadir.AddrFile, datadir.DBFile + "-wal"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			found = append(found, name)
		}
	}
	return found
}

// checkDatabase checks the database file before it is opened. It returns
// what is wrong with it, or nil when it is fine or this is a first run.
func (d *Daemon) checkDatabase(ctx context.Context, dir, path string) (*api.Database, error) {
	res, err := store.Check(ctx, path)
	if err != nil {
		return nil, err
	}
	d.log.Info("database checked", "file", path, "state", string(res.State), "took", res.Took.Round(time.Millisecond))
	switch res.State {
	case store.CheckOK:
		return nil, nil
	case store.CheckMissing, store.CheckEmpty:
		prior := priorUse(dir)
		if len(prior) == 0 {
			return nil, nil // a first run
		}
		db := damagedDB(path, res.Problem()+", but this data directory was used before (it has "+strings.Join(prior, ", ")+"): the paired browsers and the history are not in it", time.Now())
		db.Todo = TodoLost
		return &db, nil
	}
	db := damagedDB(path, res.Problem(), time.Now())
	return &db, nil
}

func damagedDB(path, problem string, since time.Time) api.Database {
	if !strings.HasPrefix(problem, "the database") {
		problem = "the database is damaged: " + problem
	}
	since = since.UTC()
	return api.Database{Path: path, Problem: problem, Todo: TodoRecover, Since: &since}
}

// storeHealth is the status's view of a running store.
func storeHealth(st *store.Store) api.Database {
	dmg := st.Damage()
	if dmg == nil {
		return api.Database{OK: true, Path: st.Path()}
	}
	return damagedDB(st.Path(), dmg.Problem, dmg.At)
}

// runDamaged runs the daemon without its database: it says what is wrong
// in the log, in the status (and so the CLI and the tray) and to every
// browser that connects, stores nothing and acknowledges nothing, and
// leaves the file as it is, until ctx ends.
func (d *Daemon) runDamaged(ctx context.Context, shutdown func(), db api.Database) error {
	dir := d.cfg.DataDir
	d.log.Error("mindful's database cannot be used: nothing is stored until it is fixed; browsers keep their events meanwhile",
		"file", db.Path, "problem", db.Problem, "todo", db.Todo)
	ctlToken, err := datadir.ControlToken(dir)
	if err != nil {
		return err
	}
	ln, err := d.listen()
	if err != nil {
		return err
	}
	refusal := errors.New("mindful's database is damaged (" + db.Problem + "); nothing is stored until it is recovered")
	hub := wsapi.New(wsapi.Config{
		Pairings:     &auth.Pairings{},
		Origins:      admission.DefaultOriginPolicy(),
		Version:      version.Version,
		Log:          d.log.With("component", "ws"),
		PingInterval: d.cfg.PingInterval,
		Damaged:      func() error { return refusal },
	})
	ctl := &control.Server{
		Token: ctlToken, Version: version.Version, Addr: d.addr, DataDir: dir, StartedAt: time.Now(), Now: time.Now,
		Shutdown: shutdown, Database: func() api.Database { return db },
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", ctl.Handler())
	mux.Handle("GET /ws", hub)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "mindful cannot use its database.\n\nFile: %s\nProblem: %s\nWhat to do: %s\n", db.Path, db.Problem, db.Todo)
	})
	return d.serve(ctx, ln, mux, hub)
}
