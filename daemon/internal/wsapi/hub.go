// Package wsapi serves the extension's WebSocket (docs/protocol.md): the
// upgrade with its Origin policy, authentication by token or pairing, and
// one loop per connection that stores events and acknowledges them only
// after they are committed.
//
// Each connection has exactly one goroutine that writes to it (the session
// loop) and one that reads from it; the reader hands frames to the loop.
package wsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// Config wires a Hub.
type Config struct {
	Store    *store.Store
	Pairings *auth.Pairings
	Origins  admission.OriginPolicy
	Version  string
	Log      *slog.Logger
	Now      func() time.Time

	// Hellos slows down wrong tokens (nil: auth's defaults).
	Hellos *auth.FailedHellos

	// Coalesce is how long StateChanged waits for more changes before it
	// sends one state; default 50 ms.
	Coalesce time.Duration

	AuthTimeout  time.Duration // first message / hello after pairing; default 5 s
	PingInterval time.Duration // default 15 s
	PongTimeout  time.Duration // default 60 s

	// StoreFullURLs reports whether the user opted in to keeping full URLs.
	StoreFullURLs func() bool
	// Changes is where the hub publishes ClientsChanged (pairing, pairs,
	// connections), EventsStored and PromptAnswered (a new answer may
	// change the day's habit count). May be nil.
	Changes *changes.Bus

	// State returns what the extension should cache (welcome.state).
	State func(ctx context.Context) (protocol.State, error)
	// MatchFeed names the feed a URL's host and path are on, if any.
	MatchFeed func(host, path string) (string, bool)
	// Breaks ends breaks early for the break page (nil: refused).
	Breaks BreakStopper
	// Damaged, when it returns an error, refuses hello and pair_request
	// with `unavailable` and that error (the database is damaged: nothing
	// can be stored, so the extension keeps its events). nil: never.
	Damaged func() error
}

// BreakStopper is the part of the break service the socket offers: ending
// the running break early in two steps (see daemon/internal/breaks).
type BreakStopper interface {
	RequestStop(ctx context.Context) (breaks.Ticket, error)
	Stop(ctx context.Context, ticket, reason string) (schedule.Period, error)
}

// Hub owns every WebSocket connection.
type Hub struct {
	cfg Config

	failing  atomic.Int64  // failed hellos waiting for their answer
	answered atomic.Int64  // failed hellos answered
	dirty    chan struct{} // StateChanged → the state loop; capacity 1
	states   atomic.Int64  // states computed and handed to the sockets

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	closing  bool // set by Shutdown; no session starts after it
	sessions map[*session]struct{}
	byClient map[string]map[*session]struct{}
}

// New returns a Hub.
func New(cfg Config) *Hub {
	if cfg.AuthTimeout == 0 {
		cfg.AuthTimeout = 5 * time.Second
	}
	if cfg.Coalesce == 0 {
		cfg.Coalesce = 50 * time.Millisecond
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 15 * time.Second
	}
	if cfg.PongTimeout == 0 {
		cfg.PongTimeout = 60 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Hellos == nil {
		cfg.Hellos = &auth.FailedHellos{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.StoreFullURLs == nil {
		cfg.StoreFullURLs = func() bool { return false }
	}
	if cfg.State == nil {
		cfg.State = func(context.Context) (protocol.State, error) { return protocol.State{}, nil }
	}
	if cfg.MatchFeed == nil {
		cfg.MatchFeed = func(string, string) (string, bool) { return "", false }
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		cfg:      cfg,
		ctx:      ctx,
		cancel:   cancel,
		sessions: make(map[*session]struct{}),
		byClient: make(map[string]map[*session]struct{}),
		dirty:    make(chan struct{}, 1),
	}
	h.wg.Add(1)
	go h.stateLoop()
	return h
}

// StateChanged tells the hub that what the extension caches may have
// changed. It returns at once. A burst of changes (prompt answers from many
// tabs, a schedule edit) is sent as one state, computed once, Coalesce after
// the first; a socket gets it only if it differs from the state that socket
// last got (in welcome or state).
func (h *Hub) StateChanged() {
	select {
	case h.dirty <- struct{}{}:
	default:
	}
}

// stateLoop computes and broadcasts the state after changes, until
// Shutdown.
func (h *Hub) stateLoop() {
	defer h.wg.Done()
	t := time.NewTimer(time.Hour)
	t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-h.dirty:
		}
		t.Reset(h.cfg.Coalesce)
		select {
		case <-h.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		select { // changes during the wait are in this state
		case <-h.dirty:
		default:
		}
		ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
		st, err := h.cfg.State(ctx)
		cancel()
		if err != nil {
			if h.ctx.Err() == nil {
				h.cfg.Log.Warn("state not sent to browsers", "err", err)
			}
			continue
		}
		h.Broadcast(st)
		h.states.Add(1)
	}
}

var upgrader = websocket.Upgrader{
	HandshakeTimeout: 5 * time.Second,
	ReadBufferSize:   4096,
	WriteBufferSize:  4096,
	// The Origin policy runs before Upgrade, with a reason in the 403.
	CheckOrigin: func(*http.Request) bool { return true },
}

// ServeHTTP upgrades an extension's request. The Host header has already
// been checked by admission.Hosts.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if reason := h.cfg.Origins.Check(origin); reason != "" {
		h.cfg.Log.Warn("websocket refused", "origin", origin, "reason", reason)
		http.Error(w, "mindful: "+reason, http.StatusForbidden)
		return
	}
	// Count the session before upgrading, under the lock Shutdown takes,
	// so that no WaitGroup.Add can race with Shutdown's Wait.
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		http.Error(w, "mindful: shutting down", http.StatusServiceUnavailable)
		return
	}
	h.wg.Add(1)
	h.mu.Unlock()
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.wg.Done()
		return // Upgrade has answered the client.
	}
	// The HTTP server's read and write deadlines end with the upgrade: the
	// socket's own rules (auth timeout, pings, a write deadline per frame)
	// take over.
	conn.NetConn().SetDeadline(time.Time{})
	s := newSession(h, conn, origin)
	h.mu.Lock()
	h.sessions[s] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.sessions, s)
		h.mu.Unlock()
		h.wg.Done()
	}()
	s.run()
}

