package wsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

type phase int

const (
	phaseNew        phase = iota // waiting for hello or pair_request
	phasePairing                 // waiting for the user to approve
	phaseAwaitHello              // paired; waiting for hello
	phaseAuthed                  // hello accepted
)

const writeWait = 10 * time.Second

// inbound is one frame (or the end of reading) handed from reader to loop.
type inbound struct {
	data   []byte
	binary bool
	tooBig bool
	err    error
}

type session struct {
	hub    *Hub
	conn   *websocket.Conn
	origin string

	phase     phase
	clientID  string
	pending   *auth.Pending
	pairReq   string // id of the pair_request that paired answers
	sessionID int64  // client_sessions row while authenticated
	nextID    int
	lastPong  time.Time

	kicked    chan struct{}
	states    chan json.RawMessage // newest state to push; capacity 1
	lastState json.RawMessage      // the state this socket last got
	done      chan struct{}
}

func newSession(h *Hub, conn *websocket.Conn, origin string) *session {
	return &session{hub: h, conn: conn, origin: origin, kicked: make(chan struct{}, 1), states: make(chan json.RawMessage, 1), done: make(chan struct{})}
}

// pushState queues st for the loop, replacing a state not yet sent.
func (s *session) pushState(st json.RawMessage) {
	for {
		select {
		case s.states <- st:
			return
		default:
		}
		select {
		case <-s.states:
		default:
		}
	}
}

func (s *session) kick() {
	select {
	case s.kicked <- struct{}{}:
	default:
	}
}

// run is the session loop: the only goroutine that writes to conn.
func (s *session) run() {
	cfg := s.hub.cfg
	in := make(chan inbound)
	go s.read(in)
	defer func() {
		close(s.done)
		s.conn.Close()
		if s.pending != nil {
			cfg.Pairings.Withdraw(s.pending)
		}
		if s.phase == phaseAuthed {
			s.hub.detach(s.clientID, s)
			if s.sessionID != 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if err := cfg.Store.SessionEnded(ctx, s.sessionID, cfg.Now()); err != nil {
					cfg.Log.Warn("could not record disconnect", "client", s.clientID, "err", err)
				}
				cancel()
			}
		}
	}()

	authTimer := time.NewTimer(cfg.AuthTimeout)
	defer authTimer.Stop()
	var approved <-chan auth.Approval
	var pairExpiry <-chan time.Time
	var dropped <-chan struct{}
	var ping <-chan time.Time
	var pinger *time.Ticker
	defer func() {
		if pinger != nil {
			pinger.Stop()
		}
	}()
	startPing := func() {
		if pinger == nil {
			pinger = time.NewTicker(cfg.PingInterval)
			s.lastPong = cfg.Now()
			ping = pinger.C
		}
	}

	for {
		select {
		case <-s.hub.ctx.Done():
			s.close(websocket.CloseGoingAway, "daemon shutting down")
			return
		case <-s.kicked:
			s.close(protocol.CloseRevoked, "this browser was unpaired")
			return
		case st := <-s.states:
			if !bytes.Equal(st, s.lastState) {
				s.lastState = st
				s.send(protocol.TypeState, "", st)
			}
		case <-authTimer.C:
			if s.phase != phaseAuthed && s.phase != phasePairing {
				s.close(protocol.CloseAuthTimeout, "no hello within "+cfg.AuthTimeout.String())
				return
			}
		case <-dropped:
			s.pending = nil
			s.close(websocket.CloseTryAgainLater, "pairing request dropped: a newer one came from the same origin, or too many are pending; ask again")
			return
		case <-pairExpiry:
			s.close(websocket.CloseNormalClosure, "pairing code expired")
			return
		case a := <-approved:
			approved, pairExpiry, dropped = nil, nil, nil
			s.pending = nil
			s.send(protocol.TypePaired, s.pairReq, protocol.Paired{ClientID: s.clientID, Token: a.Token})
			s.phase = phaseAwaitHello
			authTimer.Reset(cfg.AuthTimeout)
		case <-ping:
			if cfg.Now().Sub(s.lastPong) > cfg.PongTimeout {
				s.close(protocol.ClosePingTimeout, "no pong for "+cfg.PongTimeout.String())
				return
			}
			s.send(protocol.TypePing, "", protocol.Empty{})
		case m, ok := <-in:
			if !ok || m.err != nil {
				return
			}
			if m.tooBig {
				s.close(websocket.CloseMessageTooBig, "message larger than "+strconv.Itoa(protocol.MaxMessageBytes)+" bytes")
				return
			}
			if m.binary {
				s.sendError("", &protocol.Error{Code: protocol.CodeBadJSON, Message: "binary frames are not accepted; send JSON text"})
				if s.phase != phaseAuthed && s.phase != phasePairing {
					s.close(websocket.ClosePolicyViolation, "first message must be hello or pair_request")
					return
				}
				continue
			}
			env, perr := protocol.Decode(m.data)
			if perr != nil {
				s.sendError(env.ID, perr)
				if s.phase != phaseAuthed && s.phase != phasePairing {
					s.close(websocket.ClosePolicyViolation, "first message must be hello or pair_request")
					return
				}
				continue
			}
			switch s.phase {
			case phaseNew, phaseAwaitHello:
				switch {
				case env.Type == protocol.TypeHello:
					if !s.hello(env) {
						return
					}
					authTimer.Stop()
					startPing()
				case env.Type == protocol.TypePairRequest && s.phase == phaseNew:
					p, ok := s.pairRequest(env)
					if !ok {
						return
					}
					s.pending = p
					s.pairReq = env.ID
					approved = p.Approved
					dropped = p.Dropped
					pairExpiry = time.After(p.ExpiresAt.Sub(cfg.Now()))
					s.phase = phasePairing
					authTimer.Stop()
					startPing() // keeps the browser's background alive while the user approves
				default:
					s.sendError(env.ID, &protocol.Error{Code: protocol.CodeNotAuthenticated, Message: "send hello (or pair_request) first"})
					s.close(websocket.ClosePolicyViolation, "not authenticated")
					return
				}
			case phasePairing:
				switch env.Type {
				case protocol.TypePing:
					s.send(protocol.TypePong, env.ID, protocol.Empty{})
				case protocol.TypePong:
					s.lastPong = cfg.Now()
				default:
					s.sendError(env.ID, &protocol.Error{Code: protocol.CodeNotAuthenticated, Message: "waiting for the user to approve pairing code " + s.pending.Code})
				}
			case phaseAuthed:
				s.authed(env)
			}
		}
	}
}

