package devicesync

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// An event record carries every field of the event under its wire name,
// except the access event's missing hosts, which records have always called
// "hosts"; and it reads back as the same event.
func TestEventRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tab, box, secs := int64(7), int64(15), 2.5
	evs := []store.Event{
		{ID: "a1", ClientID: "cA", TS: at, Type: api.EventAccess, ReceivedAt: at,
			EventFields: api.EventFields{State: "limited", MissingHosts: []string{"x.example"}}},
		{ID: "p1", ClientID: "cA", TS: at, Type: api.EventPrompt, Domain: "news.example", URL: "https://news.example/", ReceivedAt: at,
			EventFields: api.EventFields{TabID: &tab, FeedID: "news", Answer: "need", SecondsToAnswer: &secs, Purpose: "p", TimeboxMinutes: &box, Via: "spa"}},
	}
	recs := toRecords(store.SyncBatch{Events: evs})
	if d := string(recs[0].Data); !strings.Contains(d, `"hosts":["x.example"]`) || strings.Contains(d, "missing_hosts") {
		t.Errorf("access record %s: want its hosts as \"hosts\"", d)
	}
	if d := string(recs[1].Data); !strings.Contains(d, `"feed_id":"news"`) || !strings.Contains(d, `"timebox_minutes":15`) || strings.Contains(d, "hosts") {
		t.Errorf("prompt record %s", d)
	}
	b, unknown, err := fromRecords(recs)
	if err != nil || unknown != 0 {
		t.Fatal(unknown, err)
	}
	if !reflect.DeepEqual(b.Events, evs) {
		t.Errorf("read back\n%+v\nwant\n%+v", b.Events, evs)
	}
}
