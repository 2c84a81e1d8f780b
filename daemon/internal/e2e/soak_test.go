//go:build soak

package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/mattn/go-sqlite3"

	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// TestSoak is `make soak`: the full-size reliability run against the real
// binary. It prints one Markdown table (between RELIABILITY-BEGIN and
// RELIABILITY-END) for the README's "Reliability" section. It is built only
// with -tags soak, so `make test` neither runs nor skips it.
func TestSoak(t *testing.T) {
	var rows [][3]string // what, tried, result
	add := func(what, tried, result string) { rows = append(rows, [3]string{what, tried, result}) }

	t.Run("sigkill", func(t *testing.T) {
		kills := 100
		if n, err := strconv.Atoi(os.Getenv("MINDFUL_SOAK_KILLS")); err == nil && n > 0 {
			kills = n // a shorter trial run
		}
		r := soakKills(t, kills, 4)
		add("SIGKILL while 4 clients stream events",
			fmt.Sprintf("%d kills; %d events sent (unacknowledged ones resent after each restart)", r.kills, r.sent),
			fmt.Sprintf("%d acknowledged, %d stored, **%d lost, %d duplicated**", r.acked, r.stored, r.lost, r.dup))
	})
	t.Run("hostile", func(t *testing.T) {
		d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
		refused := 0
		var failed []string
		t.Run("cases", func(t *testing.T) {
			var mu sync.Mutex
			for _, hc := range hostileCases {
				t.Run(hc.name, func(t *testing.T) {
					if hc.slow {
						t.Parallel()
					}
					hc.run(t, d)
					mu.Lock()
					defer mu.Unlock()
					if t.Failed() {
						failed = append(failed, hc.name)
					} else {
						refused++
					}
				})
			}
		})
		names := make([]string, len(hostileCases))
		for i, hc := range hostileCases {
			names[i] = hc.name
		}
		result := fmt.Sprintf("**%d of %d refused** or harmless", refused, len(hostileCases))
		if len(failed) > 0 {
			result += "; NOT: " + strings.Join(failed, ", ")
		}
		add("hostile local clients", strings.Join(names, "; "), result)
	})
	t.Run("sockets", func(t *testing.T) {
		n, closed, took, answered := soakSockets(t, 500)
		add(fmt.Sprintf("%d idle sockets that never say hello", n), "opened at once; status asked meanwhile",
			fmt.Sprintf("**%d closed with 4002** after %.1f s; status answered: %v", closed, took.Seconds(), answered))
	})
	t.Run("fulldisk", func(t *testing.T) {
		add("full disk (8 MiB tmpfs) while a client streams", "write until the store fails, free space, write again", soakFullDisk(t))
	})
	// The damaged-database recovery at soak size (a year of heavy use):
	// its own test logs one "SOAK damaged-db" line, which `make soak` turns
	// into the table's last row.
	t.Run("damaged", func(t *testing.T) {
		t.Setenv("MINDFUL_SOAK", "1")
		TestDamagedDatabaseEndToEnd(t)
	})

	var b strings.Builder
	fmt.Fprintln(&b, "RELIABILITY-BEGIN")
	fmt.Fprintln(&b, "| case | tried | result |")
	fmt.Fprintln(&b, "|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r[0], r[1], r[2])
	}
	fmt.Fprintln(&b, "RELIABILITY-END")
	fmt.Print(b.String())
}

type killResult struct{ kills, sent, acked, stored, lost, dup int }