// read hands frames to the loop until the connection ends.
func (s *session) read(in chan<- inbound) {
	defer close(in)
	// Backstop for absurd frames; the real limit is checked below so that
	// the close frame can say what the limit is.
	s.conn.SetReadLimit(16 * protocol.MaxMessageBytes)
	for {
		typ, r, err := s.conn.NextReader()
		var m inbound
		if err != nil {
			m.err = err
		} else {
			m.data, m.err = io.ReadAll(io.LimitReader(r, protocol.MaxMessageBytes+1))
			m.tooBig = len(m.data) > protocol.MaxMessageBytes
			m.binary = typ == websocket.BinaryMessage
			if errors.Is(m.err, websocket.ErrReadLimit) {
				m.err, m.tooBig = nil, true
			}
		}
		select {
		case in <- m:
		case <-s.done:
			return
		}
		if m.err != nil || m.tooBig {
			return
		}
	}
}

func (s *session) hello(env protocol.Envelope) bool {
	cfg := s.hub.cfg
	h, perr := protocol.DecodeHello(env.Body)
	if perr != nil {
		s.sendError(env.ID, perr)
		s.close(websocket.ClosePolicyViolation, "bad hello")
		return false
	}
	if s.refuseDamaged(env.ID) {
		return false
	}
	ctx, cancel := context.WithTimeout(s.hub.ctx, 10*time.Second)
	defer cancel()
	c, err := cfg.Store.Client(ctx, h.ClientID)
	ok := err == nil && auth.TokenMatches(h.Token, c.TokenHash) && admission.SameOrigin(c.Origin, s.origin)
	if !ok {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.sendError(env.ID, &protocol.Error{Code: protocol.CodeUnavailable, Message: "could not check the token; try again"})
			s.close(websocket.CloseTryAgainLater, "store unavailable")
			return false
		}
		// Why, for the log only: the peer is told no more than "unauthorized".
		switch {
		case err != nil:
			cfg.Log.Warn("websocket hello refused", "client", h.ClientID, "origin", s.origin, "reason", "unknown client")
		case !auth.TokenMatches(h.Token, c.TokenHash):
			cfg.Log.Warn("websocket hello refused", "client", h.ClientID, "origin", s.origin, "reason", "wrong token")
		default:
			cfg.Log.Warn("websocket hello refused", "client", h.ClientID, "origin", s.origin, "reason", "token bound to another origin", "paired_origin", c.Origin)
		}
		// Slow down guessing: this connection alone waits for its answer,
		// and all failures together are answered at a bounded rate.
		if !s.hub.failWait(cfg.Hellos.Delay(cfg.Now())) {
			return false
		}
		s.sendError(env.ID, &protocol.Error{Code: protocol.CodeUnauthorized, Message: "token not valid for this browser; pair again"})
		s.close(protocol.CloseUnauthorized, "unauthorized")
		return false
	}
	st, err := cfg.State(ctx)
	if err != nil {
		s.sendError(env.ID, &protocol.Error{Code: protocol.CodeUnavailable, Message: "could not read the daemon's state; try again"})
		s.close(websocket.CloseTryAgainLater, "store unavailable")
		return false
	}
	s.clientID = h.ClientID
	if err := cfg.Store.TouchClient(ctx, h.ClientID, h.Browser, h.BrowserVersion, h.ExtVersion, cfg.Now()); err != nil {
		cfg.Log.Warn("could not record last seen", "client", h.ClientID, "err", err)
	}
	if s.sessionID, err = cfg.Store.SessionStarted(ctx, h.ClientID, cfg.Now()); err != nil {
		cfg.Log.Warn("could not record connect", "client", h.ClientID, "err", err)
	}
	s.phase = phaseAuthed
	s.lastState, _ = json.Marshal(st)
	s.hub.attach(h.ClientID, s)
	cfg.Log.Info("browser connected", "client", h.ClientID, "browser", h.Browser, "version", h.BrowserVersion)
	s.send(protocol.TypeWelcome, env.ID, protocol.Welcome{
		ClientID:       h.ClientID,
		DaemonVersion:  cfg.Version,
		PingIntervalMS: cfg.PingInterval.Milliseconds(),
		MaxBatch:       protocol.MaxBatch,
		State:          st,
	})
	return true
}

