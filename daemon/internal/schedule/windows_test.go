package schedule

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

func weekly(id int64, start, end string) Rule {
	return Rule{ID: id, Name: "rule " + strconv.FormatInt(id, 10), Kind: KindWeekly, Start: start, End: end, Enabled: true}
}

func once(id int64, start, end string) Rule {
	return Rule{ID: id, Name: "rule " + strconv.FormatInt(id, 10), Kind: KindOnce, Start: start, End: end, Enabled: true}
}

// startingOn returns the windows whose Start falls on local date y-m-d.
func startingOn(ws []Window, loc *time.Location, y int, m time.Month, d int) []Window {
	var out []Window
	for _, w := range ws {
		if yy, mm, dd := w.Start.In(loc).Date(); yy == y && mm == m && dd == d {
			out = append(out, w)
		}
	}
	return out
}

// TestWindowsDST pins exact instants and durations of windows across the
// daylight-saving changes of 2026 in Berlin (spring 03-29 02:00, fall
// 10-25 03:00) and New York (spring 03-08 02:00, fall 11-01 02:00).
func TestWindowsDST(t *testing.T) {
	tests := []struct {
		name       string
		zone       string
		rule       Rule
		y          int
		m          time.Month
		d          int // the local date the window starts on
		start, end time.Time
		dur        time.Duration
	}{
		{"berlin daily 02:30 day before", "Europe/Berlin", weekly(1, "daily 02:30", "03:30"), 2026, 3, 28, utc(2026, 3, 28, 1, 30), utc(2026, 3, 28, 2, 30), time.Hour},
		{"berlin daily 02:30 spring forward", "Europe/Berlin", weekly(1, "daily 02:30", "03:30"), 2026, 3, 29, utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 30), 30 * time.Minute},
		{"berlin daily 02:30 day after", "Europe/Berlin", weekly(1, "daily 02:30", "03:30"), 2026, 3, 30, utc(2026, 3, 30, 0, 30), utc(2026, 3, 30, 1, 30), time.Hour},
		{"berlin daily 02:30 fall back", "Europe/Berlin", weekly(1, "daily 02:30", "03:30"), 2026, 10, 25, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 30), 2 * time.Hour},
		{"berlin 21:00→07:00 spring", "Europe/Berlin", weekly(1, "daily 21:00", "07:00"), 2026, 3, 28, utc(2026, 3, 28, 20, 0), utc(2026, 3, 29, 5, 0), 9 * time.Hour},
		{"berlin 21:00→07:00 fall", "Europe/Berlin", weekly(1, "weekends 21:00", "07:00"), 2026, 10, 24, utc(2026, 10, 24, 19, 0), utc(2026, 10, 25, 6, 0), 11 * time.Hour},
		{"berlin once across spring", "Europe/Berlin", once(1, "2026-03-28 18:00", "2026-03-29 09:00"), 2026, 3, 28, utc(2026, 3, 28, 17, 0), utc(2026, 3, 29, 7, 0), 14 * time.Hour},
		{"berlin once across fall", "Europe/Berlin", once(1, "2026-10-24 18:00", "2026-10-25 09:00"), 2026, 10, 24, utc(2026, 10, 24, 16, 0), utc(2026, 10, 25, 8, 0), 16 * time.Hour},
		{"berlin once starting in the gap", "Europe/Berlin", once(1, "2026-03-29 02:30", "2026-03-29 04:00"), 2026, 3, 29, utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 2, 0), time.Hour},
		{"berlin once in the repeated hour", "Europe/Berlin", once(1, "2026-10-25 02:30", "2026-10-25 02:45"), 2026, 10, 25, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 0, 45), 15 * time.Minute},
		{"berlin weekly Sat→Sun across spring", "Europe/Berlin", weekly(1, "Sat 22:00", "Sun 10:00"), 2026, 3, 28, utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 8, 0), 11 * time.Hour},
		{"ny daily 02:30 spring forward", "America/New_York", weekly(1, "daily 02:30", "03:30"), 2026, 3, 8, utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 30), 30 * time.Minute},
		{"ny daily 02:30 fall back", "America/New_York", weekly(1, "daily 02:30", "03:30"), 2026, 11, 1, utc(2026, 11, 1, 7, 30), utc(2026, 11, 1, 8, 30), time.Hour},
		{"ny daily 01:30 fall back", "America/New_York", weekly(1, "daily 01:30", "02:00"), 2026, 11, 1, utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 7, 0), 90 * time.Minute},
		{"ny daily 01:00→01:30 fall back", "America/New_York", weekly(1, "daily 01:00", "01:30"), 2026, 11, 1, utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 5, 30), 30 * time.Minute},
		{"ny 21:00→07:00 spring", "America/New_York", weekly(1, "daily 21:00", "07:00"), 2026, 3, 7, utc(2026, 3, 8, 2, 0), utc(2026, 3, 8, 11, 0), 9 * time.Hour},
		{"ny 21:00→07:00 fall", "America/New_York", weekly(1, "Sat 21:00", "Sun 07:00"), 2026, 10, 31, utc(2026, 11, 1, 1, 0), utc(2026, 11, 1, 12, 0), 11 * time.Hour},
		{"ny once across spring", "America/New_York", once(1, "2026-03-07 18:00", "2026-03-08 09:00"), 2026, 3, 7, utc(2026, 3, 7, 23, 0), utc(2026, 3, 8, 13, 0), 14 * time.Hour},
		{"ny once across fall", "America/New_York", once(1, "2026-10-31 18:00", "2026-11-01 09:00"), 2026, 10, 31, utc(2026, 10, 31, 22, 0), utc(2026, 11, 1, 14, 0), 16 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zone(t, tt.zone)
			from := time.Date(tt.y, tt.m, tt.d, 12, 0, 0, 0, time.UTC).Add(-48 * time.Hour)
			ws := Windows([]Rule{tt.rule}, from, from.Add(96*time.Hour), loc)
			got := startingOn(ws, loc, tt.y, tt.m, tt.d)
			if len(got) != 1 {
				t.Fatalf("%d windows start on %d-%02d-%02d, want 1: %v", len(got), tt.y, tt.m, tt.d, got)
			}
			w := got[0]
			if !w.Start.Equal(tt.start) || !w.End.Equal(tt.end) {
				t.Fatalf("window %v → %v (%v → %v UTC), want %v → %v", w.Start, w.End, w.Start.UTC(), w.End.UTC(), tt.start, tt.end)
			}
			if d := w.End.Sub(w.Start); d != tt.dur {
				t.Fatalf("duration %v, want %v", d, tt.dur)
			}
			if w.Start.Location() != loc || w.End.Location() != loc {
				t.Fatalf("times are in %v/%v, want %v", w.Start.Location(), w.End.Location(), loc)
			}
			if want := fmt.Sprintf("1@%d", tt.start.Unix()); w.Key != want {
				t.Fatalf("Key = %q, want %q", w.Key, want)
			}
		})
	}
}

