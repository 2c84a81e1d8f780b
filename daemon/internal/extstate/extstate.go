// Package extstate builds what the extension caches (the protocol's State,
// sent in welcome and state messages) and tells the WebSocket hub when it
// may have changed. It is where the state service and the break service
// meet; neither knows the other.
//
//	state service ─► feeds, prompt settings, pause, today ─┐
//	break service ─► breaks of the coming week ────────────┴─► State
//	change bus ─► BreaksChanged, FeedsChanged, … ─► Run ─► hub.StateChanged
//
// The hub coalesces a burst of StateChanged into one State.
package extstate

import (
	"context"

	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/feeds"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/state"
)

// Builder builds the extension's state. It is safe for concurrent use.
type Builder struct {
	states  *state.Service
	breaks  *breaks.Service
	changed *changes.Subscription
}

// New returns a Builder over the two services. It subscribes to bus (may
// be nil) at once, so that no change published before Run is lost.
func New(states *state.Service, brk *breaks.Service, bus *changes.Bus) *Builder {
	return &Builder{states: states, breaks: brk, changed: bus.Subscribe(
		changes.BreaksChanged{}, changes.FeedsChanged{}, changes.PromptsChanged{}, changes.PromptAnswered{},
		changes.SettingsChanged{}, changes.DataDeleted{}, changes.Imported{},
	)}
}

// State builds what the extension caches: the state service's part, then
// the breaks of the coming week, a break that names no sites blocking
// every host of every enabled feed.
func (b *Builder) State(ctx context.Context) (protocol.State, error) {
	ps, err := b.states.State(ctx)
	if err != nil {
		return protocol.State{}, err
	}
	bs, until, err := b.breaks.ForExtension(ctx, enabledHosts(ps.Feeds))
	if err != nil {
		return protocol.State{}, err
	}
	reason, err := b.breaks.Reason(ctx)
	if err != nil {
		return protocol.State{}, err
	}
	used, limit, err := b.breaks.EarlyEndsThisWeek(ctx)
	if err != nil {
		return protocol.State{}, err
	}
	ps.Breaks, ps.BreaksUntil, ps.BreakReason = bs, until, reason
	ps.EarlyEnd = protocol.EarlyEndRule{WaitSeconds: int(breaks.EarlyEndWait.Seconds()), LeftThisWeek: max(0, limit-used)}
	return ps, nil
}

// enabledHosts is every host of every enabled feed.
func enabledHosts(fs []protocol.Feed) []string {
	on := make([]feeds.Feed, 0, len(fs))
	for _, f := range fs {
		on = append(on, feeds.Feed{ID: f.ID, Hosts: f.Hosts, Enabled: f.Enabled})
	}
	return feeds.Hosts(on)
}

// Notifier is told that the state may have changed: the WebSocket hub.
type Notifier interface{ StateChanged() }

// Run tells n after every change to what the extension caches, until ctx
// ends.
func (b *Builder) Run(ctx context.Context, n Notifier) {
	defer b.changed.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.changed.Ready():
		}
		if len(b.changed.Take()) > 0 {
			n.StateChanged()
		}
	}
}
