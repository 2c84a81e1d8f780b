package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/store/dbtest"
)

// wsTalk is a plain WebSocket client that says hello with a known token.
type wsTalk struct {
	t testing.TB
	c *websocket.Conn
}

func dialHello(t testing.TB, addr, clientID, token string) (*wsTalk, protocol.Envelope) {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	w := &wsTalk{t: t, c: c}
	w.send(protocol.TypeHello, "h-1", map[string]any{"client_id": clientID, "browser": "unknown", "token": token})
	return w, w.next()
}

func (w *wsTalk) send(typ, id string, body any) {
	w.t.Helper()
	b, _ := protocol.Encode(typ, id, "", body)
	if err := w.c.WriteMessage(websocket.TextMessage, b); err != nil {
		w.t.Fatal(err)
	}
}

// next is the next frame other than a ping.
func (w *wsTalk) next() protocol.Envelope {
	w.t.Helper()
	for {
		w.c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, b, err := w.c.ReadMessage()
		if err != nil {
			w.t.Fatalf("read: %v", err)
		}
		env, perr := protocol.Decode(b)
		if perr != nil {
			w.t.Fatal(perr)
		}
		if env.Type != protocol.TypePing {
			return env
		}
	}
}

func tabEvents(prefix string, n int) map[string]any {
	evs := make([]any, n)
	for i := range evs {
		evs[i] = map[string]any{"id": fmt.Sprintf("%s-%d", prefix, i), "ts": time.Now().UTC().Format(time.RFC3339Nano),
			"type": "tab_activated", "tab_id": i, "window_id": 1, "domain": "recovered.test"}
	}
	return map[string]any{"events": evs}
}

