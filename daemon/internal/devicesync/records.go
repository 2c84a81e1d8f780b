package devicesync

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/syncdir"
)

// Record kinds, and the JSON of each record's data (docs/sync.md).
const (
	kindEvent      = "event"
	kindBreak      = "break"
	kindEarlyEnd   = "early_end"
	kindRule       = "rule"
	kindFeed       = "feed"
	kindReflection = "reflection"
	kindRemoved    = "removed"
)

// eventData is an event record: the event's fields under their wire
// names, with times in Unix milliseconds, except that records have always
// called missing_hosts "hosts" (EventFields.MissingHosts stays empty here).
type eventData struct {
	Client     string `json:"client"`
	EID        string `json:"eid"`
	TS         int64  `json:"ts"`
	Type       string `json:"type"`
	Domain     string `json:"domain,omitempty"`
	URL        string `json:"url,omitempty"`
	ReceivedAt int64  `json:"received_at"`
	api.EventFields
	Hosts []string `json:"hosts,omitempty"`
}

type breakData struct {
	UID    string   `json:"uid"`
	Name   string   `json:"name"`
	Start  int64    `json:"start"`
	End    int64    `json:"end,omitempty"` // 0 = open-ended
	Locked bool     `json:"locked,omitempty"`
	Sites  []string `json:"sites"` // null = the default sites
}

type earlyEndData struct {
	Key        string `json:"key"` // adhoc:<uid> or rule:<uid>@<start ms>
	Name       string `json:"name"`
	Reason     string `json:"reason"`
	At         int64  `json:"at"`
	PlannedEnd int64  `json:"planned_end"`
}

