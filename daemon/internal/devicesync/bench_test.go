package devicesync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/syncdir"
)

// BenchmarkImport writes a day-sized set of events (20,000, as a browser
// reports them: prompts, feed time, navigations) from one device as
// segments, plain and encrypted, and imports them on another. It reports
// the import rate in events/s and the folder's size per event.
func BenchmarkImport(b *testing.B) {
	const n = 20000
	for _, enc := range []bool{false, true} {
		b.Run(fmt.Sprintf("encrypted=%v", enc), func(b *testing.B) {
			ctx := context.Background()
			key := ""
			if enc {
				key = syncdir.NewKeyCode()
			}
			dir := b.TempDir()
			a := newDevice(b, "laptop", time.Now)
			enable(b, a, dir, key)
			t0 := time.Now().Add(-12 * time.Hour)
			tab := int64(7)
			evs := make([]store.Event, 0, n)
			for i := range n {
				e := store.Event{ID: fmt.Sprintf("e%06d", i), ClientID: "3f0c5a9e-7a51-4d7e-9d2a-2b1f0f6c9e11", TS: t0.Add(time.Duration(i) * 2 * time.Second),
					ReceivedAt: t0.Add(time.Duration(i) * 2 * time.Second), EventFields: api.EventFields{TabID: &tab, WindowID: &tab}}
				switch i % 4 {
				case 0:
					e.Type, e.Domain, e.FeedID, e.Answer, e.Via = "prompt", "www.reddit.com", "reddit", "habit", "navigation"
					e.SecondsToAnswer = f64(3.2)
				case 1:
					e.Type, e.FeedID, e.PromptID, e.Seconds = "feed_time", "reddit", fmt.Sprintf("e%06d", i-1), f64(42.5)
				default:
					e.Type, e.Domain = "tab_navigated", "www.example.org"
				}
				evs = append(evs, e)
			}
			for i := 0; i < n; i += 1000 {
				if _, err := a.st.InsertEvents(ctx, evs[i:i+1000]); err != nil {
					b.Fatal(err)
				}
			}
			if err := a.svc.Cycle(ctx, true); err != nil {
				b.Fatal(err)
			}
			var size int64
			filepath.Walk(filepath.Join(dir, syncdir.Root), func(_ string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() {
					size += fi.Size()
				}
				return nil
			})
			b.ResetTimer()
			var took time.Duration
			for range b.N {
				b.StopTimer()
				c := newDevice(b, "desktop", time.Now)
				c.st.SetSetting(ctx, "x", "warm") // open the writer
				b.StartTimer()
				start := time.Now()
				enable(b, c, dir, key) // reads the folder and imports it all
				took += time.Since(start)
				b.StopTimer()
				got, _ := c.st.EventsByDevice(ctx, time.Time{}, time.Now().Add(time.Hour))
				if got[a.svc.DeviceID()] != n {
					b.Fatalf("imported %d of %d events", got[a.svc.DeviceID()], n)
				}
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(n*b.N)/took.Seconds(), "events/s")
			b.ReportMetric(float64(size)/n, "folder-bytes/event")
		})
	}
}
