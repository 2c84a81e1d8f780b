package state

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/clocktest"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

func newSvc(t testing.TB, now time.Time) (*Service, *store.Store, *clocktest.Clock, *changes.Subscription) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := clocktest.New(now)
	bus := &changes.Bus{}
	published := bus.Subscribe()
	s, err := New(context.Background(), st, c.Now, bus)
	if err != nil {
		t.Fatal(err)
	}
	return s, st, c, published
}

func TestFeedsAddDisableEnable(t *testing.T) {
	s, _, _, published := newSvc(t, time.Now())
	ctx := context.Background()

	if _, ok := s.Match("mastodon.social", "/home"); ok {
		t.Fatal("mastodon.social matched before it was added")
	}
	f, err := s.AddFeed(ctx, FeedChange{ID: "mastodon", Hosts: []string{"mastodon.social"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Hosts) != 1 || f.Paths[0] != "/home" || !f.Builtin {
		t.Fatalf("mastodon after add: %+v", f)
	}
	if id, ok := s.Match("mastodon.social", "/home"); !ok || id != "mastodon" {
		t.Fatalf("mastodon.social/home: %q %v", id, ok)
	}
	if id, ok := s.Match("www.reddit.com", "/r/golang"); !ok || id != "reddit" {
		t.Fatalf("reddit: %q %v", id, ok)
	}
	if _, err := s.SetEnabled(ctx, "reddit", false); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Match("www.reddit.com", "/r/golang"); ok {
		t.Fatal("disabled feed still matches")
	}
	st, err := s.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reddit, mastodon bool
	for _, f := range st.Feeds {
		if f.ID == "reddit" {
			reddit = true
			if f.Enabled {
				t.Fatal("state shows reddit enabled")
			}
		}
		if f.ID == "mastodon" && len(f.Hosts) == 1 {
			mastodon = true
		}
	}
	if !reddit || !mastodon {
		t.Fatalf("state feeds missing changes: %+v", st.Feeds)
	}
	if _, err := s.SetEnabled(ctx, "reddit", true); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Match("www.reddit.com", "/r/golang"); !ok {
		t.Fatal("re-enabled feed does not match")
	}
	// A custom feed.
	if _, err := s.AddFeed(ctx, FeedChange{ID: "news", Name: "News", Hosts: []string{"news.example"}, Paths: []string{"/front"}}); err != nil {
		t.Fatal(err)
	}
	if id, ok := s.Match("news.example", "/front/"); !ok || id != "news" {
		t.Fatalf("custom feed: %q %v", id, ok)
	}
	if n := len(published.Take()); n != 4 {
		t.Fatalf("listener called %d times, want 4 (one per change)", n)
	}
}

func TestInvalidFeedChangesSaveNothing(t *testing.T) {
	s, _, _, published := newSvc(t, time.Now())
	ctx := context.Background()
	before, _ := s.Feeds(ctx)
	for _, c := range []FeedChange{
		{ID: "newfeed"}, // no host
		{ID: "Bad ID", Hosts: []string{"x.example"}},        // id
		{ID: "mastodon", Hosts: []string{"Not A Host"}},     // host
		{ID: "reddit", Paths: []string{"/a/**/b"}},          // pattern
		{ID: "reddit", Paths: []string{"no-leading-slash"}}, // pattern
	} {
		if _, err := s.AddFeed(ctx, c); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: want ErrInvalid, got %v", c, err)
		}
	}
	if _, err := s.SetEnabled(ctx, "nosuch", false); !errors.Is(err, ErrNoFeed) {
		t.Fatalf("unknown feed: %v", err)
	}
	after, _ := s.Feeds(ctx)
	if n := len(published.Take()); len(after) != len(before) || n != 0 {
		t.Fatalf("a refused change was saved (%d → %d feeds, %d notifications)", len(before), len(after), n)
	}
}

func TestPausePromptsAndSettings(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	s, _, clk, _ := newSvc(t, now)
	ctx := context.Background()
	if err := s.PausePrompts(ctx, now.Add(-time.Minute)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("pause into the past: %v", err)
	}
	if err := s.PausePrompts(ctx, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	p, _ := s.PausedUntil(ctx)
	if p == nil || !p.Equal(now.Add(time.Hour)) {
		t.Fatalf("paused until %v", p)
	}
	clk.Set(now.Add(61 * time.Minute))
	if p, _ := s.PausedUntil(ctx); p != nil {
		t.Fatalf("pause still shown after it ended: %v", p)
	}
	clk.Set(now)
	s.PausePrompts(ctx, now.Add(time.Hour))
	s.PausePrompts(ctx, time.Time{})
	if p, _ := s.PausedUntil(ctx); p != nil {
		t.Fatal("resume did not end the pause")
	}

	ps, _ := s.PromptSettings(ctx)
	if ps.PauseSeconds != 3 || ps.DefaultTimeboxMinutes != 15 || len(ps.TimeboxesMinutes) != 3 {
		t.Fatalf("defaults: %+v", ps)
	}
	if err := s.SetPromptSettings(ctx, 5, 30); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPromptSettings(ctx, 61, -1); !errors.Is(err, ErrInvalid) {
		t.Fatal("61 s pause accepted")
	}
	if err := s.SetPromptSettings(ctx, -1, 7); !errors.Is(err, ErrInvalid) {
		t.Fatal("7 minute time box accepted")
	}
	ps, _ = s.PromptSettings(ctx)
	if ps.PauseSeconds != 5 || ps.DefaultTimeboxMinutes != 30 {
		t.Fatalf("after set: %+v", ps)
	}
}

func TestHabitCountSinceDayStart(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, loc)
	s, st, _, _ := newSvc(t, now)
	ctx := context.Background()
	mk := func(id, answer string, at time.Time) store.Event {
		return store.Event{ID: id, ClientID: "c", TS: at, Type: "prompt", ReceivedAt: at, EventFields: api.EventFields{FeedID: "reddit", Answer: answer}}
	}
	st.InsertEvents(ctx, []store.Event{
		mk("yesterday", "habit", time.Date(2026, 11, 23, 3, 30, 0, 0, loc)), // before 04:00: yesterday
		mk("h1", "habit", time.Date(2026, 11, 23, 9, 0, 0, 0, loc)),
		mk("h2", "habit_continued", time.Date(2026, 11, 23, 10, 0, 0, 0, loc)),
		mk("n1", "need", time.Date(2026, 11, 23, 11, 0, 0, 0, loc)),
		mk("l1", "left_during_pause", time.Date(2026, 11, 23, 12, 0, 0, 0, loc)),
	})
	state, err := s.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if state.HabitOpensToday != 2 {
		t.Fatalf("habit opens today = %d, want 2", state.HabitOpensToday)
	}
	if !state.DayStart.Equal(time.Date(2026, 11, 23, 4, 0, 0, 0, loc)) {
		t.Fatalf("day start %s", state.DayStart)
	}
	if state.Prompt.PauseSeconds != 3 || state.PromptsPausedUntil != nil || len(state.Feeds) < 12 {
		t.Fatalf("state %+v", state)
	}
}

// After an import from another device (a feed setting written to the store
// directly), Run reads the feeds again and publishes FeedsChanged.
func TestRunReloadsAfterAnImport(t *testing.T) {
	s, st, _, published := newSvc(t, time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx, slog.New(slog.DiscardHandler)); close(done) }()
	defer func() { cancel(); <-done }()
	if err := st.PutFeedSetting(ctx, store.FeedSetting{ID: "mastodon", ExtraHosts: []string{"mastodon.social"}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Match("mastodon.social", "/home"); ok {
		t.Fatal("matched before the import was announced")
	}
	s.bus.Publish(changes.Imported{})
	for {
		select {
		case <-published.Ready():
		case <-time.After(10 * time.Second):
			t.Fatal("no FeedsChanged within 10 s of the import")
		}
		if slices.Contains(published.Take(), changes.Change(changes.FeedsChanged{})) {
			break
		}
	}
	if id, ok := s.Match("mastodon.social", "/home"); !ok || id != "mastodon" {
		t.Fatalf("after the import: %q %v", id, ok)
	}
}