// TestWindowsOncePerDay: over a whole year, a daily rule makes exactly one
// window starting on each local date, whatever the clock does that day.
func TestWindowsOncePerDay(t *testing.T) {
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo"} {
		for _, spec := range [][2]string{{"daily 01:30", "02:00"}, {"daily 02:30", "03:30"}, {"daily 00:00", "00:30"}, {"daily 21:00", "07:00"}} {
			t.Run(name+" "+spec[0]+"→"+spec[1], func(t *testing.T) {
				loc := zone(t, name)
				year := 2026
				if name == "America/Sao_Paulo" {
					year = 2018 // the last year it had daylight saving (midnight changes)
				}
				from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
				to := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
				ws := Windows([]Rule{weekly(1, spec[0], spec[1])}, from, to, loc)
				perDate := map[string]int{}
				keys := map[string]bool{}
				for _, w := range ws {
					if keys[w.Key] {
						t.Fatalf("key %s twice", w.Key)
					}
					keys[w.Key] = true
					if !w.End.After(w.Start) {
						t.Fatalf("empty window %v", w)
					}
					if w.Start.Before(to) && !w.Start.Before(from) {
						perDate[w.Start.In(loc).Format("2006-01-02")]++
					}
				}
				want := 365
				if name == "America/Sao_Paulo" && spec[1] == "00:30" {
					// 2018-11-04 00:00–00:59 did not exist: start and end
					// fall in one gap, so that day's window has no length.
					want = 364
					if perDate["2018-11-04"] != 0 {
						t.Fatalf("a window in the gap: %v", perDate)
					}
				}
				if len(perDate) != want {
					t.Fatalf("windows start on %d dates, want %d", len(perDate), want)
				}
				for d, n := range perDate {
					if n != 1 {
						t.Fatalf("%d windows start on %s", n, d)
					}
				}
			})
		}
	}
}

