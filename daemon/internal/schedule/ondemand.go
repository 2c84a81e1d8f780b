package schedule

import (
	"strconv"
	"strings"
	"time"
)

// MaxOnDemand is the longest on-demand break given as a length ("24h");
// longer breaks are planned as a once rule.
const MaxOnDemand = 24 * time.Hour

const forHint = "use e.g. 15m, 1h, 2h30m, rest-of-day, until 08:00 or until tomorrow 08:00"

// OnDemandEnd returns when an on-demand break that starts at now ends. now
// must be in the user's zone (now.In(loc)); wall times are read there.
//
//	"15m", "1h", "90m", "2h30m"  now plus that much real time (1m to 24h)
//	"rest-of-day"                the user's next day start (dayStart)
//	                             after now: with 4, 23:00 → 04:00 the next
//	                             day, and 02:00 → 04:00 the same date
//	"until 08:00"                the next 08:00 after now
//	"until tomorrow 08:00"       08:00 on the date after the user's day
//	                             (which begins at dayStart: at 01:00
//	                             with 4, tomorrow is today's date)
//
// Wall times follow the package's daylight-saving rules, except that "the
// next 02:30 after now" during a repeated hour may be its second occurrence
// (at 02:45 CEST on the fall-back day, "until 02:30" is 02:30 CET, 45 minutes
// later, not tomorrow). Spec errors are *FieldError on "for"; a dayStart
// that is not a time of day is a *FieldError on "dayStart".
func OnDemandEnd(spec string, now time.Time, dayStart Clock) (time.Time, error) {
	loc := now.Location()
	s := strings.Join(strings.Fields(strings.ToLower(spec)), " ")
	switch {
	case s == "":
		return time.Time{}, fieldErr("for", "is empty (%s)", forHint)
	case s == "rest-of-day" || s == "rest of day":
		if !dayStart.valid() {
			return time.Time{}, fieldErr("dayStart", "%s is not a time of day", dayStart)
		}
		return nextWall(dayStart, now, loc), nil
	case s == "until" || s == "until tomorrow":
		return time.Time{}, fieldErr("for", "%q needs a time, e.g. \"%s 08:00\"", strings.TrimSpace(spec), s)
	case strings.HasPrefix(s, "until tomorrow "):
		c, err := parseClock("for", strings.TrimPrefix(s, "until tomorrow "))
		if err != nil {
			return time.Time{}, err
		}
		if !dayStart.valid() {
			return time.Time{}, fieldErr("dayStart", "%s is not a time of day", dayStart)
		}
		// The user's day: before dayStart, it is still yesterday.
		today := dayOf(now, loc)
		if w := now.In(loc); (Clock{Hour: w.Hour(), Minute: w.Minute()}).seconds() < dayStart.seconds() {
			today--
		}
		if t := time.Unix(resolve((today+1)*day+c.seconds(), loc), 0).In(loc); t.After(now) {
			return t, nil
		}
		return nextWall(c, now, loc), nil
	case strings.HasPrefix(s, "until "):
		c, err := parseClock("for", strings.TrimPrefix(s, "until "))
		if err != nil {
			return time.Time{}, err
		}
		return nextWall(c, now, loc), nil
	}
	d, ok := parseLength(strings.ReplaceAll(s, " ", ""))
	switch {
	case !ok:
		return time.Time{}, fieldErr("for", "%q is not a break length (%s)", strings.TrimSpace(spec), forHint)
	case d < time.Minute:
		return time.Time{}, fieldErr("for", "%q is no time: a break lasts at least 1m", strings.TrimSpace(spec))
	case d > MaxOnDemand:
		return time.Time{}, fieldErr("for", "%q is longer than 24h (plan longer breaks as a one-off rule)", strings.TrimSpace(spec))
	}
	return now.Add(d), nil
}

// parseLength reads "<n>h", "<n>m" or "<n>h<n>m".
func parseLength(s string) (time.Duration, bool) {
	var d time.Duration
	seen := false
	for _, unit := range []struct {
		suffix byte
		d      time.Duration
	}{{'h', time.Hour}, {'m', time.Minute}} {
		i := strings.IndexByte(s, unit.suffix)
		if i < 0 {
			continue
		}
		if i == 0 || i > 6 || !isDigits(s[:i]) {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		d += time.Duration(n) * unit.d
		s = s[i+1:]
		seen = true
	}
	return d, seen && s == ""
}

// nextWall returns the first instant strictly after now at which clocks in
// loc show c (or, if c is skipped that day, the first instant after the gap).
func nextWall(c Clock, now time.Time, loc *time.Location) time.Time {
	d := dayOf(now, loc)
	for k := int64(0); k < 3; k++ {
		first, last := occurrences((d+k)*day+c.seconds(), loc)
		for _, u := range [2]int64{first, last} {
			if t := time.Unix(u, 0).In(loc); t.After(now) {
				return t
			}
		}
	}
	return now.Add(24 * time.Hour) // not reached: some day ahead shows c
}