// soakKills starts the daemon, lets clients stream events into it, kills
// it with SIGKILL at a random moment, and does it again, kills times. Like
// the extension, each client keeps every event until it is acknowledged
// and resends what is left after each restart. At the end it counts what
// was acknowledged, what is stored, and what was lost or stored twice.
func soakKills(t *testing.T, kills, clients int) killResult {
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	type cl struct {
		id, token string
		queue     map[string]map[string]any // unacknowledged events by id
		n         int
	}
	cls := make([]*cl, clients)
	acked := map[string]bool{}
	var mu sync.Mutex
	sent := 0
	for round := 0; round < kills; round++ {
		d := startDaemon(t, addr, dataDir)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for i := range cls {
			if cls[i] == nil {
				c, token := goClient(t, d, fmt.Sprintf("soak-client-%d", i))
				c.Close()
				cls[i] = &cl{id: fmt.Sprintf("soak-client-%d", i), token: token, queue: map[string]map[string]any{}}
			}
			wg.Add(1)
			go func(c *cl) {
				defer wg.Done()
				ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
				if err != nil {
					return
				}
				defer ws.Close()
				b, _ := protocol.Encode(protocol.TypeHello, "h", "", map[string]any{"client_id": c.id, "browser": "chromium", "token": c.token})
				if ws.WriteMessage(websocket.TextMessage, b) != nil {
					return
				}
				if _, _, err := ws.ReadMessage(); err != nil { // welcome
					return
				}
				go func() { // acks
					for {
						_, b, err := ws.ReadMessage()
						if err != nil {
							return
						}
						env, _ := protocol.Decode(b)
						if env.Type != protocol.TypeAck {
							continue
						}
						var a protocol.Ack
						json.Unmarshal(env.Body, &a)
						mu.Lock()
						for _, id := range a.IDs {
							acked[id] = true
							delete(c.queue, id)
						}
						mu.Unlock()
					}
				}()
				// Resend what is left, then stream new events.
				mu.Lock()
				var batch []any
				for _, e := range c.queue {
					batch = append(batch, e)
				}
				mu.Unlock()
				for k := 0; ; k++ {
					if len(batch) == 0 {
						mu.Lock()
						for range 20 {
							c.n++
							id := fmt.Sprintf("%s-%d", c.id, c.n)
							e := map[string]any{"id": id, "ts": time.Now().UTC().Format(time.RFC3339Nano), "type": "tab_activated", "tab_id": c.n % 50, "window_id": 1, "domain": "soak.test"}
							c.queue[id] = e
							batch = append(batch, e)
							sent++
						}
						mu.Unlock()
					}
					for len(batch) > 0 {
						part := batch[:min(len(batch), protocol.MaxBatch)]
						batch = batch[len(part):]
						b, _ := protocol.Encode(protocol.TypeEvents, fmt.Sprintf("b-%d", k), "", map[string]any{"events": part})
						if ws.WriteMessage(websocket.TextMessage, b) != nil {
							return
						}
					}
					select {
					case <-stop:
						return
					case <-time.After(10 * time.Millisecond):
					}
				}
			}(cls[i])
		}
		time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond) // a random moment to kill at
		d.Kill()
		close(stop)
		wg.Wait()
	}
	// Count straight from the database file: far more events than the
	// events API lists at once.
	d := startDaemon(t, addr, dataDir)
	d.stop()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dataDir, "mindful.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT client_id || '/' || eid, COUNT(*) FROM events GROUP BY client_id, eid`)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			t.Fatal(err)
		}
		_, id, _ := strings.Cut(key, "/")
		count[id] += n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	r := killResult{kills: kills, sent: sent, acked: len(acked), stored: len(count)}
	for id := range acked {
		if count[id] == 0 {
			r.lost++
		}
	}
	for _, n := range count {
		if n > 1 {
			r.dup++
		}
	}
	if r.lost > 0 || r.dup > 0 {
		t.Errorf("after %d SIGKILLs: %d acknowledged events lost, %d stored twice", kills, r.lost, r.dup)
	}
	return r
}