// TestWindowsSkippedDay: Pacific/Apia skipped 2011-12-30. A daily window on
// that date has no length and is left out; the next day's window at the same
// instant is not dropped as a duplicate.
func TestWindowsSkippedDay(t *testing.T) {
	loc := zone(t, "Pacific/Apia")
	from := time.Date(2011, 12, 1, 0, 0, 0, 0, loc)
	to := time.Date(2012, 1, 1, 0, 0, 0, 0, loc)
	for _, tt := range []struct {
		start, end string
		want       int
	}{
		{"daily 10:00", "11:00", 30},
		{"daily 00:00", "01:00", 30},
		{"daily 23:00", "01:00", 31}, // Dec 29 23:00 → Dec 31 00:00, then Dec 31 00:00 (for Dec 30) would repeat that start
	} {
		ws := Windows([]Rule{weekly(1, tt.start, tt.end)}, from, to, loc)
		var n int
		for _, w := range ws {
			if !w.Start.Before(from) {
				n++
			}
		}
		if n != tt.want {
			t.Errorf("%s→%s: %d windows in December 2011, want %d", tt.start, tt.end, n, tt.want)
		}
	}
}

func TestWindowsAcrossMidnightAndWeek(t *testing.T) {
	loc := zone(t, "Europe/Berlin")
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) } // winter: unambiguous
	type span struct{ start, end time.Time }
	tests := []struct {
		name     string
		rule     Rule
		from, to time.Time
		want     []span
	}{
		// 2026-01-03 is a Saturday.
		{"Sun 22:00→Mon 06:00", weekly(1, "Sun 22:00", "Mon 06:00"), at(1, 3, 0, 0), at(1, 13, 0, 0), []span{
			{at(1, 4, 22, 0), at(1, 5, 6, 0)}, {at(1, 11, 22, 0), at(1, 12, 6, 0)},
		}},
		{"Sat-Mon 23:00→01:00", weekly(1, "Sat-Mon 23:00", "01:00"), at(1, 3, 0, 0), at(1, 8, 0, 0), []span{
			{at(1, 3, 23, 0), at(1, 4, 1, 0)}, {at(1, 4, 23, 0), at(1, 5, 1, 0)}, {at(1, 5, 23, 0), at(1, 6, 1, 0)},
		}},
		{"Sat 20:00→Mon 08:00", weekly(1, "Sat 20:00", "Mon 08:00"), at(1, 3, 0, 0), at(1, 8, 0, 0), []span{
			{at(1, 3, 20, 0), at(1, 5, 8, 0)},
		}},
		{"Fri 15:30→Fri 10:00 (almost a week)", weekly(1, "Fri 15:30", "Fri 10:00"), at(1, 9, 0, 0), at(1, 10, 0, 0), []span{
			{at(1, 2, 15, 30), at(1, 9, 10, 0)}, // began 6½ days before from
			{at(1, 9, 15, 30), at(1, 16, 10, 0)},
		}},
		{"Fri 15:30→Fri 15:30 (a whole week), seen on Thursday", weekly(1, "Fri 15:30", "Fri 15:30"), at(1, 15, 12, 0), at(1, 15, 13, 0), []span{
			{at(1, 9, 15, 30), at(1, 16, 15, 30)},
		}},
		{"weekdays 21:00→Sat 07:00 overlap each other", weekly(1, "weekdays 21:00", "Sat 07:00"), at(1, 8, 0, 0), at(1, 9, 0, 0), []span{
			{at(1, 5, 21, 0), at(1, 10, 7, 0)}, {at(1, 6, 21, 0), at(1, 10, 7, 0)}, {at(1, 7, 21, 0), at(1, 10, 7, 0)},
			{at(1, 8, 21, 0), at(1, 10, 7, 0)},
		}},
		{"once", once(1, "2026-12-24 18:00", "2026-12-26 09:00"), at(12, 1, 0, 0), at(12, 31, 0, 0), []span{
			{at(12, 24, 18, 0), at(12, 26, 9, 0)},
		}},
		{"once outside the range", once(1, "2026-12-24 18:00", "2026-12-26 09:00"), at(12, 26, 9, 0), at(12, 31, 0, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := Windows([]Rule{tt.rule}, tt.from, tt.to, loc)
			var got []span
			for _, w := range ws {
				got = append(got, span{w.Start, w.End})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if !got[i].start.Equal(tt.want[i].start) || !got[i].end.Equal(tt.want[i].end) {
					t.Fatalf("window %d: %v → %v, want %v → %v", i, got[i].start, got[i].end, tt.want[i].start, tt.want[i].end)
				}
			}
		})
	}
}