type ruleData struct {
	UID     string   `json:"uid"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Start   string   `json:"start"`
	End     string   `json:"end"`
	Locked  bool     `json:"locked,omitempty"`
	Sites   []string `json:"sites"`
	Enabled bool     `json:"enabled"`
	Created int64    `json:"created"`
}

type feedData struct {
	ID         string   `json:"id"`
	Custom     bool     `json:"custom,omitempty"`
	Name       string   `json:"name,omitempty"`
	ExtraHosts []string `json:"extra_hosts"`
	Paths      []string `json:"paths"`
	Enabled    *bool    `json:"enabled"`
}

type reflectionData struct {
	Day  string `json:"day"`
	Text string `json:"text"`
}

type removedData struct {
	Kind string `json:"kind"` // rule or reflection
	UID  string `json:"uid"`
}

func rec(kind, id string, clock, at int64, v any) syncdir.Record {
	b, _ := json.Marshal(v)
	return syncdir.Record{Kind: kind, ID: id, Clock: clock, At: at, Data: b}
}

// toRecords turns a batch of this device's changes into records.
func toRecords(b store.SyncBatch) []syncdir.Record {
	out := make([]syncdir.Record, 0, b.Len())
	for _, e := range b.Events {
		d := eventData{Client: e.ClientID, EID: e.ID, TS: e.TS.UnixMilli(), Type: e.Type, Domain: e.Domain, URL: e.URL,
			ReceivedAt: e.ReceivedAt.UnixMilli(), EventFields: e.EventFields, Hosts: e.MissingHosts}
		d.EventFields.MissingHosts = nil
		out = append(out, rec(kindEvent, e.ClientID+"/"+e.ID, 0, e.TS.UnixMilli(), d))
	}
	for _, a := range b.Adhoc {
		d := breakData{UID: a.UID, Name: a.Name, Start: a.Start.UnixMilli(), Locked: a.Locked, Sites: a.Sites}
		if !a.End.IsZero() {
			d.End = a.End.UnixMilli()
		}
		out = append(out, rec(kindBreak, a.UID, 0, d.Start, d))
	}
	for _, e := range b.EarlyEnds {
		out = append(out, rec(kindEarlyEnd, e.WindowKey, 0, e.At.UnixMilli(), earlyEndData{
			Key: e.WindowKey, Name: e.Name, Reason: e.Reason, At: e.At.UnixMilli(), PlannedEnd: e.PlannedEnd.UnixMilli()}))
	}
	for _, r := range b.Rules {
		out = append(out, rec(kindRule, r.UID, r.Clock, 0, ruleData{UID: r.UID, Name: r.Name, Kind: r.Kind, Start: r.Start, End: r.End,
			Locked: r.Locked, Sites: r.Sites, Enabled: r.Enabled, Created: r.CreatedAt.UnixMilli()}))
	}
	for _, f := range b.Feeds {
		out = append(out, rec(kindFeed, f.ID, f.Clock, 0, feedData{ID: f.ID, Custom: f.Custom, Name: f.Name, ExtraHosts: f.ExtraHosts,
			Paths: f.Paths, Enabled: f.Enabled}))
	}
	for _, r := range b.Reflections {
		out = append(out, rec(kindReflection, r.Day, r.At, r.At, reflectionData{Day: r.Day, Text: r.Text}))
	}
	for _, r := range b.Removed {
		out = append(out, rec(kindRemoved, r.Kind+":"+r.UID, r.Clock, 0, removedData{Kind: r.Kind, UID: r.UID}))
	}
	return out
}

// fromRecords turns another device's records into a batch. A record of a
// kind this version does not know is skipped and counted in unknown; a
// record that does not decode fails the whole segment.
func fromRecords(rs []syncdir.Record) (b store.SyncBatch, unknown int, err error) {
	for i, r := range rs {
		bad := func(err error) error { return fmt.Errorf("record %d (%s %s): %w", i+1, r.Kind, r.ID, err) }
		switch r.Kind {
		case kindEvent:
			var d eventData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return b, 0, bad(err)
			}
			if d.Client == "" || d.EID == "" || d.Type == "" {
				return b, 0, bad(fmt.Errorf("client, eid and type are required"))
			}
			f := d.EventFields
			f.MissingHosts = d.Hosts
			b.Events = append(b.Events, store.Event{ID: d.EID, ClientID: d.Client, TS: time.UnixMilli(d.TS).UTC(), Type: d.Type, Domain: d.Domain,
				URL: d.URL, ReceivedAt: time.UnixMilli(d.ReceivedAt).UTC(), EventFields: f})
		case kindBreak:
			var d breakData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return b, 0, bad(err)
			}
			if d.UID == "" || d.Start == 0 {
				return b, 0, bad(fmt.Errorf("uid and start are required"))
			}
			a := store.SyncAdhoc{UID: d.UID, Adhoc: store.Adhoc{Name: d.Name, Start: time.UnixMilli(d.Start).UTC(), Locked: d.Locked, Sites: d.Sites}}
			if d.End != 0 {
				a.End = time.UnixMilli(d.End).UTC()
			}
			b.Adhoc = append(b.Adhoc, a)
		case kindEarlyEnd:
			var d earlyEndData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return b, 0, bad(err)
			}
			b.EarlyEnds = append(b.EarlyEnds, store.SyncEarlyEnd{EarlyEnd: store.EarlyEnd{WindowKey: d.Key, Name: d.Name, Reason: d.Reason,
				At: time.UnixMilli(d.At).UTC(), PlannedEnd: time.UnixMilli(d.PlannedEnd).UTC()}})
		case kindRule:
			var d ruleData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return b, 0, bad(err)
			}
			if d.UID == "" || r.Clock < 1 {
				return b, 0, bad(fmt.Errorf("uid and clock are required"))
			}
			b.Rules = append(b.Rules, store.SyncRule{UID: d.UID, Clock: r.Clock, Rule: store.Rule{Name: d.Name, Kind: d.Kind, Start: d.Start,
				End: d.End, Locked: d.Locked, Sites: d.Sites, Enabled: d.Enabled, CreatedAt: time.UnixMilli(d.Created).UTC()}})
		case kindFeed:
			var d feedData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return b, 0, bad(err)
			}
			if d.ID == "" || r.Clock < 1 {
				return b, 0, bad(fmt.Errorf("id and clock are required"))
			}
			b.Feeds = append(b.Feeds, store.SyncFeed{Clock: r.Clock, FeedSetting: store.FeedSetting{ID: d.ID, Custom: d.Custom, Name: d.Name,
				ExtraHosts: d.ExtraHosts, Paths: d.Paths, Enabled: d.Enabled}})
		case kindReflection:
			var d reflectionData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return b, 0, bad(err)
			}
			if d.Day == "" || r.Clock < 1 {
				return b, 0, bad(fmt.Errorf("day and clock are required"))
			}
			b.Reflections = append(b.Reflections, store.SyncReflection{Day: d.Day, Text: d.Text, At: r.Clock})
		case kindRemoved:
			var d removedData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return b, 0, bad(err)
			}
			if (d.Kind != "rule" && d.Kind != "reflection") || d.UID == "" {
				return b, 0, bad(fmt.Errorf("kind must be rule or reflection, and uid is required"))
			}
			b.Removed = append(b.Removed, store.SyncRemoved{Kind: d.Kind, UID: d.UID, Clock: r.Clock})
		default:
			unknown++
		}
	}
	return b, unknown, nil
}