// failWait holds a connection whose hello failed for d, or until the hub
// shuts down (then it returns false).
func (h *Hub) failWait(d time.Duration) bool {
	h.failing.Add(1)
	defer h.failing.Add(-1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		h.answered.Add(1)
		return true
	case <-h.ctx.Done():
		return false
	}
}

// Shutdown closes every connection with 1001 and waits for their loops.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	h.mu.Unlock()
	h.cancel()
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Connected returns the ids of clients with at least one authenticated socket.
func (h *Hub) Connected() map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]bool, len(h.byClient))
	for id, ss := range h.byClient {
		if len(ss) > 0 {
			out[id] = true
		}
	}
	return out
}

func (h *Hub) attach(id string, s *session) {
	h.mu.Lock()
	if h.byClient[id] == nil {
		h.byClient[id] = make(map[*session]struct{})
	}
	h.byClient[id][s] = struct{}{}
	h.mu.Unlock()
	h.cfg.Changes.Publish(changes.ClientsChanged{})
}

func (h *Hub) detach(id string, s *session) {
	h.mu.Lock()
	delete(h.byClient[id], s)
	if len(h.byClient[id]) == 0 {
		delete(h.byClient, id)
	}
	h.mu.Unlock()
	h.cfg.Changes.Publish(changes.ClientsChanged{})
}

// Broadcast sends st to every authenticated socket as a state message,
// encoded once. A socket that has not taken the previous state yet gets
// only the newest, and a socket that already has this very state gets
// nothing.
func (h *Hub) Broadcast(st protocol.State) {
	b, err := json.Marshal(st)
	if err != nil {
		h.cfg.Log.Error("encode state", "err", err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ss := range h.byClient {
		for s := range ss {
			s.pushState(b)
		}
	}
}

// ErrNotFound is returned by Revoke for an unknown client.
var ErrNotFound = errors.New("no paired browser has this id")

// ErrOrigin is returned by PairNative for an origin the socket would refuse.
var ErrOrigin = errors.New("origin")

// Approve approves the pending pairing request with this code: it stores a
// new client with the hash of a fresh token, then hands the token to the
// socket that asked. It returns the stored client.
func (h *Hub) Approve(ctx context.Context, code string) (store.Client, error) {
	p, err := h.cfg.Pairings.Take(code, h.cfg.Now())
	if err != nil {
		return store.Client{}, err
	}
	c, token, err := h.pair(ctx, *p, store.PairedViaCode)
	if err != nil {
		return store.Client{}, err
	}
	p.Approved <- auth.Approval{Token: token}
	return c, nil
}

// PairNative pairs the browser described by p at once, as an approved code
// would: the extension asked mindful's native-messaging host, which only the
// browser can start and only for mindful's own extension (the host's
// manifest lists exactly its origins), and the host proved it is the
// trusted side with the control token. p.Origin is the extension's origin,
// to which the token is bound; it must pass the socket's origin policy. It
// returns the stored client and the token, which the caller hands to the
// extension and never logs.
func (h *Hub) PairNative(ctx context.Context, p auth.Pending) (store.Client, string, error) {
	if p.Origin == "" {
		return store.Client{}, "", fmt.Errorf("%w: missing", ErrOrigin)
	}
	if reason := h.cfg.Origins.Check(p.Origin); reason != "" {
		return store.Client{}, "", fmt.Errorf("%w: %s", ErrOrigin, reason)
	}
	return h.pair(ctx, p, store.PairedViaNative)
}

// pair stores a client for p with the hash of a fresh token.
func (h *Hub) pair(ctx context.Context, p auth.Pending, via string) (store.Client, string, error) {
	token, hash := auth.NewToken()
	c := store.Client{
		ID:             p.ClientID,
		Browser:        p.Browser,
		BrowserVersion: p.BrowserVersion,
		ExtVersion:     p.ExtVersion,
		Origin:         p.Origin,
		TokenHash:      hash,
		PairedAt:       h.cfg.Now().UTC(),
		PairedVia:      via,
	}
	if err := h.cfg.Store.PutClient(ctx, c); err != nil {
		return store.Client{}, "", fmt.Errorf("store pairing: %w", err)
	}
	h.cfg.Log.Info("pairing approved", "client", c.ID, "browser", c.Browser, "origin", c.Origin, "via", via)
	h.cfg.Changes.Publish(changes.ClientsChanged{})
	return c, token, nil
}

// Revoke removes a paired client and closes its sockets with 4003.
func (h *Hub) Revoke(ctx context.Context, id string) error {
	if err := h.cfg.Store.DeleteClient(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: %q", ErrNotFound, id)
		}
		return err
	}
	h.mu.Lock()
	for s := range h.byClient[id] {
		s.kick()
	}
	h.mu.Unlock()
	h.cfg.Log.Info("pairing revoked", "client", id)
	h.cfg.Changes.Publish(changes.ClientsChanged{})
	return nil
}
