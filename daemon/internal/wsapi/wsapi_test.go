package wsapi_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/mattn/go-sqlite3"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

func storedEvents(t *testing.T, e *env) []store.Event {
	t.Helper()
	evs, err := e.st.Events(context.Background(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestPairHelloEventsAck(t *testing.T) {
	e := newEnv(t, nil)
	w, token := e.pair(chromeOrigin, "client-aaaa-1")

	if !e.hub.Connected()["client-aaaa-1"] {
		t.Fatal("client not shown as connected after welcome")
	}
	c, err := e.st.Client(context.Background(), "client-aaaa-1")
	if err != nil {
		t.Fatal(err)
	}
	if string(c.TokenHash) == token || len(c.TokenHash) != 32 {
		t.Fatalf("store must keep only the 32-byte token hash, got %d bytes", len(c.TokenHash))
	}
	if c.Origin != chromeOrigin {
		t.Fatalf("origin = %q", c.Origin)
	}

	id := w.send(protocol.TypeEvents, map[string]any{"events": []any{
		nav("e1", "www.reddit.com"),
		ev("e2", api.EventIdleState, map[string]any{"state": "locked"}),
	}})
	ack := w.expect(protocol.TypeAck)
	if ack.Re != id {
		t.Fatalf("ack re = %q, want %q", ack.Re, id)
	}
	var a protocol.Ack
	decode(t, ack.Body, &a)
	if strings.Join(a.IDs, ",") != "e1,e2" || len(a.Rejected) != 0 {
		t.Fatalf("ack = %+v", a)
	}
	evs := storedEvents(t, e)
	if len(evs) != 2 {
		t.Fatalf("stored %d events, want 2", len(evs))
	}
	if evs[0].ID != "e1" || evs[0].ClientID != "client-aaaa-1" || evs[0].Domain != "www.reddit.com" || evs[0].Type != "tab_navigated" {
		t.Fatalf("stored %+v", evs[0])
	}
	if evs[0].URL != "" {
		t.Fatalf("full URL stored without opt-in: %q", evs[0].URL)
	}
	if evs[1].State != "locked" {
		t.Fatalf("idle state = %q", evs[1].State)
	}

	// The token works again on a new socket: the next start of the browser.
	w.c.Close()
	eventually(t, "disconnect to show", func() bool { return !e.hub.Connected()["client-aaaa-1"] })
	w2 := e.dial(chromeOrigin)
	w2.hello("client-aaaa-1", token)
}

func TestFullURLsOnlyWithOptIn(t *testing.T) {
	e := newEnv(t, func(c *wsapi.Config) { c.StoreFullURLs = func() bool { return true } })
	w, _ := e.pair(chromeOrigin, "client-url-1")
	w.send(protocol.TypeEvents, map[string]any{"events": []any{nav("u1", "www.reddit.com")}})
	w.expect(protocol.TypeAck)
	evs := storedEvents(t, e)
	if len(evs) != 1 || evs[0].URL != "https://www.reddit.com/r/golang/" {
		t.Fatalf("want the URL without query and fragment, got %+v", evs)
	}
}

func TestReplayIsStoredOnce(t *testing.T) {
	e := newEnv(t, nil)
	w, token := e.pair(chromeOrigin, "client-replay")
	batch := map[string]any{"events": []any{nav("r1", "a.test"), nav("r2", "b.test")}}
	w.send(protocol.TypeEvents, batch)
	w.expect(protocol.TypeAck)
	w.c.Close()

	// The ack was lost, say: the extension replays the same events.
	w2 := e.dial(chromeOrigin)
	w2.hello("client-replay", token)
	w2.send(protocol.TypeEvents, batch)
	var a protocol.Ack
	decode(t, w2.expect(protocol.TypeAck).Body, &a)
	if strings.Join(a.IDs, ",") != "r1,r2" {
		t.Fatalf("replay must be acknowledged again, got %+v", a)
	}
	if n := len(storedEvents(t, e)); n != 2 {
		t.Fatalf("stored %d events after replay, want 2", n)
	}
}

func TestMalformedMessagesKeepConnection(t *testing.T) {
	e := newEnv(t, nil)
	w, _ := e.pair(chromeOrigin, "client-bad-1")

	w.sendRaw([]byte("not json"))
	w.expectError(protocol.CodeBadJSON)

	w.sendRaw([]byte(`{"v":1,"type":"frobnicate","id":"x1","body":{}}`))
	if er := w.expectError(protocol.CodeUnknownType); er.Field != "type" {
		t.Fatalf("field = %q", er.Field)
	}
	w.sendRaw([]byte(`{"v":2,"type":"events","id":"x2","body":{}}`))
	w.expectError(protocol.CodeUnsupportedVersion)

	w.sendRaw([]byte(`{"v":1,"type":"events","id":"x3","body":{"events":"no"}}`))
	if er := w.expectError(protocol.CodeInvalid); er.Field != "events" {
		t.Fatalf("field = %q (%s)", er.Field, er.Message)
	}

	// One bad event is rejected by name; its sibling is stored.
	bad := ev("b2", api.EventTabNavigated, map[string]any{"tab_id": 1, "window_id": 1})
	bad["ts"] = "yesterday"
	w.send(protocol.TypeEvents, map[string]any{"events": []any{nav("b1", "ok.test"), bad}})
	var a protocol.Ack
	decode(t, w.expect(protocol.TypeAck).Body, &a)
	if strings.Join(a.IDs, ",") != "b1" || len(a.Rejected) != 1 || a.Rejected[0].ID != "b2" || a.Rejected[0].Field != "events[1].ts" {
		t.Fatalf("ack = %+v", a)
	}

	// Still usable.
	id := w.send(protocol.TypePing, protocol.Empty{})
	if p := w.expect(protocol.TypePong); p.Re != id {
		t.Fatalf("pong re = %q", p.Re)
	}
	if n := len(storedEvents(t, e)); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
}

func TestOversizeFrameClosesWithReason(t *testing.T) {
	e := newEnv(t, nil)
	w, _ := e.pair(chromeOrigin, "client-big-1")
	w.sendRaw([]byte(`{"v":1,"type":"ping","id":"big","body":{"pad":"` + strings.Repeat("x", protocol.MaxMessageBytes) + `"}}`))
	reason := w.expectClose(websocket.CloseMessageTooBig)
	if !strings.Contains(reason, "65536") {
		t.Fatalf("close reason %q does not say the limit", reason)
	}
}

func TestUnauthenticatedSocketGetsNothing(t *testing.T) {
	e := newEnv(t, nil)
	w := e.dial(chromeOrigin)
	w.send(protocol.TypeEvents, map[string]any{"events": []any{nav("n1", "x.test")}})
	w.expectError(protocol.CodeNotAuthenticated)
	w.expectClose(websocket.ClosePolicyViolation)
	if n := len(storedEvents(t, e)); n != 0 {
		t.Fatalf("unauthenticated events stored: %d", n)
	}
}

func TestSilentSocketTimesOut(t *testing.T) {
	e := newEnv(t, func(c *wsapi.Config) { c.AuthTimeout = 100 * time.Millisecond })
	w := e.dial(chromeOrigin)
	w.expectClose(protocol.CloseAuthTimeout)
}

func TestWrongTokenRefused(t *testing.T) {
	e := newEnv(t, nil)
	e.pair(chromeOrigin, "client-tok-1")
	for _, tc := range []struct{ name, client, token string }{
		{"wrong token", "client-tok-1", strings.Repeat("ab", 32)},
		{"unknown client", "client-nobody", strings.Repeat("cd", 32)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.dial(chromeOrigin)
			body := info(tc.client)
			body["token"] = tc.token
			w.send(protocol.TypeHello, body)
			w.expectError(protocol.CodeUnauthorized)
			w.expectClose(protocol.CloseUnauthorized)
		})
	}
}

func TestTokenBoundToOrigin(t *testing.T) {
	e := newEnv(t, nil)
	w, token := e.pair(mozOriginA, "client-fx-1")
	w.c.Close()
	// Another extension in the same Firefox, with a stolen token.
	other := e.dial(mozOriginB)
	body := info("client-fx-1")
	body["token"] = token
	other.send(protocol.TypeHello, body)
	other.expectError(protocol.CodeUnauthorized)
	other.expectClose(protocol.CloseUnauthorized)
	// The real one still works.
	e.dial(mozOriginA).hello("client-fx-1", token)
}

func TestWebOriginsCannotHandshake(t *testing.T) {
	e := newEnv(t, nil)
	for _, origin := range []string{"http://127.0.0.1:8080", "https://evil.example", "null", "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		_, resp, err := e.dialHost(origin, "")
		if err == nil {
			t.Fatalf("origin %s completed a handshake", origin)
		}
		if resp == nil || resp.StatusCode != 403 {
			t.Fatalf("origin %s: want 403, got %v", origin, resp)
		}
	}
}

func TestWrongHostRefused(t *testing.T) {
	e := newEnv(t, nil)
	for _, host := range []string{"evil.test:" + e.port, "127.0.0.1.nip.io:" + e.port, "127.0.0.1:1"} {
		_, resp, err := e.dialHost(chromeOrigin, host)
		if err == nil || resp == nil || resp.StatusCode != 421 {
			t.Fatalf("Host %s: want 421, got %v %v", host, resp, err)
		}
	}
	w, _, err := e.dialHost(chromeOrigin, "localhost:"+e.port)
	if err != nil {
		t.Fatalf("localhost:%s must be accepted: %v", e.port, err)
	}
	w.c.Close()
}

func TestRevokeClosesSocket(t *testing.T) {
	e := newEnv(t, nil)
	w, token := e.pair(chromeOrigin, "client-rev-1")
	if err := e.hub.Revoke(context.Background(), "client-rev-1"); err != nil {
		t.Fatal(err)
	}
	w.expectClose(protocol.CloseRevoked)
	w2 := e.dial(chromeOrigin)
	body := info("client-rev-1")
	body["token"] = token
	w2.send(protocol.TypeHello, body)
	w2.expectError(protocol.CodeUnauthorized)
	if err := e.hub.Revoke(context.Background(), "client-rev-1"); err == nil {
		t.Fatal("second revoke must fail")
	}
}

func TestPairingCodeDiesWithSocket(t *testing.T) {
	e := newEnv(t, nil)
	w := e.dial(chromeOrigin)
	w.send(protocol.TypePairRequest, info("client-gone-1"))
	var pend protocol.PairPending
	decode(t, w.expect(protocol.TypePairPending).Body, &pend)
	if len(pend.Code) != 6 {
		t.Fatalf("code %q", pend.Code)
	}
	w.c.Close()
	eventually(t, "pending request to be dropped", func() bool { return len(e.pairings.List(time.Now())) == 0 })
	if _, err := e.hub.Approve(context.Background(), pend.Code); err == nil {
		t.Fatal("approving the code of a closed socket must fail")
	}
}

func TestPingAndPongTimeout(t *testing.T) {
	e := newEnv(t, func(c *wsapi.Config) {
		c.PingInterval = 20 * time.Millisecond
		c.PongTimeout = 200 * time.Millisecond
	})
	w, _ := e.pair(chromeOrigin, "client-ping-1")
	p := w.expect(protocol.TypePing)
	w.c.WriteMessage(websocket.TextMessage, mustEncode(t, protocol.TypePong, "c-pong", p.ID))
	// From now on we stay silent: the daemon gives up on us.
	w.expectClose(protocol.ClosePingTimeout)
}

func TestLockedDatabaseLosesNothing(t *testing.T) {
	e := newEnv(t, nil)
	w, _ := e.pair(chromeOrigin, "client-lock-1")

	other, err := sql.Open("sqlite3", "file:"+e.dbPath+"?_txlock=exclusive")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO settings (key, value) VALUES ('hold', 'lock')"); err != nil {
		t.Fatal(err)
	}

	batch := map[string]any{"events": []any{nav("l1", "x.test")}}
	w.send(protocol.TypeEvents, batch)
	er := w.expectError(protocol.CodeUnavailable)
	if !strings.Contains(er.Message, "nothing was acknowledged") {
		t.Fatalf("message %q", er.Message)
	}
	tx.Rollback()

	w.send(protocol.TypeEvents, batch)
	var a protocol.Ack
	decode(t, w.expect(protocol.TypeAck).Body, &a)
	if len(a.IDs) != 1 {
		t.Fatalf("ack %+v", a)
	}
	if n := len(storedEvents(t, e)); n != 1 {
		t.Fatalf("stored %d", n)
	}
}

func TestShutdownSaysGoingAway(t *testing.T) {
	e := newEnv(t, nil)
	w, _ := e.pair(chromeOrigin, "client-bye-1")
	go e.hub.Shutdown(context.Background())
	w.expectClose(websocket.CloseGoingAway)
}

func mustEncode(t *testing.T, typ, id, re string) []byte {
	b, err := protocol.Encode(typ, id, re, protocol.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
