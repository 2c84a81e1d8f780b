package extstate

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/state"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

func newBuilder(t *testing.T, bus *changes.Bus) (*Builder, *state.Service, *breaks.Service) {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	states, err := state.New(t.Context(), st, time.Now, bus)
	if err != nil {
		t.Fatal(err)
	}
	brk := breaks.New(breaks.Config{Store: st, Changes: bus})
	return New(states, brk, bus), states, brk
}

// A break that names no sites blocks every host of every enabled feed; one
// that names sites blocks those.
func TestStateResolvesBreakSites(t *testing.T) {
	ctx := t.Context()
	b, states, brk := newBuilder(t, nil)
	if _, err := states.SetEnabled(ctx, "reddit", false); err != nil {
		t.Fatal(err)
	}
	if _, err := brk.Start(ctx, "1h", "All", false); err != nil {
		t.Fatal(err)
	}
	if _, err := brk.AddRule(ctx, schedule.Rule{Name: "News", Kind: schedule.KindWeekly, Start: "Mon 00:00", End: "Sun 23:59", Sites: []string{"news.ycombinator.com"}}); err != nil {
		t.Fatal(err)
	}
	ps, err := b.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := states.Feeds(ctx)
	var want []string
	for _, f := range fs {
		if f.Enabled {
			want = append(want, f.Hosts...)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	var all, news bool
	for _, x := range ps.Breaks {
		switch x.Name {
		case "All":
			all = slices.Equal(x.Sites, want) && !slices.Contains(x.Sites, "www.reddit.com")
		case "News":
			news = slices.Equal(x.Sites, []string{"news.ycombinator.com"})
		}
	}
	if !all || !news {
		t.Errorf("breaks %+v; want All on every enabled feed's host (%v) and News on its own site", ps.Breaks, want)
	}
	if ps.EarlyEnd.WaitSeconds != int(breaks.EarlyEndWait.Seconds()) || ps.EarlyEnd.LeftThisWeek != breaks.DefaultEarlyEndsPerWeek {
		t.Errorf("early end %+v", ps.EarlyEnd)
	}
	if ps.BreaksUntil.IsZero() || len(ps.Feeds) != len(fs) {
		t.Errorf("state %+v", ps)
	}
}

type notifier chan struct{}

func (n notifier) StateChanged() { n <- struct{}{} }

// Each kind of change to what the extension caches reaches the hub.
func TestRunTellsTheHub(t *testing.T) {
	bus := &changes.Bus{}
	b, _, _ := newBuilder(t, bus)
	ctx, cancel := context.WithCancel(t.Context())
	n := make(notifier, 16)
	done := make(chan struct{})
	go func() { b.Run(ctx, n); close(done) }()
	defer func() { cancel(); <-done }()

	for _, c := range []changes.Change{changes.BreaksChanged{}, changes.FeedsChanged{}, changes.PromptsChanged{}, changes.PromptAnswered{}, changes.SettingsChanged{}, changes.DataDeleted{}, changes.Imported{}} {
		bus.Publish(changes.ClientsChanged{}) // not in the state
		bus.Publish(c)
		select {
		case <-n:
		case <-time.After(10 * time.Second):
			t.Fatalf("%T did not reach the hub", c)
		}
	}
}
