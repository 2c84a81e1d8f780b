package schedule

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// Window is one instance of a break: a weekly rule's Friday, a once rule, or
// an on-demand break.
type Window struct {
	Key        string // stable id of this instance: "<ruleID>@<start unix seconds>", or "adhoc:<id>" (AdhocKey)
	RuleID     int64  // 0 for on-demand
	Name       string
	Start, End time.Time // [Start, End): start inclusive, end exclusive
	Locked     bool
	Sites      []string // nil = default sites
}

// AdhocKey returns the Window.Key of the on-demand break with this id.
func AdhocKey(id int64) string { return "adhoc:" + strconv.FormatInt(id, 10) }

func ruleKey(id, start int64) string {
	return strconv.FormatInt(id, 10) + "@" + strconv.FormatInt(start, 10)
}

// Windows returns the instances of every enabled rule that overlap
// [from, to), sorted by Start then Key, with times in loc (nil means UTC).
// Rules that do not Validate are skipped.
//
// An instance that began before from and is still running is included with
// its true Start — a "Fri 15:30"→"Sat 16:00" break seen on Saturday morning,
// or one already running when the daemon starts:
//
//	         Fri 15:30          Sat 16:00       Fri 15:30
//	rule        [=================)                [=====…
//	                      [from ··················· to)
//	result      [=================)                [=====…
//
// Wall times resolve as the package doc describes (daylight saving), one
// instance per rule and day; an instance of zero length (start and end in
// the same spring-forward gap) is left out. The Sites slice of a window is
// shared with the other windows of its rule.
func Windows(rules []Rule, from, to time.Time, loc *time.Location) []Window {
	if loc == nil {
		loc = time.UTC
	}
	if !from.Before(to) {
		return nil
	}
	var out []Window
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		c, err := r.compile()
		if err != nil {
			continue
		}
		base := Window{RuleID: r.ID, Name: r.Name, Locked: r.Locked, Sites: slices.Clone(r.Sites)}
		emit := func(s, e int64) {
			if e <= s {
				return
			}
			w := base
			w.Start, w.End = time.Unix(s, 0).In(loc), time.Unix(e, 0).In(loc)
			if !w.End.After(from) || !w.Start.Before(to) {
				return
			}
			w.Key = ruleKey(r.ID, s)
			out = append(out, w)
		}
		switch {
		case c.once != nil:
			emit(resolve(c.once.Start.wall(), loc), resolve(c.once.End.wall(), loc))
		case c.weekly != nil:
			c.weekly.instances(from, to, loc, emit)
		}
	}
	slices.SortFunc(out, func(a, b Window) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// instances calls emit(start, end) in Unix seconds for each day of w whose
// instance may overlap [from, to), in order, once per day.
func (w Weekly) instances(from, to time.Time, loc *time.Location, emit func(s, e int64)) {
	var set uint8
	for _, d := range w.Days {
		set |= 1 << (uint(d) % 7)
	}
	// An instance spans at most 7 wall days (plus a daylight-saving shift),
	// so one that overlaps from started at most 8 days before from's date.
	first, last := dayOf(from, loc)-8, dayOf(to, loc)+1
	prev := int64(-1 << 63)
	for d := first; d <= last; d++ {
		wd := weekdayOf(d)
		if set&(1<<wd) == 0 {
			continue
		}
		days := int64(0)
		if w.EndDay == nil {
			if w.End.seconds() <= w.Start.seconds() {
				days = 1
			}
		} else {
			days = int64((*w.EndDay - wd + 7) % 7)
			if days == 0 && w.End.seconds() <= w.Start.seconds() {
				days = 7
			}
		}
		s := resolve(d*day+w.Start.seconds(), loc)
		e := resolve((d+days)*day+w.End.seconds(), loc)
		if e <= s || s == prev {
			// No length (start and end in one gap), or a second instance
			// at the same instant: only possible when a whole day is
			// skipped (Pacific/Apia, 2011-12-30). At most one per day.
			continue
		}
		prev = s
		emit(s, e)
	}
}

// Period is a stretch of time covered by one or more windows that overlap or
// touch: what "on a break now" means.
type Period struct {
	Start, End time.Time
	Windows    []Window // sorted by Start then Key
	Locked     bool     // any of the windows is locked
	Name       string   // of the earliest-starting window (ties: smallest Key)
}

// Merge joins windows that overlap or touch into periods, in order. Windows
// of no length (End <= Start) are left out. ws is not modified.
//
//	windows   [--A--)                [--D--)
//	             [---B---)[--C--)          [-E-)
//	periods   [-------P1--------)    [----P2---)
//
// B overlaps A and C touches B (C.Start == B.End), so P1 = A+B+C; E touches
// D, so P2 = D+E. A period is locked if any of its windows is, and is named
// after its earliest-starting window (A, D).
func Merge(ws []Window) []Period {
	sorted := make([]Window, 0, len(ws))
	for _, w := range ws {
		if w.End.After(w.Start) {
			sorted = append(sorted, w)
		}
	}
	slices.SortFunc(sorted, func(a, b Window) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Key, b.Key))
	})
	var out []Period
	begin := 0
	for i, w := range sorted {
		if n := len(out); n > 0 && !w.Start.After(out[n-1].End) {
			p := &out[n-1]
			if w.End.After(p.End) {
				p.End = w.End
			}
			p.Locked = p.Locked || w.Locked
			p.Windows = sorted[begin : i+1 : i+1]
			continue
		}
		begin = i
		out = append(out, Period{Start: w.Start, End: w.End, Windows: sorted[i : i+1 : i+1], Locked: w.Locked, Name: w.Name})
	}
	return out
}

// Active returns the period containing now (Start <= now < End).
func Active(ws []Window, now time.Time) (Period, bool) {
	for _, p := range Merge(ws) {
		if !now.Before(p.Start) && now.Before(p.End) {
			return p, true
		}
	}
	return Period{}, false
}

// Next returns the first window starting after now (Start > now, so not one
// already active), by Start then Key. Such a window may begin inside the
// current period (an overlapping break); the first break after the current
// period p is Next(ws, p.End), as windows that start at p.End belong to p.
func Next(ws []Window, now time.Time) (Window, bool) {
	var best Window
	found := false
	for _, w := range ws {
		if !w.Start.After(now) || !w.End.After(w.Start) {
			continue
		}
		if !found || w.Start.Before(best.Start) || w.Start.Equal(best.Start) && w.Key < best.Key {
			best, found = w, true
		}
	}
	return best, found
}

// Transitions returns the next instant strictly after `after` at which
// Active may change: the start or end of a period. It is false when the
// windows hold no later edge; a caller that sleeps until the returned
// instant should also wake in time to extend its Windows range.
func Transitions(ws []Window, after time.Time) (time.Time, bool) {
	for _, p := range Merge(ws) {
		if p.Start.After(after) {
			return p.Start, true
		}
		if p.End.After(after) {
			return p.End, true
		}
	}
	return time.Time{}, false
}

// ApplyEarlyEnds returns ws with the windows that the user ended early cut
// short: ends maps a Window.Key to the instant it was ended. A window ended
// at or before its start is dropped; a later end than planned is ignored.
// ws is not modified.
func ApplyEarlyEnds(ws []Window, ends map[string]time.Time) []Window {
	out := make([]Window, 0, len(ws))
	for _, w := range ws {
		if at, ok := ends[w.Key]; ok && at.Before(w.End) {
			if !at.After(w.Start) {
				continue
			}
			w.End = at.In(w.End.Location())
		}
		out = append(out, w)
	}
	return out
}
