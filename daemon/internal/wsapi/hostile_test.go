package wsapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

// A binary frame before hello is not hello or pair_request: it gets an
// error and the socket is closed at once (docs/protocol.md, lifecycle step
// 2), instead of staying open until the authentication timeout.
func TestBinaryFrameBeforeHelloCloses(t *testing.T) {
	e := newEnv(t, nil)
	w := e.dial(chromeOrigin)
	if err := w.c.WriteMessage(websocket.BinaryMessage, []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	w.expectError(protocol.CodeBadJSON)
	w.expectClose(websocket.ClosePolicyViolation)

	// After hello, a binary frame is an error and the socket stays usable.
	a, _ := e.pair(chromeOrigin, "client-bin-1")
	if err := a.c.WriteMessage(websocket.BinaryMessage, []byte{0}); err != nil {
		t.Fatal(err)
	}
	a.expectError(protocol.CodeBadJSON)
	id := a.send(protocol.TypePing, protocol.Empty{})
	if p := a.expect(protocol.TypePong); p.Re != id {
		t.Fatalf("pong re = %q", p.Re)
	}
}

// The token's origin binding follows the one rule of the Origin policy:
// origins do not depend on case.
func TestTokenOriginBindingIgnoresCase(t *testing.T) {
	e := newEnv(t, nil)
	w, token := e.pair(mozOriginA, "client-case-1")
	w.c.Close()
	e.dial(strings.ToUpper(mozOriginA)).hello("client-case-1", token)
	// Another origin, in any case, is still refused.
	other := e.dial(strings.ToUpper(mozOriginB))
	body := info("client-case-1")
	body["token"] = token
	other.send(protocol.TypeHello, body)
	other.expectError(protocol.CodeUnauthorized)
	other.expectClose(protocol.CloseUnauthorized)
}

// Other add-ons and local programs cannot lock mindful's extension out of
// pairing: their open requests fill at most one slot per origin, and a full
// registry drops its oldest request, whose socket is told to ask again.
func TestPairingFloodCannotBlockTheExtension(t *testing.T) {
	e := newEnv(t, nil)
	var flood []*wsc
	for i := range 12 {
		origin := fmt.Sprintf("moz-extension://%08d-1111-4222-8333-444444444444", i)
		if i >= 10 {
			origin = "" // a local program sending no Origin, twice
		}
		w := e.dial(origin)
		w.send(protocol.TypePairRequest, info(fmt.Sprintf("flood-client-%d", i)))
		w.expect(protocol.TypePairPending)
		flood = append(flood, w)
	}
	// The second request with no Origin replaced the first.
	flood[10].expectClose(websocket.CloseTryAgainLater)

	w := e.dial(chromeOrigin)
	w.send(protocol.TypePairRequest, info("client-real-1"))
	var pend protocol.PairPending
	decode(t, w.expect(protocol.TypePairPending).Body, &pend)
	found := false
	for _, p := range e.pairings.List(time.Now()) {
		found = found || p.Code == pend.Code && p.Origin == chromeOrigin
	}
	if !found {
		t.Fatalf("mindful's request is not listed with its origin: %+v", e.pairings.List(time.Now()))
	}
	if _, err := e.hub.Approve(context.Background(), pend.Code); err != nil {
		t.Fatal(err)
	}
	w.expect(protocol.TypePaired)
}

// Guessing tokens slows the guessers, not the daemon: while wrong hellos
// wait for their answers, the real extension's hello is welcomed at once.
func TestTokenGuessersDoNotSlowTheExtension(t *testing.T) {
	e := newEnv(t, func(c *wsapi.Config) {
		c.Hellos = &auth.FailedHellos{Penalty: time.Hour} // guessers are answered only at shutdown
	})
	w, token := e.pair(chromeOrigin, "client-real-2")
	w.c.Close()
	const guessers = 20
	for i := range guessers {
		g := e.dial(chromeOrigin)
		body := info("client-real-2")
		if i%2 == 1 {
			body = info(fmt.Sprintf("client-nobody-%d", i))
		}
		body["token"] = strings.Repeat(fmt.Sprintf("%02x", i), 32)
		g.send(protocol.TypeHello, body)
	}
	eventually(t, "every guess checked", func() bool { waiting, _ := e.hub.FailedHelloCounts(); return waiting == guessers })
	e.dial(chromeOrigin).hello("client-real-2", token)
	if waiting, answered := e.hub.FailedHelloCounts(); waiting != guessers || answered != 0 {
		t.Fatalf("%d guesses waiting and %d answered when the extension was welcomed, want %d and 0", waiting, answered, guessers)
	}
}

// A burst of changes (prompt answers from many tabs) computes and sends one
// state, not one per change; a change that leaves the state as it was sends
// nothing.
func TestStateBurstIsSentOnce(t *testing.T) {
	var version, computed atomic.Int64
	e := newEnv(t, func(c *wsapi.Config) {
		c.Coalesce = 500 * time.Millisecond
		c.State = func(context.Context) (protocol.State, error) {
			computed.Add(1)
			return protocol.State{HabitOpensToday: int(version.Load())}, nil
		}
	})
	w, _ := e.pair(chromeOrigin, "client-burst-1")
	welcomed := computed.Load()
	const burst = 100
	for i := 1; i <= burst; i++ {
		version.Store(int64(i))
		e.hub.StateChanged()
	}
	var st protocol.State
	decode(t, w.expect(protocol.TypeState).Body, &st)
	if st.HabitOpensToday != burst {
		t.Fatalf("the one state after the burst says %d, want the last change %d", st.HabitOpensToday, burst)
	}
	if n := computed.Load() - welcomed; n != 1 {
		t.Fatalf("a burst of %d changes computed the state %d times, want 1", burst, n)
	}
	// Nothing changed: the state is computed, but not sent again.
	sent := e.hub.StatesBroadcast()
	e.hub.StateChanged()
	eventually(t, "the state computed again", func() bool { return e.hub.StatesBroadcast() > sent })
	id := w.send(protocol.TypePing, protocol.Empty{})
	if p := w.expect(protocol.TypePong); p.Re != id {
		t.Fatalf("pong re = %q", p.Re)
	}
}