// TestWindowsAlreadyRunning: the daemon starts on Saturday morning, in the
// middle of a Fri 15:30 → Sat 16:00 break.
func TestWindowsAlreadyRunning(t *testing.T) {
	loc := zone(t, "Europe/Berlin")
	rule := weekly(7, "Fri 15:30", "Sat 16:00")
	rule.Locked = true
	rule.Sites = []string{"reddit.com"}
	start := time.Date(2026, 1, 9, 15, 30, 0, 0, loc)
	end := time.Date(2026, 1, 10, 16, 0, 0, 0, loc)
	now := time.Date(2026, 1, 10, 9, 0, 0, 0, loc)

	ws := Windows([]Rule{rule}, now, now.Add(24*time.Hour), loc)
	want := Window{Key: fmt.Sprintf("7@%d", start.Unix()), RuleID: 7, Name: "rule 7", Start: start, End: end, Locked: true, Sites: []string{"reddit.com"}}
	if len(ws) != 1 || !reflect.DeepEqual(ws[0], want) {
		t.Fatalf("Windows = %+v, want [%+v]", ws, want)
	}
	p, ok := Active(ws, now)
	if !ok || !p.Start.Equal(start) || !p.End.Equal(end) || !p.Locked || p.Name != "rule 7" {
		t.Fatalf("Active = %+v, %v", p, ok)
	}

	// Range edges: [from, to) against [Start, End).
	for _, tt := range []struct {
		from, to time.Time
		want     int
	}{
		{end, end.Add(time.Hour), 0},                           // from == End: over
		{end.Add(-time.Nanosecond), end.Add(time.Hour), 1},     // still running
		{start.Add(-time.Hour), start, 0},                      // to == Start: not yet
		{start.Add(-time.Hour), start.Add(time.Nanosecond), 1}, // just begun
		{now, now, 0}, // empty range
	} {
		if got := Windows([]Rule{rule}, tt.from, tt.to, loc); len(got) != tt.want {
			t.Errorf("Windows(%v, %v) = %d windows, want %d", tt.from, tt.to, len(got), tt.want)
		}
	}
}

