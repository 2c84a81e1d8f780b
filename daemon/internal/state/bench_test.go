package state

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// BenchmarkTabEventDecisionInProcess is the daemon's decision for one tab
// event without the socket and the durable commit: decode the frame,
// validate the event, and name its feed with the effective catalog.
func BenchmarkTabEventDecisionInProcess(b *testing.B) {
	s, _, _, _ := newSvc(b, time.Now())
	if _, err := s.State(context.Background()); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	frame, _ := protocol.Encode(protocol.TypeEvents, "c-1", "", map[string]any{"events": []any{map[string]any{
		"id": "e1", "ts": now.UTC().Format(time.RFC3339Nano), "type": "tab_navigated", "tab_id": 1, "window_id": 1,
		"domain": "www.reddit.com", "url": "https://www.reddit.com/r/golang/",
	}}})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env, perr := protocol.Decode(frame)
		if perr != nil {
			b.Fatal(perr)
		}
		body, perr := protocol.DecodeEvents(env.Body, now)
		if perr != nil || len(body.Valid) != 1 {
			b.Fatal(perr)
		}
		u, _ := url.Parse(body.Valid[0].URL)
		if id, ok := s.Match(u.Hostname(), u.EscapedPath()); !ok || id != "reddit" {
			b.Fatal(fmt.Sprint("no match: ", id))
		}
	}
}
