package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// procUsage reads a process's CPU time (user + system) and resident memory.
func procUsage(tb testing.TB, pid int) (cpu time.Duration, rssKB int64) {
	tb.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	cpu = time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rssKB, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return cpu, rssKB
}

// idleWindow is how long BenchmarkIdle measures each case
// (MINDFUL_IDLE_SECONDS, default 60).
func idleWindow() time.Duration {
	if n, err := strconv.Atoi(os.Getenv("MINDFUL_IDLE_SECONDS")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return time.Minute
}

var idleResults sync.Map // case name → [2]float64{cpu ms/min, rss MB}

// BenchmarkIdle measures what the real daemon costs while nothing happens:
// CPU milliseconds per minute and resident memory, with no browser and with
// two authenticated WebSocket clients answering the daemon's pings (as two
// idle browsers do). It measures once per case, whatever b.N.
func BenchmarkIdle(b *testing.B) {
	for _, clients := range []int{0, 2} {
		name := "no-browser"
		if clients > 0 {
			name = fmt.Sprintf("%d-clients", clients)
		}
		b.Run(name, func(b *testing.B) {
			r, ok := idleResults.Load(name)
			if !ok {
				r = measureIdle(b, clients)
				idleResults.Store(name, r)
			}
			v := r.([2]float64)
			b.ReportMetric(v[0], "cpu-ms/min")
			b.ReportMetric(v[1], "rss-MB")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func measureIdle(b *testing.B, clients int) [2]float64 {
	d := startDaemon(b, freePort(b), filepath.Join(b.TempDir(), "data"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range clients {
		c, _ := goClient(b, d, fmt.Sprintf("idle-client-%d", i))
		go answerPings(ctx, c)
	}
	time.Sleep(5 * time.Second) // let start-up work settle; this is a measurement, not synchronisation
	pid := d.cmd.Process.Pid
	cpu0, _ := procUsage(b, pid)
	window := idleWindow()
	time.Sleep(window)
	cpu1, rss := procUsage(b, pid)
	perMin := float64((cpu1 - cpu0).Milliseconds()) * float64(time.Minute) / float64(window)
	return [2]float64{perMin, float64(rss) / 1024}
}

// answerPings answers the daemon's pings on c until ctx ends, as the
// extension does.
func answerPings(ctx context.Context, c *websocket.Conn) {
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	c.SetReadDeadline(time.Time{})
	for n := 1; ; n++ {
		_, b, err := c.ReadMessage()
		if err != nil {
			return
		}
		if env, perr := protocol.Decode(b); perr == nil && env.Type == protocol.TypePing {
			out, _ := protocol.Encode(protocol.TypePong, fmt.Sprintf("p-%d", n), env.ID, protocol.Empty{})
			c.WriteMessage(websocket.TextMessage, out)
		}
	}
}

// BenchmarkReconnectWhileGuessing measures the real extension's reconnect
// (dial, hello, welcome) while 50 sockets keep guessing tokens against the
// real daemon. The goal is well under 1 s.
func BenchmarkReconnectWhileGuessing(b *testing.B) {
	d := startDaemon(b, freePort(b), filepath.Join(b.TempDir(), "data"))
	_, token := goClient(b, d, "reconnect-client")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var refused sync.Map
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				c, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+d.addr+"/ws", nil)
				if err != nil {
					continue
				}
				stop := context.AfterFunc(ctx, func() { c.Close() })
				msg, _ := protocol.Encode(protocol.TypeHello, "c-1", "", hello(fmt.Sprintf("guesser-client-%d", i), strings.Repeat(fmt.Sprintf("%02x", n%256), 32)))
				c.WriteMessage(websocket.TextMessage, msg)
				for {
					if _, _, err := c.ReadMessage(); err != nil {
						if websocket.IsCloseError(err, protocol.CloseUnauthorized) {
							refused.Store(fmt.Sprint(i, "-", n), true)
						}
						break
					}
				}
				stop()
				c.Close()
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()
	time.Sleep(2 * time.Second) // the guessing is under way; a measurement, not synchronisation
	var worst time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		c, _, err := websocket.DefaultDialer.Dial("ws://"+d.addr+"/ws", nil)
		if err != nil {
			b.Fatal(err)
		}
		wsSend(b, c, protocol.TypeHello, "c-1", hello("reconnect-client", token))
		wsRecv(b, c, protocol.TypeWelcome)
		worst = max(worst, time.Since(t0))
		c.Close()
	}
	b.StopTimer()
	n := 0
	refused.Range(func(any, any) bool { n++; return true })
	if n == 0 {
		b.Fatal("no guess was refused")
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
}

var fanoutResult sync.Map

// BenchmarkStateFanout measures the real daemon's CPU while 300 sockets are
// connected and prompt answers arrive at 50 per second (each may change the
// state every socket caches), and how many states each socket got. It
// measures once (10 s), whatever b.N.
func BenchmarkStateFanout(b *testing.B) {
	r, ok := fanoutResult.Load("r")
	if !ok {
		r = measureFanout(b, 300, 50, 10*time.Second)
		fanoutResult.Store("r", r)
	}
	v := r.([3]float64)
	b.ReportMetric(v[0], "cpu-%")
	b.ReportMetric(v[1], "states/socket")
	b.ReportMetric(v[2], "answers")
	b.ReportMetric(0, "ns/op")
}

func measureFanout(b *testing.B, sockets, perSecond int, window time.Duration) [3]float64 {
	d := startDaemon(b, freePort(b), filepath.Join(b.TempDir(), "data"))
	sender, token := goClient(b, d, "fanout-client")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var states sync.Map
	var wg sync.WaitGroup
	for i := range sockets {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+d.addr+"/ws", nil)
		if err != nil {
			b.Fatal(err)
		}
		wsSend(b, c, protocol.TypeHello, "h", hello("fanout-client", token))
		wsRecv(b, c, protocol.TypeWelcome)
		wg.Add(1)
		go func() {
			defer wg.Done()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			c.SetReadDeadline(time.Time{})
			n := 0
			for {
				_, msg, err := c.ReadMessage()
				if err != nil {
					states.Store(i, n)
					return
				}
				if env, perr := protocol.Decode(msg); perr == nil && env.Type == protocol.TypeState {
					n++
				}
			}
		}()
	}
	go answerPings(ctx, sender)
	pid := d.cmd.Process.Pid
	cpu0, _ := procUsage(b, pid)
	t0 := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(perSecond))
	answers := 0
	for time.Since(t0) < window {
		<-tick.C
		answers++
		ev := map[string]any{"id": fmt.Sprintf("fanout-%d", answers), "ts": time.Now().UTC().Format(time.RFC3339Nano), "type": "prompt",
			"tab_id": 1, "window_id": 1, "domain": "www.reddit.com", "feed_id": "reddit", "answer": "habit", "seconds_to_answer": 1.5, "via": "navigation"}
		b, _ := protocol.Encode(protocol.TypeEvents, fmt.Sprintf("a-%d", answers), "", map[string]any{"events": []any{ev}})
		sender.WriteMessage(websocket.TextMessage, b)
	}
	tick.Stop()
	elapsed := time.Since(t0)
	cpu1, _ := procUsage(b, pid)
	cancel()
	wg.Wait()
	total := 0
	states.Range(func(_, v any) bool { total += v.(int); return true })
	return [3]float64{100 * float64(cpu1-cpu0) / float64(elapsed), float64(total) / float64(sockets), float64(answers)}
}
