// Package store keeps everything mindful knows in one SQLite file.
//
// Writes go through a single writer goroutine. It batches the requests that
// are waiting when it wakes into one transaction, each request in its own
// savepoint, so one failing request does not undo the others and many small
// writes cost one fsync. A write returns only after its transaction has
// committed (synchronous=FULL, WAL), which is what lets the daemon acknowledge
// an event as durable. Reads use a separate query-only connection pool, which
// WAL lets run beside the writer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Options tune a Store. The zero value is fine for production.
type Options struct {
	// BusyTimeout is how long a write waits on a lock held by another
	// process before it fails (default 5 s).
	BusyTimeout time.Duration
	Logger      *slog.Logger
}

// ErrUnavailable wraps every write failure caused by the database itself
// (locked, read-only, disk full, corrupt): the caller should report that the
// write did not happen and retry later.
var ErrUnavailable = errors.New("database unavailable")

// Store is the SQLite database.
type Store struct {
	path string
	w    *sql.DB // one connection, used only by the writer goroutine
	r    *sql.DB // query-only pool for reads
	log  *slog.Logger

	reqs      chan *writeReq
	closed    chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error

	// sendMu makes "is it closed?" and "queue the request" one step, so
	// no request is queued after the writer has drained for the last time.
	sendMu   sync.RWMutex
	isClosed bool

	damage atomic.Pointer[Damage] // set at the first sign of a damaged file
}

type writeReq struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan error
}

// Open opens (creating if needed, with mode 0600) the database at path,
// applies migrations and starts the writer goroutine.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if opt.BusyTimeout <= 0 {
		opt.BusyTimeout = 5 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("set mode 0600 on %s: %w", path, err)
	}

	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", fmt.Sprint(opt.BusyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, damaged(err))
	}
	if _, err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("database %s: %w", path, damaged(err))
	}

	rq := url.Values{}
	rq.Set("_query_only", "true")
	rq.Set("_busy_timeout", fmt.Sprint(opt.BusyTimeout.Milliseconds()))
	r, err := sql.Open("sqlite3", "file:"+path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)

	s := &Store{
		path:   path,
		w:      w,
		r:      r,
		log:    opt.Logger,
		reqs:   make(chan *writeReq, 256),
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	go s.writer()
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close stops the writer after the writes already queued, and closes the
// database. Later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.sendMu.Lock()
		s.isClosed = true
		s.sendMu.Unlock()
		close(s.closed)
		<-s.done
		if s.Damage() != nil {
			// Closing the last connection would checkpoint the WAL
			// into the damaged file: leave the writer's connection
			// open (the process is ending) and the WAL beside the
			// file, where `mindful db recover` reads it.
			s.closeErr = s.r.Close()
			return
		}
		s.closeErr = errors.Join(s.r.Close(), s.w.Close())
	})
	return s.closeErr
}

// maxBatch bounds how many queued writes share one transaction.
const maxBatch = 256

func (s *Store) writer() {
	defer close(s.done)
	for {
		var first *writeReq
		select {
		case first = <-s.reqs:
		case <-s.closed:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-s.reqs:
					s.commit([]*writeReq{r})
				default:
					return
				}
			}
		}
		batch := []*writeReq{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.commit(batch)
	}
}

// commit runs batch in one transaction, each request in a savepoint, and
// reports to each request after the commit.
func (s *Store) commit(batch []*writeReq) {
	results := make([]error, len(batch))
	fail := func(err error) {
		if IsCorrupt(err) {
			s.markDamaged(err)
		}
		err = unavailable(err)
		for _, r := range batch {
			r.done <- err
		}
	}
	if d := s.Damage(); d != nil {
		// Found damaged while these waited in the queue.
		for _, r := range batch {
			r.done <- s.damagedErr(d)
		}
		return
	}
	tx, err := s.w.Begin()
	if err != nil {
		fail(err)
		return
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.Exec("SAVEPOINT req"); err != nil {
			tx.Rollback()
			fail(err)
			return
		}
		if err := r.fn(tx); err != nil {
			if IsCorrupt(err) {
				// The file is damaged: commit nothing of this batch,
				// so no request is acknowledged into it.
				tx.Rollback()
				fail(err)
				return
			}
			results[i] = err
			if _, err2 := tx.Exec("ROLLBACK TO req"); err2 != nil {
				tx.Rollback()
				fail(err2)
				return
			}
		}
		if _, err := tx.Exec("RELEASE req"); err != nil {
			tx.Rollback()
			fail(err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		tx.Rollback()
		fail(err)
		return
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// unavailable marks SQLite errors that mean "the database cannot take writes
// now" so callers can tell them apart from bad input.
func unavailable(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrReadonly, sqlite3.ErrFull,
			sqlite3.ErrIoErr, sqlite3.ErrCorrupt, sqlite3.ErrCantOpen, sqlite3.ErrNotADB, sqlite3.ErrPerm:
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

// damaged wraps err in ErrDamaged when SQLite says the file is damaged.
func damaged(err error) error {
	if IsCorrupt(err) && !errors.Is(err, ErrDamaged) {
		return fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return err
}

// write runs fn in the writer goroutine and waits until its transaction has
// committed (nil) or failed.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if d := s.Damage(); d != nil {
		return s.damagedErr(d)
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.sendMu.RLock()
	if s.isClosed {
		s.sendMu.RUnlock()
		return fmt.Errorf("%w: store is closed", ErrUnavailable)
	}
	select {
	case s.reqs <- r:
		s.sendMu.RUnlock()
	case <-ctx.Done():
		s.sendMu.RUnlock()
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends, so the caller
	// never mistakes a committed write for a failed one.
	return <-r.done
}