// TestWindowsSliding: windows over a month equal the union of windows over
// its consecutive hours — what a daemon sees when it regenerates as time
// passes — keys and instants alike.
func TestWindowsSliding(t *testing.T) {
	rules := []Rule{
		weekly(1, "weekdays 21:00", "07:00"), weekly(2, "Fri 15:30", "Sat 16:00"), weekly(3, "daily 02:30", "03:30"),
		weekly(4, "Sat-Mon 23:00", "01:00"), weekly(5, "Sun 01:30", "Sun 01:45"), once(6, "2026-03-28 18:00", "2026-03-29 09:00"),
		once(7, "2026-11-01 01:15", "2026-11-01 01:45"), weekly(8, "Wed 12:00", "Wed 12:00"),
	}
	for _, tc := range []struct {
		zone string
		from time.Time
	}{
		{"Europe/Berlin", utc(2026, 3, 10, 0, 0)}, {"Europe/Berlin", utc(2026, 10, 10, 0, 0)},
		{"America/New_York", utc(2026, 2, 25, 0, 0)}, {"America/New_York", utc(2026, 10, 20, 0, 0)},
	} {
		loc := zone(t, tc.zone)
		to := tc.from.Add(30 * 24 * time.Hour)
		all := Windows(rules, tc.from, to, loc)
		union := map[string]Window{}
		for h := tc.from; h.Before(to); h = h.Add(time.Hour) {
			for _, w := range Windows(rules, h, h.Add(time.Hour), loc) {
				if prev, ok := union[w.Key]; ok && (!prev.Start.Equal(w.Start) || !prev.End.Equal(w.End)) {
					t.Fatalf("%s: key %s has two spans", tc.zone, w.Key)
				}
				union[w.Key] = w
			}
		}
		if len(all) != len(union) {
			t.Fatalf("%s: %d windows at once, %d hour by hour", tc.zone, len(all), len(union))
		}
		for _, w := range all {
			u, ok := union[w.Key]
			if !ok || !u.Start.Equal(w.Start) || !u.End.Equal(w.End) {
				t.Fatalf("%s: %s differs: %v vs %v", tc.zone, w.Key, w, u)
			}
		}
		if !slices.IsSortedFunc(all, func(a, b Window) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return cmpString(a.Key, b.Key)
		}) {
			t.Fatalf("%s: not sorted by Start then Key", tc.zone)
		}
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestWindowsSkipsDisabledAndInvalid(t *testing.T) {
	loc := zone(t, "Europe/Berlin")
	disabled := weekly(2, "daily 10:00", "11:00")
	disabled.Enabled = false
	badSpec := weekly(3, "Fry 10:00", "11:00")
	badKind := weekly(4, "daily 10:00", "11:00")
	badKind.Kind = "monthly"
	badSite := weekly(5, "daily 10:00", "11:00")
	badSite.Sites = []string{"https://reddit.com"}
	badOnce := once(6, "2026-01-05 10:00", "2026-01-05 09:00")
	good := weekly(1, "daily 10:00", "11:00")
	from := time.Date(2026, 1, 5, 0, 0, 0, 0, loc)
	ws := Windows([]Rule{disabled, badSpec, good, badKind, badSite, badOnce}, from, from.Add(24*time.Hour), loc)
	if len(ws) != 1 || ws[0].RuleID != 1 {
		t.Fatalf("Windows = %+v, want rule 1's window only", ws)
	}
	if ws := Windows(nil, from, from.Add(time.Hour), nil); ws != nil {
		t.Fatalf("no rules: %v", ws)
	}
	// A nil location means UTC.
	ws = Windows([]Rule{good}, utc(2026, 1, 5, 0, 0), utc(2026, 1, 6, 0, 0), nil)
	if len(ws) != 1 || !ws[0].Start.Equal(utc(2026, 1, 5, 10, 0)) {
		t.Fatalf("nil loc: %+v", ws)
	}
}

func TestWindowsSortedByStartThenKey(t *testing.T) {
	loc := time.UTC
	rules := []Rule{weekly(12, "daily 10:00", "11:00"), weekly(3, "daily 10:00", "12:00"), weekly(5, "daily 09:00", "10:00")}
	ws := Windows(rules, utc(2026, 1, 5, 0, 0), utc(2026, 1, 6, 0, 0), loc)
	var keys []string
	for _, w := range ws {
		keys = append(keys, w.Key)
	}
	t0 := utc(2026, 1, 5, 9, 0).Unix()
	t1 := utc(2026, 1, 5, 10, 0).Unix()
	want := []string{fmt.Sprintf("5@%d", t0), fmt.Sprintf("12@%d", t1), fmt.Sprintf("3@%d", t1)}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
}

// win builds a window on 2026-01-05 UTC from hh:mm to hh:mm.
func win(key, name string, h0, m0, h1, m1 int, locked bool) Window {
	return Window{Key: key, Name: name, Start: utc(2026, 1, 5, h0, m0), End: utc(2026, 1, 5, h1, m1), Locked: locked}
}

func TestMergeActiveNextTransitions(t *testing.T) {
	a := win("1@a", "A", 10, 0, 12, 0, false)
	b := win("2@b", "B", 11, 0, 13, 0, true)  // overlaps A
	c := win("3@c", "C", 13, 0, 14, 0, false) // touches B
	d := win("4@d", "D", 15, 0, 16, 0, false)
	e := win(AdhocKey(9), "E", 16, 0, 16, 30, false) // touches D
	empty := win("5@e", "empty", 17, 0, 17, 0, true)
	ws := []Window{e, c, empty, a, d, b} // any order
	orig := slices.Clone(ws)

	ps := Merge(ws)
	if !reflect.DeepEqual(ws, orig) {
		t.Fatal("Merge modified its input")
	}
	want := []Period{
		{Start: a.Start, End: c.End, Windows: []Window{a, b, c}, Locked: true, Name: "A"},
		{Start: d.Start, End: e.End, Windows: []Window{d, e}, Locked: false, Name: "D"},
	}
	if !reflect.DeepEqual(ps, want) {
		t.Fatalf("Merge = %+v\nwant %+v", ps, want)
	}
	if Merge(nil) != nil {
		t.Fatal("Merge(nil) != nil")
	}

	// Same start: the name comes from the smaller key.
	x := win("7@x", "X", 10, 0, 11, 0, false)
	y := win("6@y", "Y", 10, 0, 10, 30, false)
	if ps := Merge([]Window{x, y}); len(ps) != 1 || ps[0].Name != "Y" || !ps[0].End.Equal(x.End) {
		t.Fatalf("tie: %+v", ps)
	}

	at := func(h, m int) time.Time { return utc(2026, 1, 5, h, m) }
	ns := time.Nanosecond
	for _, tt := range []struct {
		now        time.Time
		active     string // period name, "" = none
		next       string // window key, "" = none
		transition time.Time
	}{
		{at(9, 0), "", "1@a", at(10, 0)},
		{at(10, 0).Add(-ns), "", "1@a", at(10, 0)},
		{at(10, 0), "A", "2@b", at(14, 0)}, // start inclusive; B starts inside the period
		{at(11, 0), "A", "3@c", at(14, 0)},
		{at(13, 0), "A", "4@d", at(14, 0)}, // the touching edge is no transition
		{at(14, 0).Add(-ns), "A", "4@d", at(14, 0)},
		{at(14, 0), "", "4@d", at(15, 0)}, // end exclusive
		{at(15, 0), "D", "adhoc:9", at(16, 30)},
		{at(16, 0), "D", "", at(16, 30)},
		{at(16, 30), "", "", time.Time{}},
		{at(17, 0), "", "", time.Time{}}, // the empty window is never active
	} {
		t.Run(tt.now.Format("15:04:05.999999999"), func(t *testing.T) {
			p, ok := Active(ws, tt.now)
			if got := map[bool]string{true: p.Name}[ok]; got != tt.active {
				t.Errorf("Active = %q (%v), want %q", got, ok, tt.active)
			}
			w, ok := Next(ws, tt.now)
			if got := map[bool]string{true: w.Key}[ok]; got != tt.next {
				t.Errorf("Next = %q, want %q", got, tt.next)
			}
			tr, ok := Transitions(ws, tt.now)
			if ok != !tt.transition.IsZero() || !tr.Equal(tt.transition) {
				t.Errorf("Transitions = %v, %v, want %v", tr, ok, tt.transition)
			}
		})
	}

	// The first break after the current period.
	p, _ := Active(ws, at(11, 0))
	if w, ok := Next(ws, p.End); !ok || w.Key != "4@d" {
		t.Fatalf("Next after the period = %v, %v", w.Key, ok)
	}
	// Next breaks ties by key.
	if w, _ := Next([]Window{x, y}, at(9, 0)); w.Key != "6@y" {
		t.Fatalf("Next tie = %s", w.Key)
	}
}

// TestOverlappingRulesAndAdhoc: a scheduled break and an on-demand break
// that overlap are one period; locked if either is.
func TestOverlappingRulesAndAdhoc(t *testing.T) {
	loc := zone(t, "America/New_York")
	r := weekly(1, "weekdays 21:00", "07:00")
	r.Name = "Evenings"
	now := time.Date(2026, 1, 5, 20, 30, 0, 0, loc) // Monday
	ws := Windows([]Rule{r}, now, now.Add(48*time.Hour), loc)
	end, err := OnDemandEnd("1h", now, Clock{Hour: 4})
	if err != nil {
		t.Fatal(err)
	}
	adhoc := Window{Key: AdhocKey(1), Name: "Now", Start: now, End: end, Locked: true}
	ws = append(ws, adhoc)
	p, ok := Active(ws, now)
	if !ok || p.Name != "Now" || !p.Locked || !p.End.Equal(time.Date(2026, 1, 6, 7, 0, 0, 0, loc)) || len(p.Windows) != 2 {
		t.Fatalf("Active = %+v, %v", p, ok)
	}
	if tr, _ := Transitions(ws, now); !tr.Equal(p.End) {
		t.Fatalf("Transitions = %v, want %v", tr, p.End)
	}
}

func TestApplyEarlyEnds(t *testing.T) {
	a := win("1@a", "A", 10, 0, 12, 0, false)
	b := win("2@b", "B", 11, 0, 13, 0, true)
	c := win("3@c", "C", 14, 0, 15, 0, false)
	ws := []Window{a, b, c}
	got := ApplyEarlyEnds(ws, map[string]time.Time{
		"1@a": utc(2026, 1, 5, 10, 30), // cut short
		"2@b": utc(2026, 1, 5, 11, 0),  // at its start: gone
		"3@c": utc(2026, 1, 5, 16, 0),  // after its end: no change
		"9@z": utc(2026, 1, 5, 9, 0),   // unknown
	})
	a.End = utc(2026, 1, 5, 10, 30)
	if want := []Window{a, c}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if ws[0].End != utc(2026, 1, 5, 12, 0) {
		t.Fatal("input modified")
	}
	if p, ok := Active(got, utc(2026, 1, 5, 11, 0)); ok {
		t.Fatalf("still active after the early ends: %+v", p)
	}
}

func BenchmarkWindows(b *testing.B) {
	loc := zone(b, "Europe/Berlin")
	specs := [][2]string{
		{"weekdays 21:00", "07:00"}, {"Fri 15:30", "Sat 16:00"}, {"daily 02:30", "03:30"}, {"Sat-Mon 23:00", "01:00"},
		{"Sun 22:00", "Mon 06:00"}, {"weekends 09:00", "12:00"}, {"Mon,Wed,Fri 12:00", "13:00"}, {"daily 22:00", "06:30"},
		{"Tue 18:00", "Tue 18:00"}, {"Thu 08:00", "17:00"},
	}
	var rules []Rule
	for i := range 20 {
		if i%5 == 4 {
			rules = append(rules, once(int64(i+1), "2026-03-28 18:00", "2026-03-29 09:00"))
			continue
		}
		s := specs[i%len(specs)]
		rules = append(rules, weekly(int64(i+1), s[0], s[1]))
	}
	from := time.Date(2026, 3, 25, 0, 0, 0, 0, loc) // a week with a daylight-saving change
	to := from.Add(7 * 24 * time.Hour)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(Windows(rules, from, to, loc))
	}
	b.ReportMetric(float64(n), "windows")
}
