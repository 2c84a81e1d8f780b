package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// sendPrompts sends n answered prompts from a paired Go client, within
// the last hour, and waits for their acknowledgement.
func sendPrompts(t testing.TB, c *websocket.Conn, prefix string, n int, answer string) {
	t.Helper()
	now := time.Now()
	var evs []map[string]any
	for i := range n {
		evs = append(evs, map[string]any{"id": fmt.Sprintf("%s-%d", prefix, i), "ts": now.Add(-time.Duration(30+i) * time.Minute).UTC().Format(time.RFC3339Nano),
			"type": "prompt", "tab_id": 1, "window_id": 1, "domain": "www.reddit.com", "feed_id": "reddit", "answer": answer, "seconds_to_answer": 3.5, "via": "navigation"})
		if answer == "need" {
			evs[i]["purpose"], evs[i]["timebox_minutes"] = "a reply", 10
		}
	}
	b, _ := protocol.Encode(protocol.TypeEvents, prefix+"-batch", "", map[string]any{"events": evs})
	if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
	for {
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, msg, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for the ack: %v", err)
		}
		env, _ := protocol.Decode(msg)
		if env.Type == protocol.TypeAck {
			return
		}
		if env.Type == protocol.TypeError {
			t.Fatalf("events refused: %s", env.Body)
		}
	}
}

func (d *daemonProc) syncStatus() api.SyncStatus {
	d.t.Helper()
	return cliJSON[api.SyncStatus](d, "sync", "status", "--json")
}

