package wsapi_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/store/dbtest"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

// TestDamagedStoreAcksNothing: a database found damaged while the daemon
// runs (a read said "malformed") takes no event: the batch gets
// `unavailable` and no ack, so the extension keeps it, and a browser that
// connects afterwards is told to try again later.
func TestDamagedStoreAcksNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mindful.db")
	dbtest.Fill(t, path, []store.Client{dbtest.Client("damaged-client-1", chromeOrigin, testToken)}, 20000)
	garbled := dbtest.Garble(t, path)
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hub := wsapi.New(wsapi.Config{Store: st, Pairings: &auth.Pairings{}, Origins: admission.DefaultOriginPolicy(), Version: "test",
		Log: slog.New(slog.NewTextHandler(t.Output(), nil)),
		Damaged: func() error {
			if d := st.Damage(); d != nil {
				return &damagedErr{d.Problem}
			}
			return nil
		}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	mux := http.NewServeMux()
	mux.Handle("GET /ws", hub)
	srv := &http.Server{Handler: admission.Hosts(port, mux)}
	go srv.Serve(ln)
	e := &env{t: t, st: st, hub: hub, addr: ln.Addr().String(), port: port, dbPath: path}
	defer func() {
		cx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		hub.Shutdown(cx)
		srv.Shutdown(cx)
		st.Close()
		dbtest.Same(t, path, garbled)
	}()

	hello := info("damaged-client-1")
	hello["token"] = testToken
	w := e.dial(chromeOrigin)
	w.send(protocol.TypeHello, hello)
	w.expect(protocol.TypeWelcome)

	// `mindful events` reads every event and meets the damaged page.
	if _, err := st.Events(ctx, store.EventFilter{Limit: 100000}); !store.IsCorrupt(err) {
		t.Fatalf("reading the events: %v, want malformed", err)
	}
	id := w.send(protocol.TypeEvents, map[string]any{"events": []any{map[string]any{
		"id": "after-damage-1", "ts": time.Now().UTC().Format(time.RFC3339Nano), "type": "tab_activated", "tab_id": 1, "window_id": 1, "domain": "a.example",
	}}})
	env := w.expect(protocol.TypeError)
	var perr protocol.Error
	decode(t, env.Body, &perr)
	if env.Re != id || perr.Code != protocol.CodeUnavailable || !strings.Contains(perr.Message, "damaged") || !strings.Contains(perr.Message, "nothing was acknowledged") {
		t.Fatalf("events into a damaged store: re %q, %+v", env.Re, perr)
	}

	// A browser that connects now is refused, to try again later.
	w2 := e.dial(chromeOrigin)
	w2.send(protocol.TypeHello, hello)
	env = w2.expect(protocol.TypeError)
	decode(t, env.Body, &perr)
	if perr.Code != protocol.CodeUnavailable || !strings.Contains(perr.Message, "malformed") {
		t.Fatalf("hello on a damaged store: %+v", perr)
	}
	w2.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := w2.c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
		t.Fatalf("close after a refused hello: %v, want 1013", err)
	}
}

type damagedErr struct{ problem string }

func (e *damagedErr) Error() string { return "the database is damaged (" + e.problem + ")" }

var testToken = strings.Repeat("5a", 32)
