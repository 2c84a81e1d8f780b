package wsapi_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

// BenchmarkTabEventDecision1000PerSecond measures the daemon's decision time
// per tab event, as the extension sees it: one tab_navigated per message,
// paced at 1,000 events/s over a real loopback socket, decoded, matched
// against the feed catalog, committed to a real SQLite file and
// acknowledged. It reports the p50 and p99 of send→ack.
func BenchmarkTabEventDecision1000PerSecond(b *testing.B) {
	e := newEnv(b, func(c *wsapi.Config) {
		c.MatchFeed = func(host, path string) (string, bool) { return "reddit", host == "www.reddit.com" }
	})
	w, _ := e.pair(chromeOrigin, "bench-client-1")
	lat := make([]time.Duration, 0, b.N)
	acks := make(chan time.Time, b.N)
	go func() {
		for {
			_, data, err := w.c.ReadMessage()
			if err != nil {
				close(acks)
				return
			}
			if env, perr := protocol.Decode(data); perr == nil && env.Type == protocol.TypeAck {
				acks <- time.Now()
			}
		}
	}()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	sent := make([]time.Time, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		<-tick.C
		msg, _ := protocol.Encode(protocol.TypeEvents, fmt.Sprintf("c-%d", i), "", map[string]any{"events": []any{nav(fmt.Sprintf("b-%d", i), "www.reddit.com")}})
		sent[i] = time.Now()
		if err := w.c.WriteMessage(websocket.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
		// Collect acks as they come, without waiting.
	drain:
		for {
			select {
			case at := <-acks:
				lat = append(lat, at.Sub(sent[len(lat)]))
			default:
				break drain
			}
		}
	}
	for len(lat) < b.N {
		at, ok := <-acks
		if !ok {
			b.Fatal("socket closed")
		}
		lat = append(lat, at.Sub(sent[len(lat)]))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
