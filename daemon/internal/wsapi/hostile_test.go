package wsapi_test

import (
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/internal/protocol"
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