// refuseDamaged answers `unavailable` and closes (try again later) while
// the database is damaged.
func (s *session) refuseDamaged(id string) bool {
	if s.hub.cfg.Damaged == nil {
		return false
	}
	err := s.hub.cfg.Damaged()
	if err == nil {
		return false
	}
	s.sendError(id, &protocol.Error{Code: protocol.CodeUnavailable, Message: err.Error() + "; keep the events and try again later"})
	s.close(websocket.CloseTryAgainLater, "database damaged")
	return true
}

func (s *session) pairRequest(env protocol.Envelope) (*auth.Pending, bool) {
	cfg := s.hub.cfg
	pr, perr := protocol.DecodePairRequest(env.Body)
	if perr != nil {
		s.sendError(env.ID, perr)
		s.close(websocket.ClosePolicyViolation, "bad pair_request")
		return nil, false
	}
	if s.refuseDamaged(env.ID) {
		return nil, false
	}
	p, err := cfg.Pairings.Request(auth.Pending{
		ClientID:       pr.ClientID,
		Browser:        pr.Browser,
		BrowserVersion: pr.BrowserVersion,
		ExtVersion:     pr.ExtVersion,
		Origin:         s.origin,
	}, cfg.Now())
	if err != nil {
		s.sendError(env.ID, &protocol.Error{Code: protocol.CodePairingUnavailable, Message: err.Error()})
		s.close(websocket.CloseTryAgainLater, "pairing unavailable")
		return nil, false
	}
	s.clientID = pr.ClientID
	cfg.Log.Info("pairing requested", "code", p.Code, "browser", p.Browser, "origin", s.origin)
	cfg.Changes.Publish(changes.ClientsChanged{})
	s.send(protocol.TypePairPending, env.ID, protocol.PairPending{Code: p.Code, ExpiresAt: p.ExpiresAt.UTC().Truncate(time.Second)})
	return p, true
}

func (s *session) authed(env protocol.Envelope) {
	cfg := s.hub.cfg
	switch env.Type {
	case protocol.TypePing:
		s.send(protocol.TypePong, env.ID, protocol.Empty{})
	case protocol.TypePong:
		s.lastPong = cfg.Now()
	case protocol.TypeEvents:
		s.events(env)
	case protocol.TypeBreakStopRequest, protocol.TypeBreakStop:
		s.breakStop(env)
	case protocol.TypeHello, protocol.TypePairRequest:
		s.sendError(env.ID, &protocol.Error{Code: protocol.CodeInvalid, Message: "already authenticated"})
	default:
		s.sendError(env.ID, &protocol.Error{Code: protocol.CodeUnknownType, Message: "unknown message type " + strconv.Quote(env.Type), Field: "type"})
	}
}