// TestSyncTwoDevicesThroughSyncthing: two daemons share one practice
// through two real Syncthing instances. A break started on A is enforced
// in a Chromium paired to B; a schedule added on B appears on A; the day's
// summary on either is the union of both, and stays so after both restart
// and A writes everything out again.
func TestSyncTwoDevicesThroughSyncthing(t *testing.T) {
	stA, stB := startSyncthingPair(t)
	s := startSites(t)
	root := t.TempDir()
	addrA, addrB := freePort(t), freePort(t)
	dataA, dataB := filepath.Join(root, "a"), filepath.Join(root, "b")
	a := startDaemon(t, addrA, dataA)
	b := startDaemon(t, addrB, dataB)

	// A browser paired to B only.
	b.cli("prompts", "pause", "2h") // this test is about breaks, not prompts
	browser := startChromium(t, s)
	popup := pairChromium(t, b, browser)
	waitState(t, popup, "the prompt pause to reach the extension", `!!st.prompts_paused_until`)

	// Each device has its own day first.
	ca, _ := goClient(t, a, "client-on-a")
	sendPrompts(t, ca, "a", 3, "habit")
	cb, _ := goClient(t, b, "client-on-b")
	sendPrompts(t, cb, "b", 2, "need")
	date := summaryJSON(t, a, "").Date
	if o := summaryJSON(t, a, date).Opens; o.Total != 3 {
		t.Fatalf("A alone: %+v", o)
	}
	if o := summaryJSON(t, b, date).Opens; o.Total != 2 {
		t.Fatalf("B alone: %+v", o)
	}

	// A makes the key; B types its code.
	var en api.SyncStatus
	if err := json.Unmarshal(a.cli("sync", "enable", "--dir", stA.folder, "--encrypt", "--name", "laptop", "--json"), &en); err != nil {
		t.Fatal(err)
	}
	if !en.Enabled || !en.Encrypted || len(en.KeyCode) != 29 {
		t.Fatalf("enable on A: %+v", en)
	}
	out := string(b.cli("sync", "enable", "--dir", stB.folder, "--key", strings.ToLower(en.KeyCode), "--name", "desktop"))
	if !strings.Contains(out, "encrypted") || !strings.Contains(out, "desktop") {
		t.Fatalf("enable on B said %q", out)
	}

	open := tab(t, browser)
	do(t, open, chromedp.Navigate("https://www.reddit.com/r/golang/"))
	poll[bool](t, open, "reddit to load", `location.hostname === 'www.reddit.com'`, 15*time.Second)

	a.cli("break", "start", "--for", "1h", "--name", "From the laptop")
	onBreakPage(t, open, 60*time.Second)
	if name := eval[string](t, open, `document.querySelector('#break-name').textContent`); !strings.Contains(name, "From the laptop") {
		t.Fatalf("break page on B names %q", name)
	}
	if !b.status().Break.Active {
		t.Fatal("B's status shows no break")
	}

	// Ending it early on A frees B's browser too.
	a.cli("break", "stop", "--reason", "the school called")
	poll[bool](t, open, "B's tab to leave the break page", `!location.href.startsWith('`+breakPage+`')`, 60*time.Second)
	if b.status().Break.Active {
		t.Fatal("B still shows a break after A ended it")
	}

	// A schedule added on B appears on A.
	b.cli("schedule", "add", "--weekly", "Fri 15:30", "Sat 16:00", "--name", "Weekend")
	waitFor(t, "B's schedule on A", 60*time.Second, func() bool {
		return strings.Contains(string(a.cli("schedule", "list", "--json")), `"Weekend"`)
	})

	// The feed list too: YouTube turned off on A is off on B.
	a.cli("feeds", "disable", "youtube")
	waitFor(t, "A's feed change on B", 60*time.Second, func() bool {
		var fs []api.Feed
		json.Unmarshal(b.cli("feeds", "list", "--json"), &fs)
		for _, f := range fs {
			if f.ID == "youtube" {
				return !f.Enabled
			}
		}
		return false
	})

	// Both restart: events still waiting go out at shutdown, come in at
	// start, and each summary is the union.
	restart := func() {
		a.stop()
		b.stop()
		a = startDaemon(t, addrA, dataA)
		b = startDaemon(t, addrB, dataB)
	}
	union := func(what string) {
		t.Helper()
		for _, d := range []*daemonProc{a, b} {
			waitFor(t, what+" on "+d.addr, 60*time.Second, func() bool {
				o := summaryJSON(t, d, date).Opens
				return o.Total >= 5
			})
			sum := summaryJSON(t, d, date)
			if o := sum.Opens; o.Total != 5 || o.Habit != 3 || o.Need != 2 {
				t.Fatalf("%s: summary on %s opens %+v, want 3 habit + 2 need", what, d.addr, o)
			}
			// The per-device breakdown: this computer, then the other.
			mine, other := 3, 2
			if d == b {
				mine, other = 2, 3
			}
			if dv := sum.Devices; len(dv) != 2 || dv[0].ID != "" || dv[0].Opens != mine || dv[1].Opens != other || dv[1].Stale || dv[1].LastSeen == nil {
				t.Fatalf("%s: summary on %s by device %+v", what, d.addr, dv)
			}
		}
	}
	restart()
	union("the union after a restart")
	sa, sb := a.syncStatus(), b.syncStatus()
	if len(sa.Devices) != 1 || sa.Devices[0].Name != "desktop" || sa.Devices[0].ID != sb.Device.ID || len(sa.Problems) != 0 {
		t.Fatalf("A's sync status: %+v", sa)
	}
	if len(sb.Devices) != 1 || sb.Devices[0].Name != "laptop" || sb.Devices[0].EventsToday != 3 || sb.Device.EventsToday < 2 {
		t.Fatalf("B's sync status: %+v", sb)
	}
	if st := b.status(); st.Sync == nil || len(st.Sync.Devices) != 1 {
		t.Fatalf("B's status has no sync part: %+v", st.Sync)
	}

	// Replay: A writes everything out again (disable, enable: new marks),
	// both restart; nothing is counted twice.
	before := sb.Devices[0].Segments
	a.cli("sync", "disable")
	a.cli("sync", "enable", "--dir", stA.folder, "--key", en.KeyCode)
	waitFor(t, "A's second copy to reach B", 60*time.Second, func() bool {
		st := b.syncStatus()
		return len(st.Devices) == 1 && st.Devices[0].Segments > before
	})
	restart()
	union("after a replay and a second restart")
}

// newestSegment returns the highest segment number of one device in a
// synced folder (0 when there is none).
func newestSegment(dir, device string) int64 {
	var top int64
	files, _ := os.ReadDir(filepath.Join(dir, "mindful", device))
	for _, f := range files {
		var n int64
		if _, err := fmt.Sscanf(f.Name(), "%012d.seg", &n); err == nil && len(f.Name()) == 16 && strings.HasSuffix(f.Name(), ".seg") {
			top = max(top, n)
		}
	}
	return top
}

