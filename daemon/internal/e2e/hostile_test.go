package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon"
	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// hostileCase is one thing a hostile local client tries against the real
// daemon, and the check that it was refused (or did no harm). The reduced
// suite (TestHostileClients, in `make test`) and the soak (TestSoak, `make
// soak`) run the same cases.
type hostileCase struct {
	name string
	slow bool // waits for a server timeout (tens of seconds): run in parallel
	run  func(t testing.TB, d *daemonProc)
}

var hostileCases = []hostileCase{
	{"pairing flood from other origins", false, pairingFlood},
	{"token guessing while the extension reconnects", false, tokenGuessing},
	{"binary frame before hello", false, binaryBeforeHello},
	{"absolute-URL request line with a foreign Host", false, absoluteURL},
	{"token origin in another case", false, originCase},
	{"slow request body", true, slowBody},
	{"idle keep-alive after 401", true, idleAfter401},
	{"status stream and socket outlive the HTTP timeouts", true, longLivedStreams},
}

// TestHostileClients runs every hostile case against one real daemon.
func TestHostileClients(t *testing.T) {
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	t.Run("group", func(t *testing.T) {
		for _, hc := range hostileCases {
			t.Run(hc.name, func(t *testing.T) {
				if hc.slow {
					t.Parallel()
				}
				hc.run(t, d)
			})
		}
	})
}

// dialWS opens a socket with origin ("" sends none).
func dialWS(t testing.TB, d *daemonProc, origin string) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, _, err := websocket.DefaultDialer.Dial("ws://"+d.addr+"/ws", h)
	if err != nil {
		t.Fatalf("dial with origin %q: %v", origin, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func wsSend(t testing.TB, c *websocket.Conn, typ, id string, body any) {
	t.Helper()
	b, _ := protocol.Encode(typ, id, "", body)
	if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
}

// wsRecv reads until a message of type typ (skipping pings), or fails.
func wsRecv(t testing.TB, c *websocket.Conn, typ string) protocol.Envelope {
	t.Helper()
	for {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		env, perr := protocol.Decode(b)
		if perr != nil {
			t.Fatal(perr)
		}
		if env.Type == typ {
			return env
		}
		if env.Type != protocol.TypePing {
			t.Fatalf("got %s %s while waiting for %s", env.Type, env.Body, typ)
		}
	}
}

// wsClosed reads until the daemon closes the socket and returns the code.
func wsClosed(t testing.TB, c *websocket.Conn) int {
	t.Helper()
	for {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, _, err := c.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			t.Fatalf("want a close frame, got %v", err)
		}
	}
}

func mozOrigin(i int) string {
	return fmt.Sprintf("moz-extension://%08d-1111-4222-8333-444444444444", i)
}

func hello(clientID, token string) map[string]any {
	return map[string]any{"client_id": clientID, "browser": "firefox", "token": token}
}

// pairingFlood: eight other add-ons and a local program keep pairing
// requests open; mindful's extension still gets a code, and `mindful pair
// list` shows every request's origin and browser.
func pairingFlood(t testing.TB, d *daemonProc) {
	for i := range 9 {
		origin := mozOrigin(i)
		if i == 8 {
			origin = ""
		}
		c := dialWS(t, d, origin)
		wsSend(t, c, protocol.TypePairRequest, "c-1", map[string]any{"client_id": fmt.Sprintf("flood-client-%d", i), "browser": "firefox"})
		wsRecv(t, c, protocol.TypePairPending)
	}
	c := dialWS(t, d, "chrome-extension://"+admission.ChromeExtensionID)
	wsSend(t, c, protocol.TypePairRequest, "c-1", map[string]any{"client_id": "mindful-real-client", "browser": "chromium"})
	var pend protocol.PairPending
	json.Unmarshal(wsRecv(t, c, protocol.TypePairPending).Body, &pend)
	var listed *api.PendingPairing
	p := d.pairing()
	for i, r := range p.Pending {
		if r.Code == pend.Code {
			listed = &p.Pending[i]
		}
	}
	if listed == nil || listed.Origin != "chrome-extension://"+admission.ChromeExtensionID || listed.Browser != "chromium" {
		t.Fatalf("mindful's request %s is not listed with its origin and browser: %+v", pend.Code, p.Pending)
	}
	text := string(d.cli("pair", "list"))
	for _, want := range []string{pend.Code, mozOrigin(3), "no origin: a local program", "chromium"} {
		if !strings.Contains(text, want) {
			t.Errorf("`mindful pair list` does not show %q:\n%s", want, text)
		}
	}
}

// tokenGuessing: sockets guess tokens (for the real client id and for
// made-up ones) while the real extension reconnects; each guess is refused
// with 4001 and the extension is welcomed every time.
func tokenGuessing(t testing.TB, d *daemonProc) {
	_, token := goClient(t, d, "guess-target-client")
	ctx, cancel := context.WithCancel(context.Background())
	const guessers = 10
	refused := make(chan int, guessers)
	for i := range guessers {
		go func() {
			n := 0
			defer func() { refused <- n }()
			for ctx.Err() == nil {
				c, _, err := websocket.DefaultDialer.Dial("ws://"+d.addr+"/ws", nil)
				if err != nil {
					return
				}
				id := "guess-target-client"
				if i%2 == 1 {
					id = fmt.Sprintf("guess-nobody-%d", i)
				}
				b, _ := protocol.Encode(protocol.TypeHello, "c-1", "", hello(id, strings.Repeat(fmt.Sprintf("%02x", n%256), 32)))
				c.WriteMessage(websocket.TextMessage, b)
				c.SetReadDeadline(time.Now().Add(30 * time.Second))
				for {
					if _, _, err := c.ReadMessage(); err != nil {
						var ce *websocket.CloseError
						if errors.As(err, &ce) && ce.Code == protocol.CloseUnauthorized {
							n++
						}
						break
					}
				}
				c.Close()
			}
		}()
	}
	for range 3 {
		c := dialWS(t, d, "")
		wsSend(t, c, protocol.TypeHello, "c-1", hello("guess-target-client", token))
		wsRecv(t, c, protocol.TypeWelcome)
		c.Close()
	}
	cancel()
	total := 0
	for range guessers {
		total += <-refused
	}
	if total == 0 {
		t.Fatal("no guess was refused with 4001")
	}
}

// binaryBeforeHello: a binary first frame closes the socket with 1008.
func binaryBeforeHello(t testing.TB, d *daemonProc) {
	c := dialWS(t, d, "")
	if err := c.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if code := wsClosed(t, c); code != websocket.ClosePolicyViolation {
		t.Fatalf("close code %d, want 1008", code)
	}
}

// rawHTTP sends a raw request and returns the status.
func rawHTTP(t testing.TB, addr, req string) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, req)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// absoluteURL: the host in the request line does not hide the Host header.
func absoluteURL(t testing.TB, d *daemonProc) {
	for _, req := range []string{
		"GET http://" + d.addr + "/api/v1/status HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
		"GET http://evil.example/api/v1/status HTTP/1.1\r\nHost: " + d.addr + "\r\nConnection: close\r\n\r\n",
	} {
		if code := rawHTTP(t, d.addr, req); code != http.StatusMisdirectedRequest {
			t.Errorf("%q: status %d, want 421", strings.SplitN(req, "\r\n", 2)[0], code)
		}
	}
}