// soakSockets opens n sockets that never authenticate and waits for the
// daemon to close each with 4002, asking for the status meanwhile.
func soakSockets(t *testing.T, n int) (opened, closed int, took time.Duration, answered bool) {
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	start := time.Now()
	codes := make(chan int, n)
	var conns []*websocket.Conn
	for range n {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+d.addr+"/ws", nil)
		if err != nil {
			t.Errorf("socket %d: %v", len(conns), err)
			break
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		go func() {
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			_, _, err := c.ReadMessage()
			if websocket.IsCloseError(err, protocol.CloseAuthTimeout) {
				codes <- protocol.CloseAuthTimeout
				return
			}
			codes <- 0
		}()
	}
	answered = d.status().Running
	for range conns {
		if <-codes == protocol.CloseAuthTimeout {
			closed++
		}
	}
	took = time.Since(start)
	if closed != len(conns) {
		t.Errorf("%d of %d idle sockets closed with 4002", closed, len(conns))
	}
	return len(conns), closed, took, answered
}

// soakFullDisk runs the daemon on a small tmpfs, streams until the store
// fails, frees space and streams again. It needs root (to mount).
func soakFullDisk(t *testing.T) string {
	if os.Geteuid() != 0 {
		return "not run: mounting a small tmpfs needs root"
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt).CombinedOutput(); err != nil {
		return fmt.Sprintf("not run: mount tmpfs: %v %s", err, out)
	}
	defer exec.Command("umount", "-l", mnt).Run()
	dataDir := filepath.Join(mnt, "data")
	d := startDaemon(t, freePort(t), dataDir)
	c, _ := goClient(t, d, "fulldisk-client")
	filler := filepath.Join(mnt, "filler")
	// Leave about 1.5 MiB free.
	f, _ := os.Create(filler)
	f.Write(make([]byte, 6<<20+512<<10))
	f.Close()

	acked := map[string]bool{}
	n := 0
	// stream sends batches until one is refused (or maxBatches pass) and
	// returns how many were acknowledged and the first refusal.
	stream := func(maxBatches int) (int, string) {
		got := 0
		for k := 0; k < maxBatches; k++ {
			var evs []any
			for range 100 {
				n++
				evs = append(evs, map[string]any{"id": fmt.Sprintf("disk-%d", n), "ts": time.Now().UTC().Format(time.RFC3339Nano), "type": "tab_activated", "tab_id": n % 100, "window_id": 1, "domain": fmt.Sprintf("host-%d.full-disk.test", n)})
			}
			wsSend(t, c, protocol.TypeEvents, fmt.Sprintf("b-%d", n), map[string]any{"events": evs})
			for {
				c.SetReadDeadline(time.Now().Add(30 * time.Second))
				_, b, err := c.ReadMessage()
				if err != nil {
					return got, "socket closed: " + err.Error()
				}
				env, _ := protocol.Decode(b)
				switch env.Type {
				case protocol.TypeAck:
					var a protocol.Ack
					json.Unmarshal(env.Body, &a)
					for _, id := range a.IDs {
						acked[id] = true
					}
					got += len(a.IDs)
				case protocol.TypeError:
					var e protocol.Error
					json.Unmarshal(env.Body, &e)
					return got, e.Code + ": " + e.Message
				default:
					continue
				}
				break
			}
		}
		return got, ""
	}
	before, refusal := stream(10000)
	if refusal == "" {
		return "the disk never filled"
	}
	os.Remove(filler)
	after, again := stream(20)
	d.stop()
	d2 := startDaemon(t, d.addr, dataDir)
	stored := map[string]bool{}
	for _, e := range d2.events() {
		stored[e.ID] = true
	}
	lost := 0
	for id := range acked {
		if !stored[id] {
			lost++
		}
	}
	if lost > 0 || again != "" || after == 0 {
		t.Errorf("full disk: %d acknowledged before, refusal %q, %d after freeing space (%q), %d lost", before, refusal, after, again, lost)
	}
	return fmt.Sprintf("%d acknowledged until the disk was full; then refused (`%s`), nothing acknowledged; **%d acknowledged again** after freeing space; **%d lost**",
		before, firstLine(refusal), after, lost)
}

func firstLine(s string) string {
	if len(s) > 90 {
		s = s[:90] + "…"
	}
	return strings.ReplaceAll(s, "|", "/")
}