// TestDamagedDatabaseEndToEnd: the real `mindful` on a database with 64 KiB
// of garbage in its middle. `mindful run` says what is wrong and stores
// nothing, `mindful status` says it too, `mindful db recover` refuses while
// the daemon runs and, once it is stopped, saves what is readable and keeps
// the damaged file; the daemon then takes events again from the same
// browser, whose pairing survived.
//
// `make test` runs it on 20,000 events; with MINDFUL_SOAK=1 (`make soak`) it
// runs on a year of heavy use, 2,000,000 events, and logs one line for the
// soak table ("SOAK damaged-db ...").
func TestDamagedDatabaseEndToEnd(t *testing.T) {
	events := 20000
	if os.Getenv("MINDFUL_SOAK") == "1" {
		events = 2000000
	}
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dataDir, "mindful.db")
	const clientID = "damaged-e2e-client"
	token := strings.Repeat("c3", 32)
	dbtest.Fill(t, dbPath, []store.Client{dbtest.Client(clientID, "", token)}, events)

	// A healthy run first: it writes its control token and address.
	d := startDaemon(t, addr, dataDir)
	w, env := dialHello(t, addr, clientID, token)
	if env.Type != protocol.TypeWelcome {
		t.Fatalf("hello on the healthy database: %s %s", env.Type, env.Body)
	}
	w.send(protocol.TypeEvents, "b-1", tabEvents("before", 5))
	if env := w.next(); env.Type != protocol.TypeAck {
		t.Fatalf("events on the healthy database: %s %s", env.Type, env.Body)
	}
	w.c.Close()
	d.stop()

	garbled := dbtest.Garble(t, dbPath)

	// `mindful run` on the damaged file: it starts, says so, stores nothing.
	d = startDaemon(t, addr, dataDir)
	waitFor(t, "the damage in the log", 10*time.Second, func() bool {
		l := d.log.String()
		return strings.Contains(l, "mindful's database cannot be used") && strings.Contains(l, dbPath) && strings.Contains(l, "mindful db recover")
	})
	st := d.status()
	if st.Database == nil || st.Database.OK || st.Database.Path != dbPath || !strings.Contains(st.Database.Problem, "damaged") || !strings.Contains(st.Database.Todo, "mindful db recover") {
		t.Fatalf("status --json database: %+v", st.Database)
	}
	text := string(d.cli("status"))
	for _, want := range []string{"DATABASE PROBLEM: the database is damaged", "file: " + dbPath, "mindful db recover"} {
		if !strings.Contains(text, want) {
			t.Errorf("mindful status does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "none paired") {
		t.Errorf("mindful status claims no browser is paired:\n%s", text)
	}
	_, env = dialHello(t, addr, clientID, token)
	var perr protocol.Error
	json.Unmarshal(env.Body, &perr)
	if env.Type != protocol.TypeError || perr.Code != protocol.CodeUnavailable || !strings.Contains(perr.Message, "damaged") {
		t.Fatalf("hello on the damaged database: %s %s", env.Type, env.Body)
	}
	if _, code, stderr := runCLI(addr, dataDir, "events", "--since", "all"); code != 1 || !strings.Contains(stderr, "damaged") {
		t.Errorf("mindful events on the damaged database: exit %d, %s", code, stderr)
	}
	// recover refuses while the daemon has the file open.
	if _, code, stderr := runCLI(addr, dataDir, "db", "recover"); code != 1 || !strings.Contains(stderr, "running") || !strings.Contains(stderr, "quit it first") {
		t.Fatalf("db recover with the daemon running: exit %d, %s", code, stderr)
	}
	d.stop()
	dbtest.Same(t, dbPath, garbled)

	out, code, _ := runSlowCLI(addr, dataDir, "db", "check")
	if code != 1 || !strings.Contains(string(out), "the database is damaged") || !strings.Contains(string(out), "what to do:") {
		t.Fatalf("db check: exit %d\n%s", code, out)
	}
	out, code, stderr := runSlowCLI(addr, dataDir, "db", "recover")
	if code != 0 {
		t.Fatalf("db recover: exit %d, %s", code, stderr)
	}
	t.Logf("mindful db recover:\n%s", out)
	m := regexp.MustCompile(`kept, unchanged, as (\S+mindful\.db\.damaged-\d{8}T\d{6})\n`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("db recover does not name the kept file:\n%s", out)
	}
	dbtest.Same(t, string(m[1]), garbled)
	saved := regexp.MustCompile(`(?m)^\s+events\s+(\d+)\s`).FindSubmatch(out)
	if !regexp.MustCompile(`(?m)^\s+clients\s+1$`).Match(out) || saved == nil {
		t.Fatalf("db recover does not count the rows saved:\n%s", out)
	}
	var savedN int
	fmt.Sscan(string(saved[1]), &savedN)
	// The events table is most of the file: the garbage lands in it, and
	// 64 KiB hold a few hundred events at most.
	if total := events + 5; savedN >= total || savedN < total*9/10 {
		t.Fatalf("db recover saved %d of %d events", savedN, total)
	}
	took := regexp.MustCompile(`recovered \S+ in (\S+)s`).FindSubmatch(out)
	if out, code, _ := runSlowCLI(addr, dataDir, "db", "check"); code != 0 || !strings.Contains(string(out), ": ok") {
		t.Fatalf("db check after recover: exit %d\n%s", code, out)
	}

	// The daemon works again, with the pairing that was readable.
	d = startDaemon(t, addr, dataDir)
	if st := d.status(); st.Database == nil || !st.Database.OK {
		t.Fatalf("status after recover: %+v", st.Database)
	}
	w, env = dialHello(t, addr, clientID, token)
	if env.Type != protocol.TypeWelcome {
		t.Fatalf("hello after recover: %s %s", env.Type, env.Body)
	}
	w.send(protocol.TypeEvents, "b-2", tabEvents("after", 5))
	if env := w.next(); env.Type != protocol.TypeAck {
		t.Fatalf("events after recover: %s %s", env.Type, env.Body)
	}
	var evs []api.Event
	if err := json.Unmarshal(d.cli("events", "--since", "1h", "--json"), &evs); err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, e := range evs {
		if strings.HasPrefix(e.ID, "after-") {
			stored++
		}
	}
	if stored != 5 {
		t.Fatalf("%d of 5 events stored after recover", stored)
	}
	t.Logf("SOAK damaged-db: events=%d saved=%d lost=%d recover=%ss pairing=kept refused-while-damaged=yes stored-after=5/5",
		events+5, savedN, events+5-savedN, took[1])
}

// TestLostDatabaseIsNotAFirstRun: a 0-byte mindful.db beside the control
// token of an earlier run is not silently made anew.
func TestLostDatabaseIsNotAFirstRun(t *testing.T) {
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir) // a first run: the token and the database
	d.stop()
	dbPath := filepath.Join(dataDir, "mindful.db")
	if err := os.Truncate(dbPath, 0); err != nil {
		t.Fatal(err)
	}
	d = startDaemon(t, addr, dataDir)
	st := d.status()
	if st.Database == nil || st.Database.OK || !strings.Contains(st.Database.Problem, "empty (0 bytes)") || !strings.Contains(st.Database.Problem, "control.token") {
		t.Fatalf("status database: %+v", st.Database)
	}
	if fi, err := os.Stat(dbPath); err != nil || fi.Size() != 0 {
		t.Fatalf("the empty database was made anew: %v, %v", fi, err)
	}
	d.stop()
	// Missing altogether: the same.
	os.Remove(dbPath)
	d = startDaemon(t, addr, dataDir)
	if st := d.status(); st.Database == nil || st.Database.OK || !strings.Contains(st.Database.Problem, "missing") {
		t.Fatalf("status database: %+v", st.Database)
	}
	if _, err := os.Stat(dbPath); err == nil {
		t.Fatal("the missing database was made anew")
	}
}

// runSlowCLI is runCLI without its 30 s limit, for `db check` and `db
// recover` on a year of history (soak size).
func runSlowCLI(addr, dataDir string, args ...string) ([]byte, int, string) {
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "MINDFUL_ADDR="+addr, "MINDFUL_DATA_DIR="+dataDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
	}
	return stdout.Bytes(), code, stderr.String()
}