// originCase: the token's origin binding ignores case, as the Origin
// policy does.
func originCase(t testing.TB, d *daemonProc) {
	origin := mozOrigin(77)
	c := dialWS(t, d, origin)
	wsSend(t, c, protocol.TypePairRequest, "c-1", map[string]any{"client_id": "case-client-1", "browser": "firefox"})
	var pend protocol.PairPending
	json.Unmarshal(wsRecv(t, c, protocol.TypePairPending).Body, &pend)
	d.cli("pair", "approve", pend.Code)
	var paired protocol.Paired
	json.Unmarshal(wsRecv(t, c, protocol.TypePaired).Body, &paired)
	c.Close()
	c = dialWS(t, d, strings.ToUpper(origin))
	wsSend(t, c, protocol.TypeHello, "c-2", hello("case-client-1", paired.Token))
	wsRecv(t, c, protocol.TypeWelcome)
}

// closedWithin waits for the server to close c, within limit.
func closedWithin(t testing.TB, c net.Conn, limit time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the daemon kept the connection open for %s", limit)
	}
}

// slowBody: a request body that never finishes is cut off.
func slowBody(t testing.TB, d *daemonProc) {
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/v1/pairing/approve HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"co", d.addr)
	closedWithin(t, c, 3*daemon.HTTPReadTimeout)
}

// idleAfter401: an answered keep-alive connection does not stay open.
func idleAfter401(t testing.TB, d *daemonProc) {
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /api/v1/status HTTP/1.1\r\nHost: %s\r\n\r\n", d.addr)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	closedWithin(t, c, 3*daemon.HTTPIdleTimeout)
}

// longLivedStreams: the status stream (as the tray watches it) and an
// authenticated socket keep working past the server's read and write
// timeouts.
func longLivedStreams(t testing.TB, d *daemonProc) {
	cl, err := client.Open(d.addr, d.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := goClient(t, d, "long-lived-client")
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	late := make(chan struct{}, 1)
	ended := make(chan error, 1)
	go func() {
		ended <- cl.Watch(ctx, func(api.Status) {
			if time.Since(start) > daemon.HTTPReadTimeout+daemon.HTTPWriteTimeout {
				select {
				case late <- struct{}{}:
				default:
				}
			}
		})
	}()
	select {
	case <-late: // the stream's periodic status came after both timeouts
	case err := <-ended:
		t.Fatalf("the status stream ended after %s: %v", time.Since(start).Round(time.Second), err)
	case <-time.After(2 * time.Minute):
		t.Fatal("no status on the stream after the HTTP timeouts")
	}
	ev := map[string]any{"id": "long-lived-1", "ts": time.Now().UTC().Format(time.RFC3339Nano), "type": "tab_activated", "tab_id": 1, "window_id": 1, "domain": "late.test"}
	wsSend(t, ws, protocol.TypeEvents, "late-1", map[string]any{"events": []any{ev}})
	var a protocol.Ack
	json.Unmarshal(wsRecv(t, ws, protocol.TypeAck).Body, &a)
	if len(a.IDs) != 1 {
		t.Fatalf("ack after the HTTP timeouts: %+v", a)
	}
}
