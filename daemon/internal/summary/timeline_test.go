package summary

import (
	"testing"
)

// Minutes as unix ms, for readable timelines.
func m(n int64) int64 { return n * 60_000 }

func nav(c string, t, tab, win int64, feed string) Activity {
	return Activity{Client: c, TS: m(t), Type: "tab_navigated", TabID: tab, WindowID: win, HasTab: true, HasWin: true, FeedID: feed}
}
func act(c string, t, tab, win int64) Activity {
	return Activity{Client: c, TS: m(t), Type: "tab_activated", TabID: tab, WindowID: win, HasTab: true, HasWin: true}
}
func closed(c string, t, tab, win int64) Activity {
	return Activity{Client: c, TS: m(t), Type: "tab_closed", TabID: tab, WindowID: win, HasTab: true, HasWin: true}
}
func focus(c string, t, win int64) Activity {
	return Activity{Client: c, TS: m(t), Type: "window_focus", WindowID: win, HasWin: true}
}
func idle(c string, t int64, state string) Activity {
	return Activity{Client: c, TS: m(t), Type: "idle_state", State: state}
}

// always is a session that covers every test.
func always(clients ...string) []Connected {
	var out []Connected
	for _, c := range clients {
		out = append(out, Connected{Client: c, Start: 0})
	}
	return out
}

func TestAccumulate(t *testing.T) {
	tests := []struct {
		name     string
		evs      []Activity
		conn     []Connected
		from, to int64
		want     map[string]int64 // minutes
		total    int64            // minutes
	}{
		{
			name: "one feed until the tab closes",
			evs:  []Activity{focus("a", 0, 1), nav("a", 10, 7, 1, "x"), closed("a", 25, 7, 1)},
			conn: always("a"), from: 0, to: m(60),
			want: map[string]int64{"x": 15}, total: 15,
		},
		{
			name: "idle and locked count nothing",
			evs: []Activity{focus("a", 0, 1), nav("a", 0, 7, 1, "x"), idle("a", 10, "idle"), idle("a", 20, "active"),
				idle("a", 30, "locked"), idle("a", 40, "active"), closed("a", 45, 7, 1)},
			conn: always("a"), from: 0, to: m(60),
			want: map[string]int64{"x": 10 + 10 + 5}, total: 25,
		},
		{
			name: "focus lost to another program and back",
			evs:  []Activity{focus("a", 0, 1), nav("a", 0, 7, 1, "x"), focus("a", 5, -1), focus("a", 15, 1), closed("a", 20, 7, 1)},
			conn: always("a"), from: 0, to: m(60),
			want: map[string]int64{"x": 10}, total: 10,
		},
		{
			name: "a feed in a background tab counts nothing",
			// Tab 7 on the feed, then the user switches to tab 8 (not a
			// feed) in the same window for 30 minutes, then back.
			evs: []Activity{focus("a", 0, 1), nav("a", 0, 7, 1, "x"), nav("a", 2, 8, 1, ""), act("a", 2, 8, 1),
				act("a", 32, 7, 1), closed("a", 40, 7, 1)},
			conn: always("a"), from: 0, to: m(60),
			want: map[string]int64{"x": 2 + 8}, total: 10,
		},
		{
			name: "two windows: only the focused one counts",
			// Window 1 shows feed x, window 2 feed y; focus moves 1 → 2 → 1.
			evs: []Activity{nav("a", 0, 7, 1, "x"), act("a", 0, 7, 1), nav("a", 0, 9, 2, "y"), act("a", 0, 9, 2),
				focus("a", 1, 1), focus("a", 11, 2), focus("a", 31, 1), focus("a", 36, -1)},
			conn: always("a"), from: 0, to: m(60),
			// Before the first focus event the window of the latest tab
			// event (2, feed y) is taken to have focus.
			want: map[string]int64{"x": 10 + 5, "y": 1 + 20}, total: 36,
		},
		{
			name: "two browsers on the same feed at once count once",
			evs: []Activity{focus("a", 0, 1), nav("a", 0, 7, 1, "x"), focus("b", 5, 3), nav("b", 5, 4, 3, "x"),
				closed("a", 20, 7, 1), closed("b", 30, 4, 3)},
			conn: always("a", "b"), from: 0, to: m(60),
			want: map[string]int64{"x": 30}, total: 30,
		},
		{
			name: "two browsers on different feeds: each feed counts, the total once",
			evs: []Activity{focus("a", 0, 1), nav("a", 0, 7, 1, "x"), focus("b", 10, 3), nav("b", 10, 4, 3, "y"),
				closed("a", 20, 7, 1), closed("b", 30, 4, 3)},
			conn: always("a", "b"), from: 0, to: m(60),
			want: map[string]int64{"x": 20, "y": 20}, total: 30,
		},
		{
			name: "clipped to the day; earlier events set the state",
			evs:  []Activity{focus("a", 0, 1), nav("a", 10, 7, 1, "x"), closed("a", 100, 7, 1)},
			conn: always("a"), from: m(30), to: m(60),
			want: map[string]int64{"x": 30}, total: 30,
		},
		{
			name: "the session's end stops the count",
			evs:  []Activity{focus("a", 0, 1), nav("a", 0, 7, 1, "x"), focus("a", 50, 1)},
			conn: []Connected{{Client: "a", Start: 0, End: m(20)}, {Client: "a", Start: m(50)}},
			from: 0, to: m(60),
			want: map[string]int64{"x": 20 + 10}, total: 30,
		},
		{
			name: "offline (queued) events count at most MaxGapOffline",
			evs:  []Activity{focus("a", 0, 1), nav("a", 0, 7, 1, "x")},
			conn: nil, from: 0, to: m(600),
			want: map[string]int64{"x": 60}, total: 60,
		},
		{
			name: "navigating away from the feed in the same tab",
			evs:  []Activity{focus("a", 0, 1), nav("a", 0, 7, 1, "x"), nav("a", 12, 7, 1, ""), nav("a", 20, 7, 1, "y")},
			conn: always("a"), from: 0, to: m(30),
			want: map[string]int64{"x": 12, "y": 10}, total: 22,
		},
		{
			name: "no events",
			conn: always("a"), from: 0, to: m(60),
			want: map[string]int64{}, total: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total := Accumulate(tt.evs, tt.conn, tt.from, tt.to)
			if total != m(tt.total) {
				t.Errorf("total = %d min, want %d", total/60_000, tt.total)
			}
			if len(got) != len(tt.want) {
				t.Errorf("feeds = %v, want %v (minutes)", got, tt.want)
			}
			for f, w := range tt.want {
				if got[f] != m(w) {
					t.Errorf("feed %s = %g min, want %d", f, float64(got[f])/60_000, w)
				}
			}
		})
	}
}
