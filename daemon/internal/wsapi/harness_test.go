package wsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

const (
	chromeOrigin = "chrome-extension://" + admission.ChromeExtensionID
	mozOriginA   = "moz-extension://7b0c1f52-3c5e-4d1a-9f6e-2a4b8c9d0e11"
	mozOriginB   = "moz-extension://00000000-1111-4222-8333-444444444444"
)

// env is a real hub on a real loopback port with a real SQLite file.
type env struct {
	t        testing.TB
	st       *store.Store
	hub      *wsapi.Hub
	pairings *auth.Pairings
	addr     string
	port     string
	dbPath   string
}

func newEnv(t testing.TB, mod func(*wsapi.Config)) *env {
	t.Helper()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "mindful.db")
	st, err := store.Open(context.Background(), dbPath, store.Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	pairings := &auth.Pairings{}
	cfg := wsapi.Config{Store: st, Pairings: pairings, Origins: admission.DefaultOriginPolicy(), Version: "test",
		Log: slog.New(slog.NewTextHandler(t.Output(), nil))}
	if mod != nil {
		mod(&cfg)
	}
	hub := wsapi.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	mux := http.NewServeMux()
	mux.Handle("GET /ws", hub)
	srv := &http.Server{Handler: admission.Hosts(port, mux)}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hub.Shutdown(ctx)
		srv.Shutdown(ctx)
		st.Close()
	})
	return &env{t: t, st: st, hub: hub, pairings: pairings, addr: ln.Addr().String(), port: port, dbPath: dbPath}
}

func (e *env) dialHost(origin, host string) (*wsc, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if host != "" {
		h.Set("Host", host)
	}
	c, resp, err := d.Dial("ws://"+e.addr+"/ws", h)
	if err != nil {
		return nil, resp, err
	}
	w := &wsc{t: e.t, c: c}
	e.t.Cleanup(func() { c.Close() })
	return w, resp, nil
}

func (e *env) dial(origin string) *wsc {
	e.t.Helper()
	w, _, err := e.dialHost(origin, "")
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	return w
}

// pair runs the whole pairing flow from origin and returns the
// authenticated socket, the client id and the token.
func (e *env) pair(origin, clientID string) (*wsc, string) {
	e.t.Helper()
	w := e.dial(origin)
	id := w.send(protocol.TypePairRequest, info(clientID))
	pp := w.expect(protocol.TypePairPending)
	if pp.Re != id {
		e.t.Fatalf("pair_pending re = %q, want %q", pp.Re, id)
	}
	var pend protocol.PairPending
	decode(e.t, pp.Body, &pend)
	if _, err := e.hub.Approve(context.Background(), pend.Code); err != nil {
		e.t.Fatalf("approve %s: %v", pend.Code, err)
	}
	var paired protocol.Paired
	pe := w.expect(protocol.TypePaired)
	if pe.Re != id {
		e.t.Fatalf("paired re = %q, want the pair_request's id %q", pe.Re, id)
	}
	decode(e.t, pe.Body, &paired)
	if paired.ClientID != clientID || len(paired.Token) != 64 {
		e.t.Fatalf("paired = %+v", paired)
	}
	w.hello(clientID, paired.Token)
	return w, paired.Token
}

func info(clientID string) map[string]any {
	return map[string]any{"client_id": clientID, "browser": "chromium", "browser_version": "156.0", "ext_version": "0.1.0"}
}

// wsc is a test client socket.
type wsc struct {
	t testing.TB
	c *websocket.Conn
	n int
}

func (w *wsc) send(typ string, body any) string {
	w.t.Helper()
	w.n++
	id := "c-" + strconv.Itoa(w.n)
	b, err := protocol.Encode(typ, id, "", body)
	if err != nil {
		w.t.Fatal(err)
	}
	w.sendRaw(b)
	return id
}

func (w *wsc) sendRaw(b []byte) {
	w.t.Helper()
	if err := w.c.WriteMessage(websocket.TextMessage, b); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// recv reads the next message, or fails after a generous deadline.
func (w *wsc) recv() (protocol.Envelope, error) {
	w.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := w.c.ReadMessage()
	if err != nil {
		return protocol.Envelope{}, err
	}
	env, perr := protocol.Decode(b)
	if perr != nil {
		w.t.Fatalf("daemon sent a bad frame %s: %v", b, perr)
	}
	return env, nil
}

// expect reads messages until one of type typ, skipping daemon pings.
func (w *wsc) expect(typ string) protocol.Envelope {
	w.t.Helper()
	for {
		env, err := w.recv()
		if err != nil {
			w.t.Fatalf("waiting for %s: %v", typ, err)
		}
		if env.Type == protocol.TypePing && typ != protocol.TypePing {
			continue
		}
		if env.Type != typ {
			w.t.Fatalf("got %s %s, want %s", env.Type, env.Body, typ)
		}
		return env
	}
}

func (w *wsc) expectError(code string) protocol.Error {
	w.t.Helper()
	var e protocol.Error
	decode(w.t, w.expect(protocol.TypeError).Body, &e)
	if e.Code != code {
		w.t.Fatalf("error code = %q (%s), want %q", e.Code, e.Message, code)
	}
	return e
}

// expectClose reads until the daemon closes the socket and returns the close.
func (w *wsc) expectClose(code int) string {
	w.t.Helper()
	for {
		_, err := w.recv()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			w.t.Fatalf("want close %d, got %v", code, err)
		}
		if ce.Code != code {
			w.t.Fatalf("close code = %d (%q), want %d", ce.Code, ce.Text, code)
		}
		return ce.Text
	}
}

func (w *wsc) hello(clientID, token string) protocol.Welcome {
	w.t.Helper()
	body := info(clientID)
	body["token"] = token
	w.send(protocol.TypeHello, body)
	var wl protocol.Welcome
	decode(w.t, w.expect(protocol.TypeWelcome).Body, &wl)
	return wl
}

func decode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// eventually waits, with a deadline, for cond to hold.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ev(id, typ string, extra map[string]any) map[string]any {
	m := map[string]any{"id": id, "ts": time.Now().UTC().Format(time.RFC3339Nano), "type": typ}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func nav(id, domain string) map[string]any {
	return ev(id, api.EventTabNavigated, map[string]any{"tab_id": 3, "window_id": 1, "domain": domain, "url": "https://" + domain + "/r/golang/?utm=x#frag"})
}
