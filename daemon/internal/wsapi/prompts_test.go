package wsapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

func TestWelcomeCarriesStateAndBroadcastReachesSockets(t *testing.T) {
	st := protocol.State{
		Feeds:    []protocol.Feed{{ID: "reddit", Name: "Reddit", Hosts: []string{"www.reddit.com"}, Paths: []string{"/"}, Enabled: true}},
		Prompt:   protocol.PromptSettings{PauseSeconds: 3, DefaultTimeboxMinutes: 15, TimeboxesMinutes: []int{5, 15, 30}},
		DayStart: time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC),
	}
	e := newEnv(t, func(c *wsapi.Config) {
		c.State = func(context.Context) (protocol.State, error) { return st, nil }
	})
	w := e.dial(chromeOrigin)
	w.send(protocol.TypePairRequest, info("client-state-1"))
	var pend protocol.PairPending
	decode(t, w.expect(protocol.TypePairPending).Body, &pend)
	e.hub.Approve(context.Background(), pend.Code)
	var paired protocol.Paired
	decode(t, w.expect(protocol.TypePaired).Body, &paired)
	wl := w.hello("client-state-1", paired.Token)
	if len(wl.State.Feeds) != 1 || wl.State.Feeds[0].ID != "reddit" || wl.State.Prompt.PauseSeconds != 3 {
		t.Fatalf("welcome state %+v", wl.State)
	}
	until := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	st2 := st
	st2.PromptsPausedUntil = &until
	e.hub.Broadcast(st2)
	var got protocol.State
	decode(t, w.expect(protocol.TypeState).Body, &got)
	if got.PromptsPausedUntil == nil || !got.PromptsPausedUntil.Equal(until) {
		t.Fatalf("broadcast state %+v", got)
	}
}

func TestPromptEventsAndFeedTime(t *testing.T) {
	bus := &changes.Bus{}
	published := bus.Subscribe(changes.PromptAnswered{})
	e := newEnv(t, func(c *wsapi.Config) { c.Changes = bus })
	w, _ := e.pair(chromeOrigin, "client-prompt-1")
	prompt := ev("p1", api.EventPrompt, map[string]any{
		"tab_id": 4, "window_id": 1, "domain": "www.reddit.com", "feed_id": "reddit", "answer": "need",
		"seconds_to_answer": 4.5, "via": "navigation", "purpose": "Reply to a message", "timebox_minutes": 5,
	})
	w.send(protocol.TypeEvents, map[string]any{"events": []any{prompt}})
	w.expect(protocol.TypeAck)
	if n := len(published.Take()); n != 1 {
		t.Fatalf("PromptAnswered published %d times", n)
	}
	ft := func(id string, secs float64) map[string]any {
		return ev(id, api.EventFeedTime, map[string]any{"prompt_id": "p1", "feed_id": "reddit", "seconds": secs})
	}
	batch := map[string]any{"events": []any{ft("t1", 120), ft("t2", 30.5)}}
	w.send(protocol.TypeEvents, batch)
	w.expect(protocol.TypeAck)
	w.send(protocol.TypeEvents, batch) // replayed: must not count twice
	w.expect(protocol.TypeAck)

	evs := storedEvents(t, e)
	if len(evs) != 3 {
		t.Fatalf("stored %d events, want 3", len(evs))
	}
	p := evs[0]
	if p.Type != "prompt" || p.Answer != "need" || p.Purpose != "Reply to a message" || *p.TimeboxMinutes != 5 || *p.SecondsToAnswer != 4.5 || p.Via != "navigation" {
		t.Fatalf("prompt stored as %+v", p)
	}
	if p.SecondsOnFeed == nil || *p.SecondsOnFeed != 150.5 {
		t.Fatalf("seconds on feed = %v, want 150.5", p.SecondsOnFeed)
	}
	if n := len(published.Take()); n != 0 {
		t.Fatalf("feed_time must not count as an answer (%d more)", n)
	}

	// A need without a time box is rejected by name.
	bad := ev("p2", api.EventPrompt, map[string]any{"tab_id": 4, "feed_id": "reddit", "answer": "need", "seconds_to_answer": 1})
	w.send(protocol.TypeEvents, map[string]any{"events": []any{bad}})
	var a protocol.Ack
	decode(t, w.expect(protocol.TypeAck).Body, &a)
	if len(a.Rejected) != 1 || a.Rejected[0].Field != "events[0].timebox_minutes" {
		t.Fatalf("ack %+v", a)
	}
}

func TestDaemonNamesTheFeedOfANavigation(t *testing.T) {
	e := newEnv(t, func(c *wsapi.Config) {
		c.MatchFeed = func(host, path string) (string, bool) {
			if host == "www.reddit.com" && path == "/r/golang/" {
				return "reddit", true
			}
			return "", false
		}
	})
	w, _ := e.pair(chromeOrigin, "client-match-1")
	claims := nav("m1", "www.reddit.com")
	claims["feed_id"] = "youtube" // the daemon decides from the URL
	plain := nav("m2", "example.org")
	plain["url"] = "https://example.org/"
	noURL := ev("m3", api.EventTabNavigated, map[string]any{"tab_id": 1, "window_id": 1, "domain": "www.reddit.com", "feed_id": "reddit"})
	w.send(protocol.TypeEvents, map[string]any{"events": []any{claims, plain, noURL}})
	w.expect(protocol.TypeAck)
	evs := storedEvents(t, e)
	if evs[0].FeedID != "reddit" || evs[1].FeedID != "" || evs[2].FeedID != "reddit" {
		t.Fatalf("feed ids %q %q %q", evs[0].FeedID, evs[1].FeedID, evs[2].FeedID)
	}
}
