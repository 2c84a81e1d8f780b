// Package changes is the daemon's in-process bus of typed changes. A
// service that changes something (breaks, feeds, settings, an answer, a
// check-in) publishes what changed and returns; it never calls back into
// the daemon's wiring. Whoever needs to react subscribes: the part that
// builds the extension's cached state (extstate), the tray's status
// stream, the device sync, the break and check-in watchers.
//
//	breaks ─┐                        ┌─► extstate ─► WebSocket hub
//	state  ─┤                        ├─► tray status stream
//	summary─┼─► Publish ─► Bus ──────┼─► devicesync (write out)
//	wsapi  ─┤                        ├─► breaks, checkin watchers
//	checkin─┤                        └─► state (feed matcher)
//	devicesync (Imported)
//
// Publish never blocks: each subscription queues what it has not taken
// yet and signals Ready, so a slow subscriber never holds up a publisher.
// A subscriber takes its queue in publication order and re-reads what it
// needs; the changes say what changed, never the new state itself.
package changes

import (
	"reflect"
	"sync"

	"github.com/mindful-app/mindful/daemon/api"
)

// A Change is one typed change published on a Bus. The types below are
// all there is: each names its publisher.
type Change interface{ change() }

// BreaksChanged: the breaks service changed a break, a scheduled break or
// the break settings, or a break started or ended (its watcher).
type BreaksChanged struct{}

// FeedsChanged: the state service changed the feed catalog (or read it
// again after an import).
type FeedsChanged struct{}

// PromptsChanged: the state service changed the prompt settings or the
// pause of prompts.
type PromptsChanged struct{}

// SettingsChanged: the summary service stored the user's general settings
// (day start, check-in time, retention, full URLs).
type SettingsChanged struct{}

// DataDeleted: the summary service deleted everything stored about the
// user (breaks and settings included).
type DataDeleted struct{}

// EventsStored: the WebSocket stored new events from a browser.
type EventsStored struct{}

// PromptAnswered: among the events stored was a new answer to a prompt,
// which may change the day's habit count (and so the breathing pause).
type PromptAnswered struct{}

// ClientsChanged: a browser asked to pair, was paired or revoked, or
// connected or disconnected.
type ClientsChanged struct{}

// CheckinChanged: the evening check-in became due or stopped being due.
type CheckinChanged struct{ Status api.Checkin }

// Imported: the device sync imported another device's changes (breaks,
// rules, feeds, settings or reflections).
type Imported struct{}

func (BreaksChanged) change()   {}
func (FeedsChanged) change()    {}
func (PromptsChanged) change()  {}
func (SettingsChanged) change() {}
func (DataDeleted) change()     {}
func (EventsStored) change()    {}
func (PromptAnswered) change()  {}
func (ClientsChanged) change()  {}
func (CheckinChanged) change()  {}
func (Imported) change()        {}

// maxQueue is how many changes a subscription queues before it keeps only
// changes that differ from every one already queued.
const maxQueue = 256

// Bus fans changes out to subscriptions. The zero value is ready to use; a
// nil *Bus drops what is published and subscribes to nothing, for services
// built without one (tests).
type Bus struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// Publish queues c for every subscription that wants it. It never blocks.
func (b *Bus) Publish(c Change) {
	if b == nil {
		return
	}
	t := reflect.TypeOf(c)
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.want == nil || s.want[t] {
			s.add(c)
		}
	}
}

// Subscribe returns a subscription to the changes of the kinds given by
// example (changes.BreaksChanged{}, …), or to every change when none is
// given. Subscribe before the publishers start, so nothing is missed.
func (b *Bus) Subscribe(kinds ...Change) *Subscription {
	if b == nil {
		return nil
	}
	s := &Subscription{bus: b, ready: make(chan struct{}, 1)}
	if len(kinds) > 0 {
		s.want = make(map[reflect.Type]bool, len(kinds))
		for _, k := range kinds {
			s.want[reflect.TypeOf(k)] = true
		}
	}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[*Subscription]struct{}{}
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Subscription is one subscriber's queue of changes. A nil *Subscription
// is never ready and holds nothing.
type Subscription struct {
	bus   *Bus
	want  map[reflect.Type]bool // nil: every change
	ready chan struct{}         // capacity 1: changes wait in queue

	mu    sync.Mutex
	queue []Change
}

func (s *Subscription) add(c Change) {
	s.mu.Lock()
	if len(s.queue) < maxQueue || !contains(s.queue, c) {
		s.queue = append(s.queue, c)
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

func contains(q []Change, c Change) bool {
	for _, x := range q {
		if x == c {
			return true
		}
	}
	return false
}

// Ready receives a signal when changes wait to be taken.
func (s *Subscription) Ready() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.ready
}

// Take returns the changes queued since the last Take, oldest first.
func (s *Subscription) Take() []Change {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue = nil
	return q
}

// Close ends the subscription.
func (s *Subscription) Close() {
	if s == nil {
		return
	}
	s.bus.mu.Lock()
	delete(s.bus.subs, s)
	s.bus.mu.Unlock()
}
