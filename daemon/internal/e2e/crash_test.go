package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// goClient pairs a plain WebSocket client (no Origin, like a local tool)
// through `mindful pair approve` and returns the authenticated socket.
func goClient(t testing.TB, d *daemonProc, clientID string) (*websocket.Conn, string) {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+d.addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	send := func(typ, id string, body any) { t.Helper(); wsSend(t, c, typ, id, body) }
	recv := func(typ string) protocol.Envelope { t.Helper(); return wsRecv(t, c, typ) }
	info := map[string]any{"client_id": clientID, "browser": "unknown"}
	send(protocol.TypePairRequest, "c-1", info)
	var pend protocol.PairPending
	json.Unmarshal(recv(protocol.TypePairPending).Body, &pend)
	d.cli("pair", "approve", pend.Code)
	var paired protocol.Paired
	json.Unmarshal(recv(protocol.TypePaired).Body, &paired)
	info["token"] = paired.Token
	send(protocol.TypeHello, "c-2", info)
	recv(protocol.TypeWelcome)
	return c, paired.Token
}

// TestKilledMidWriteKeepsAcknowledged streams events into the real daemon,
// kills it with SIGKILL while writes are in flight, restarts it, and checks
// that every event it acknowledged is still there.
func TestKilledMidWriteKeepsAcknowledged(t *testing.T) {
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir)
	c, _ := goClient(t, d, "crash-client-1")

	acked := map[string]bool{}
	sent := 0
	acks := make(chan []string, 1000)
	go func() {
		defer close(acks)
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			env, _ := protocol.Decode(b)
			if env.Type == protocol.TypeAck {
				var a protocol.Ack
				json.Unmarshal(env.Body, &a)
				acks <- a.IDs
			}
		}
	}()
	// Keep several batches in flight; kill after 20 acknowledgements.
	for batch := 0; ; batch++ {
		evs := make([]any, 10)
		for i := range evs {
			sent++
			evs[i] = map[string]any{"id": fmt.Sprintf("k-%d", sent), "ts": time.Now().UTC().Format(time.RFC3339Nano),
				"type": "tab_activated", "tab_id": i, "window_id": 1, "domain": "crash.test"}
		}
		b, _ := protocol.Encode(protocol.TypeEvents, fmt.Sprintf("b-%d", batch), "", map[string]any{"events": evs})
		if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
			break
		}
		select {
		case ids := <-acks:
			for _, id := range ids {
				acked[id] = true
			}
		default:
		}
		if len(acked) >= 200 {
			d.Kill()
			break
		}
		if batch > 5000 {
			t.Fatal("no acknowledgements arrived")
		}
	}
	for ids := range acks { // acks read before the socket died
		for _, id := range ids {
			acked[id] = true
		}
	}

	d2 := startDaemon(t, addr, dataDir)
	stored := map[string]bool{}
	for _, e := range d2.events() {
		stored[e.ID] = true
	}
	var lost []string
	for id := range acked {
		if !stored[id] {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d acknowledged events lost after SIGKILL: %v", len(lost), lost[:min(10, len(lost))])
	}
	t.Logf("sent %d, acknowledged %d, stored %d after SIGKILL", sent, len(acked), len(stored))
}

// TestSecondDaemonRefused: a second `mindful run` on the same data dir exits
// with a clear message and leaves the first one running.
func TestSecondDaemonRefused(t *testing.T) {
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir)
	_, code, stderr := runCLI(freePort(t), dataDir, "run", "--no-tray")
	if code != 1 || !strings.Contains(stderr, "already running") || !strings.Contains(stderr, dataDir) {
		t.Fatalf("second daemon: exit %d, stderr %q", code, stderr)
	}
	if st := d.status(); !st.Running {
		t.Fatal("first daemon stopped")
	}
}
