package schedule

import "time"

// A wall time is handled as "wall seconds": the seconds since 1970-01-01
// 00:00 of a clock that never changes, i.e. the wall time read as if it were
// UTC. Civil-date arithmetic on wall seconds is exact (every wall day has
// 86400 of them); only resolve turns them into real instants.

const day = 86400

// reach bounds the distance between a wall time and the instants at which a
// clock anywhere shows it: UTC offsets stay within −12h and +14h (historic
// local mean times a little beyond), so ±18h is a safe margin.
const reach = 18 * 3600

// wallOf returns the wall seconds of y-m-d h:min.
func wallOf(y int, m time.Month, d, h, min int) int64 {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC).Unix()
}

// floorDiv is a/b rounded towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// dayOf returns the wall day number (days since 1970-01-01) of t's date in loc.
func dayOf(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return floorDiv(wallOf(y, m, d, 0, 0), day)
}

// weekdayOf returns the weekday of a wall day number (1970-01-01 was a Thursday).
func weekdayOf(dayNum int64) time.Weekday {
	return time.Weekday((dayNum%7 + 7 + 4) % 7)
}

// resolve returns the instant at which clocks in loc first show the wall
// time w (wall seconds):
//
//	normal   w occurs once                    → that instant
//	overlap  w occurs twice (fall back)       → the first occurrence
//	gap      w never occurs (spring forward)  → the first instant after the gap
func resolve(w int64, loc *time.Location) int64 {
	first, _ := occurrences(w, loc)
	return first
}

// occurrences returns the first and last instants (Unix seconds) at which
// clocks in loc show the wall time w. They are equal unless w is repeated by
// a fall-back change. If w is skipped by a spring-forward change, both are
// the instant the gap ends: the first valid wall time after it.
//
// It deliberately does not rely on time.Date's normalization, which maps a
// skipped 02:30 to 03:30 and leaves the choice in an overlap unspecified.
func occurrences(w int64, loc *time.Location) (first, last int64) {
	// Fast path: guess with the offset in force at instant w; if no zone
	// change happens within 2*reach of the guess, it is the only occurrence.
	_, off := time.Unix(w, 0).In(loc).Zone()
	u := w - int64(off)
	t := time.Unix(u, 0).In(loc)
	if _, off2 := t.Zone(); off2 == off {
		s, e := t.ZoneBounds()
		if (s.IsZero() || u-s.Unix() > 2*reach) && (e.IsZero() || e.Unix()-u > 2*reach) {
			return u, u
		}
	}

	// Slow path: walk the zone segments that cover [w-reach, w+reach] in
	// order. In a segment [s, e) with offset o, w is shown at u = w-o if u is
	// in the segment. At a boundary b from offset p to offset o, w falls in a
	// gap if b+p <= w < b+o.
	lo, hi := w-reach, w+reach
	t = time.Unix(lo, 0).In(loc)
	found, gapFound := false, false
	var gap int64
	prevOff, havePrev := 0, false
	for {
		_, off := t.Zone()
		s, e := t.ZoneBounds()
		if havePrev && !gapFound && !s.IsZero() {
			b := s.Unix()
			if b+int64(prevOff) <= w && w < b+int64(off) {
				gap, gapFound = b, true
			}
		}
		u := w - int64(off)
		if (s.IsZero() || u >= s.Unix()) && (e.IsZero() || u < e.Unix()) {
			if !found {
				first, found = u, true
			}
			last = u
		}
		if e.IsZero() || e.Unix() > hi {
			break
		}
		t = e.In(loc)
		prevOff, havePrev = off, true
	}
	switch {
	case found:
		return first, last
	case gapFound:
		return gap, gap
	}
	// Not reached for well-formed zones: keep the first guess.
	u = w - int64(off)
	return u, u
}