// waitSegment returns when a segment of device numbered above after shows
// up in dir, polling every 2 ms; ok is false after timeout.
func waitSegment(dir, device string, after int64, timeout time.Duration) (at time.Time, ok bool) {
	deadline := time.Now().Add(timeout)
	for newestSegment(dir, device) <= after {
		if time.Now().After(deadline) {
			return time.Time{}, false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Now(), true
}

// BenchmarkSyncBreak measures, through two real Syncthing instances, the
// time from `mindful break start` on A to the break page in a Chromium
// paired to B, split into mindful A (the command until A's segment is in
// A's folder), the engine (until it is in B's folder) and mindful B (until
// the tab shows the break page). Each round ends the break early on A
// (the daemon's 10 s wait), so it runs at most 5 rounds whatever b.N asks.
func BenchmarkSyncBreak(b *testing.B) {
	stA, stB := startSyncthingPair(b)
	s := startSites(b)
	root := b.TempDir()
	a := startDaemon(b, freePort(b), filepath.Join(root, "a"))
	d := startDaemon(b, freePort(b), filepath.Join(root, "b"))
	a.cli("break", "settings", "--early-ends-per-week", "50")
	a.cli("sync", "enable", "--dir", stA.folder)
	d.cli("sync", "enable", "--dir", stB.folder)
	devA := a.syncStatus().Device.ID
	d.cli("prompts", "pause", "2h")
	browser := startChromium(b, s)
	popup := pairChromium(b, d, browser)
	waitState(b, popup, "the prompt pause to reach the extension", `!!st.prompts_paused_until`)
	open := tab(b, browser)
	var aMs, engineMs, bMs, totalMs []float64
	rounds := min(b.N, 5)
	b.ResetTimer()
	for i := 0; i < rounds; i++ {
		do(b, open, chromedp.Navigate(fmt.Sprintf("https://www.reddit.com/r/golang/comments/%d/x/", i)))
		poll[bool](b, open, "reddit to load", `location.hostname === 'www.reddit.com'`, 15*time.Second)
		segA, segB := newestSegment(stA.folder, devA), newestSegment(stB.folder, devA)
		type seen struct {
			at time.Time
			ok bool
		}
		inA, inB := make(chan seen, 1), make(chan seen, 1)
		go func() { at, ok := waitSegment(stA.folder, devA, segA, 60*time.Second); inA <- seen{at, ok} }()
		go func() { at, ok := waitSegment(stB.folder, devA, segB, 60*time.Second); inB <- seen{at, ok} }()
		t0 := time.Now()
		a.cli("break", "start", "--for", "15m")
		pollFast(b, open, `location.href.startsWith('`+breakPage+`')`, 60*time.Second)
		t3 := time.Now()
		sa, sb := <-inA, <-inB
		if !sa.ok || !sb.ok {
			b.Fatalf("A's segment: in A's folder %v, in B's folder %v", sa.ok, sb.ok)
		}
		t1, t2 := sa.at, sb.at
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		aMs, engineMs, bMs, totalMs = append(aMs, ms(t1.Sub(t0))), append(engineMs, ms(t2.Sub(t1))), append(bMs, ms(t3.Sub(t2))), append(totalMs, ms(t3.Sub(t0)))

		b.StopTimer()
		a.cli("break", "stop", "--reason", "benchmark round over")
		deadline := time.Now().Add(60 * time.Second)
		for d.status().Break.Active {
			if time.Now().After(deadline) {
				ls, _ := exec.Command("ls", "-laR", stA.folder, stB.folder).CombinedOutput()
				b.Fatalf("B still has the break 60 s after A ended it; B's sync: %+v\n%s", d.syncStatus(), ls)
			}
			time.Sleep(50 * time.Millisecond)
		}
		poll[bool](b, open, "the tab to leave the break page", `!location.href.startsWith('`+breakPage+`')`, 60*time.Second)
		b.StartTimer()
	}
	b.StopTimer()
	report(b, "sync-break-total", totalMs)
	report(b, "sync-break-mindful-A", aMs)
	report(b, "sync-break-engine", engineMs)
	report(b, "sync-break-mindful-B", bMs)
}
