package summary

import (
	"slices"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// Activity is one event as Accumulate reads it. TS is unix milliseconds.
type Activity struct {
	Client   string
	TS       int64
	Type     string // tab_navigated, tab_activated, tab_closed, window_focus, idle_state; others are ignored
	TabID    int64
	WindowID int64
	HasTab   bool
	HasWin   bool
	FeedID   string // tab_navigated: the feed the page is on, "" if none
	State    string // idle_state: active, idle or locked
}

// Connected is one period in which a browser (Client) was connected to the
// daemon; End 0 means it still is.
type Connected struct {
	Client     string
	Start, End int64
}

// MaxGapOffline caps how long a state lasts with no further event when the
// browser was not connected to the daemon (its events arrived later, from
// its queue): without a session end to stop at, an hour at most.
const MaxGapOffline = time.Hour

// Accumulate returns the time on each feed within [from, to) (unix ms) from
// events sorted by TS (stable, in arrival order), in milliseconds per feed
// id, and the union of all of it (total). Events before from only set the
// starting state.
//
// Like a heartbeat merge, each browser's events are replayed as a state
// machine: which tab each window shows (tab_activated, tab_closed), which
// feed each tab is on (tab_navigated), which window has focus
// (window_focus, -1 = none) and whether the user is idle (idle_state idle
// or locked). Between one event and the next of the same browser, time
// counts for feed F only when the focused window's active tab is on F and
// the user is active:
//
//	browser A  nav(t1,F) act(t1)   focus(-1)   focus(w1)  idle   active   closed(t1)
//	              |------------------|          |--------|        |--------|
//	counts        [====== F =========)          [== F ===)        [== F ===)
//	a background tab on F, a window without focus, idle or locked: nothing
//
// Until a browser's first window_focus, the window of its latest
// tab_activated (or tab_navigated) is taken to have focus; until its first
// idle_state the user is taken to be active.
//
// An interval ends at the browser's next event, at to, and at the end of
// the browser's connected session that contains its start (a closed or
// crashed browser, or a daemon that died, stops the count). An interval
// that starts while the browser was not connected (its events were queued
// and sent later) lasts at most MaxGapOffline. A browser with no sessions
// at all in conn is treated as never connected.
//
// Browsers are independent (each has its own focus), and time counts at
// most once per instant: total is the union over all browsers and feeds,
// and a feed's time is the union over the browsers that showed it. Two
// different feeds shown at the same instant in two browsers each count for
// their feed, so the feeds may add up to more than total.
func Accumulate(evs []Activity, conn []Connected, from, to int64) (perFeed map[string]int64, total int64) {
	perFeed = map[string]int64{}
	if to <= from {
		return perFeed, 0
	}
	type span struct {
		feed       string
		start, end int64
	}
	var spans []span
	sessions := map[string][]Connected{}
	for _, c := range conn {
		sessions[c.Client] = append(sessions[c.Client], c)
	}
	for _, ss := range sessions {
		slices.SortFunc(ss, func(a, b Connected) int { return cmpInt(a.Start, b.Start) })
	}
	// capAt is when an interval starting at t for client ends at the
	// latest.
	capAt := func(client string, t int64) int64 {
		for _, s := range sessions[client] {
			if s.Start <= t && (s.End == 0 || t < s.End) {
				if s.End == 0 {
					return to
				}
				return s.End
			}
		}
		return t + MaxGapOffline.Milliseconds()
	}

	type browser struct {
		tabs       map[int64]string // tab -> feed ("" = not a feed)
		active     map[int64]int64  // window -> active tab
		focus      int64
		focusKnown bool
		lastWin    int64 // window of the latest tab event, while focus is unknown
		hasLastWin bool
		idle       bool
		last       int64 // TS of the latest event
		started    bool
	}
	bs := map[string]*browser{}
	// current is the feed browser b counts for now, or "".
	current := func(b *browser) string {
		if b.idle {
			return ""
		}
		w, ok := b.focus, b.focusKnown
		if !ok {
			w, ok = b.lastWin, b.hasLastWin
		}
		if !ok || w == -1 {
			return ""
		}
		tab, ok := b.active[w]
		if !ok {
			return ""
		}
		return b.tabs[tab]
	}
	// flush counts browser client's state from its last event up to t.
	flush := func(client string, b *browser, t int64) {
		if !b.started {
			return
		}
		feed := current(b)
		if feed == "" {
			return
		}
		end := min(t, capAt(client, b.last), to)
		start := max(b.last, from)
		if end > start {
			spans = append(spans, span{feed, start, end})
		}
	}
	for _, e := range evs {
		if e.TS >= to {
			break
		}
		switch e.Type {
		case api.EventTabNavigated, api.EventTabActivated, api.EventTabClosed, api.EventWindowFocus, api.EventIdleState:
		default:
			continue
		}
		b := bs[e.Client]
		if b == nil {
			b = &browser{tabs: map[int64]string{}, active: map[int64]int64{}}
			bs[e.Client] = b
		}
		flush(e.Client, b, e.TS)
		b.last, b.started = e.TS, true
		switch e.Type {
		case api.EventTabNavigated:
			if e.HasTab {
				b.tabs[e.TabID] = e.FeedID
				if e.HasWin {
					if _, ok := b.active[e.WindowID]; !ok {
						b.active[e.WindowID] = e.TabID
					}
					b.lastWin, b.hasLastWin = e.WindowID, true
				}
			}
		case api.EventTabActivated:
			if e.HasTab && e.HasWin {
				b.active[e.WindowID] = e.TabID
				b.lastWin, b.hasLastWin = e.WindowID, true
			}
		case api.EventTabClosed:
			if e.HasTab {
				delete(b.tabs, e.TabID)
				for w, t := range b.active {
					if t == e.TabID {
						delete(b.active, w)
					}
				}
			}
		case api.EventWindowFocus:
			if e.HasWin {
				b.focus, b.focusKnown = e.WindowID, true
			}
		case api.EventIdleState:
			b.idle = e.State != "active"
		}
	}
	for client, b := range bs {
		flush(client, b, to)
	}

	// Union per feed, and over everything.
	slices.SortFunc(spans, func(a, b span) int {
		if c := cmpInt(a.start, b.start); c != 0 {
			return c
		}
		return cmpInt(a.end, b.end)
	})
	union := func(keep func(span) bool) int64 {
		var sum, curS, curE int64
		open := false
		for _, s := range spans {
			if !keep(s) {
				continue
			}
			if open && s.start <= curE {
				curE = max(curE, s.end)
				continue
			}
			if open {
				sum += curE - curS
			}
			curS, curE, open = s.start, s.end, true
		}
		if open {
			sum += curE - curS
		}
		return sum
	}
	feeds := map[string]bool{}
	for _, s := range spans {
		feeds[s.feed] = true
	}
	for f := range feeds {
		perFeed[f] = union(func(s span) bool { return s.feed == f })
	}
	return perFeed, union(func(span) bool { return true })
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
