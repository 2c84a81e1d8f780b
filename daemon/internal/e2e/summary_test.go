package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/daemon/datadir"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// sendEvents sends one events message on an authenticated socket and waits
// for its ack.
func sendEvents(t *testing.T, c *websocket.Conn, id string, evs []map[string]any) {
	t.Helper()
	b, _ := protocol.Encode(protocol.TypeEvents, id, "", map[string]any{"events": evs})
	if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
	for {
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, m, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for the ack of %s: %v", id, err)
		}
		env, perr := protocol.Decode(m)
		if perr != nil {
			t.Fatal(perr)
		}
		if env.Type == protocol.TypeError {
			t.Fatalf("events %s refused: %s", id, env.Body)
		}
		if env.Type == protocol.TypeAck && env.Re == id {
			var a protocol.Ack
			json.Unmarshal(env.Body, &a)
			if len(a.Rejected) > 0 {
				t.Fatalf("events %s: rejected %+v", id, a.Rejected)
			}
			return
		}
	}
}

// The real binary: a browser reports a feed visit and a prompt; `mindful
// summary` shows them; full URLs are kept only after the setting is on;
// export, delete-all --yes, and the text is gone from the files.
func TestSummaryFullURLsExportDelete(t *testing.T) {
	addr := freePort(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, addr, dataDir)
	c, _ := goClient(t, d, "summary-client-1")
	ts := func(ago time.Duration) string { return time.Now().Add(-ago).UTC().Format("2006-01-02T15:04:05.000Z") }
	const secretPath = "/p/secret-path-7731"
	const secretPurpose = "purpose-zq81"
	nav := func(id, path string, ago time.Duration) map[string]any {
		return map[string]any{"id": id, "ts": ts(ago), "type": "tab_navigated", "tab_id": 7, "window_id": 1,
			"domain": "www.instagram.com", "url": "https://www.instagram.com" + path}
	}
	sendEvents(t, c, "b-1", []map[string]any{
		{"id": "f-1", "ts": ts(10 * time.Minute), "type": "window_focus", "window_id": 1},
		nav("n-1", "/", 10*time.Minute),
		{"id": "p-1", "ts": ts(10 * time.Minute), "type": "prompt", "tab_id": 7, "window_id": 1, "domain": "www.instagram.com",
			"feed_id": "instagram", "answer": "need", "seconds_to_answer": 3.5, "via": "navigation", "purpose": secretPurpose, "timebox_minutes": 5},
		nav("n-2", secretPath, 9*time.Minute),
		{"id": "c-1", "ts": ts(5 * time.Minute), "type": "tab_closed", "tab_id": 7, "window_id": 1, "domain": "www.instagram.com"},
	})

	var s api.Summary
	if err := json.Unmarshal(d.cli("summary", "--json"), &s); err != nil {
		t.Fatal(err)
	}
	if s.Opens.Total != 1 || s.Opens.Need != 1 || len(s.Needs) != 1 || s.Needs[0].Purpose != secretPurpose {
		t.Errorf("summary: opens %+v, needs %+v", s.Opens, s.Needs)
	}
	// On the feed from 10 minutes ago until the tab went to a post (not a
	// feed page) 9 minutes ago, unless the day started in between.
	if len(s.Feeds) != 1 || s.Feeds[0].ID != "instagram" || s.Feeds[0].Seconds != s.SecondsOnFeeds || (time.Since(s.Start) > 10*time.Minute && s.SecondsOnFeeds != 60) {
		t.Errorf("summary: feeds %+v, seconds_on_feeds %d", s.Feeds, s.SecondsOnFeeds)
	}
	if md := string(d.cli("summary", "--markdown")); !strings.Contains(md, "| instagram | 1 |") {
		t.Errorf("summary --markdown:\n%s", md)
	}

	// Full URLs: off by default, on after the setting.
	urls := func() map[string]string {
		m := map[string]string{}
		for _, e := range d.events() {
			m[e.ID] = e.URL
		}
		return m
	}
	if u := urls()["n-2"]; u != "" {
		t.Errorf("with full URLs off, stored url %q", u)
	}
	cl, err := client.Open(addr, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	set, err := cl.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.StoreFullURLs = true
	if _, err := cl.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	sendEvents(t, c, "b-2", []map[string]any{nav("n-3", secretPath, time.Minute)})
	if u := urls()["n-3"]; u != "https://www.instagram.com"+secretPath {
		t.Errorf("with full URLs on, stored url %q", u)
	}

	// Export, delete, export.
	out := filepath.Join(t.TempDir(), "export.csv")
	d.cli("export", "--format", "csv", "--out", out)
	b, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(b, []byte(secretPurpose)) || !bytes.Contains(b, []byte(secretPath)) {
		t.Errorf("export.csv (%v) lacks the events:\n%s", err, b)
	}
	if got := string(d.cli("delete-all", "--yes")); !strings.Contains(got, "deleted") {
		t.Errorf("delete-all: %s", got)
	}
	var x struct {
		Tables map[string][]map[string]any `json:"tables"`
	}
	if err := json.Unmarshal(d.cli("export"), &x); err != nil {
		t.Fatal(err)
	}
	for table, rows := range x.Tables {
		for _, r := range rows {
			if table == "settings" && r["key"] == "daemon.alive_at" {
				continue // the heartbeat writes it again
			}
			t.Errorf("after delete-all: %s row %v", table, r)
		}
	}
	for _, suffix := range []string{"", "-wal"} {
		p := filepath.Join(dataDir, datadir.DBFile) + suffix
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, secret := range []string{secretPurpose, secretPath} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s still holds %q after delete-all", p, secret)
			}
		}
	}
	// The browser stays paired and its events are stored again.
	sendEvents(t, c, "b-3", []map[string]any{{"id": "f-2", "ts": ts(0), "type": "window_focus", "window_id": 1}})
	if n := len(d.events()); n != 1 {
		t.Errorf("after delete-all and one new event: %d events, want 1", n)
	}
}