func (s *session) events(env protocol.Envelope) {
	cfg := s.hub.cfg
	now := cfg.Now()
	body, perr := protocol.DecodeEvents(env.Body, now)
	if perr != nil {
		s.sendError(env.ID, perr)
		return
	}
	ack := protocol.Ack{IDs: make([]string, 0, len(body.Valid)), Rejected: body.Rejected}
	if len(body.Valid) > 0 {
		full := cfg.StoreFullURLs()
		evs := make([]store.Event, len(body.Valid))
		prompts := false
		for i, v := range body.Valid {
			evs[i] = s.storeEvent(v, now, full)
			prompts = prompts || v.Type == api.EventPrompt
			ack.IDs = append(ack.IDs, v.ID)
		}
		ctx, cancel := context.WithTimeout(s.hub.ctx, 30*time.Second)
		added, err := cfg.Store.InsertEvents(ctx, evs)
		cancel()
		if err != nil {
			cfg.Log.Error("events not stored", "client", s.clientID, "count", len(evs), "err", err)
			s.sendError(env.ID, &protocol.Error{Code: protocol.CodeUnavailable, Message: "events not stored (" + err.Error() + "); nothing was acknowledged, resend later"})
			return
		}
		cfg.Changes.Publish(changes.EventsStored{})
		if prompts && added > 0 {
			cfg.Changes.Publish(changes.PromptAnswered{})
		}
	}
	for _, r := range body.Rejected {
		cfg.Log.Warn("event rejected", "client", s.clientID, "id", r.ID, "field", r.Field, "reason", r.Message)
	}
	s.send(protocol.TypeAck, env.ID, ack)
}

// breakStop runs the break page's early end: a request gets a ticket, and
// break_stop with that ticket and a reason ends the break once the wait is
// over. Every refusal says why.
func (s *session) breakStop(env protocol.Envelope) {
	cfg := s.hub.cfg
	if cfg.Breaks == nil {
		s.sendError(env.ID, &protocol.Error{Code: protocol.CodeRefused, Message: "this daemon does not end breaks from the browser"})
		return
	}
	ctx, cancel := context.WithTimeout(s.hub.ctx, 10*time.Second)
	defer cancel()
	if env.Type == protocol.TypeBreakStopRequest {
		t, err := cfg.Breaks.RequestStop(ctx)
		if err != nil {
			s.sendError(env.ID, &protocol.Error{Code: protocol.CodeRefused, Message: err.Error()})
			return
		}
		body := protocol.BreakStopTicket{Ticket: t.ID, NotBefore: t.NotBefore.UTC(), Name: t.Period.Name}
		if !breaks.OpenEnded(schedule.Window{End: t.Period.End}) {
			e := t.Period.End.UTC()
			body.End = &e
		}
		s.send(protocol.TypeBreakStopTicket, env.ID, body)
		return
	}
	b, perr := protocol.DecodeBreakStop(env.Body)
	if perr != nil {
		s.sendError(env.ID, perr)
		return
	}
	p, err := cfg.Breaks.Stop(ctx, b.Ticket, b.Reason)
	if err != nil {
		code := protocol.CodeRefused
		if errors.Is(err, breaks.ErrInvalid) {
			code = protocol.CodeInvalid
		}
		s.sendError(env.ID, &protocol.Error{Code: code, Message: err.Error(), Field: fieldOf(err)})
		return
	}
	s.send(protocol.TypeBreakStopped, env.ID, protocol.BreakStopped{Name: p.Name, At: cfg.Now().UTC()})
}

// fieldOf names the field of a refused break_stop: the reason is the only
// input Stop can find invalid.
func fieldOf(err error) string {
	if errors.Is(err, breaks.ErrInvalid) {
		return "reason"
	}
	return ""
}

// storeEvent turns a valid wire event into a stored one. The daemon names
// the feed of a navigation itself when it has the URL; the URL itself is
// kept only if the user opted in.
func (s *session) storeEvent(v protocol.ValidEvent, now time.Time, fullURLs bool) store.Event {
	e := store.Event{
		ID: v.ID, ClientID: s.clientID, TS: v.Time, Type: v.Type, Domain: v.Domain, ReceivedAt: now.UTC(),
		EventFields: v.EventFields,
	}
	if v.Type == api.EventTabNavigated {
		e.FeedID = ""
		if v.URL != "" {
			if u, err := url.Parse(v.URL); err == nil {
				if id, ok := s.hub.cfg.MatchFeed(u.Hostname(), u.EscapedPath()); ok {
					e.FeedID = id
				}
			}
		} else {
			e.FeedID = v.FeedID
		}
	}
	if fullURLs {
		e.URL = v.URL
	}
	return e
}

func (s *session) send(typ, re string, body any) {
	s.nextID++
	b, err := protocol.Encode(typ, "d-"+strconv.Itoa(s.nextID), re, body)
	if err != nil {
		s.hub.cfg.Log.Error("encode", "type", typ, "err", err)
		return
	}
	s.conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := s.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		s.hub.cfg.Log.Debug("write failed", "type", typ, "err", err)
	}
}

func (s *session) sendError(re string, e *protocol.Error) {
	s.send(protocol.TypeError, re, e)
}

func (s *session) close(code int, reason string) {
	s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}
