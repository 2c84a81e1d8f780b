package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FieldError is a malformed spec or rule: which field is wrong and why.
// Error() is "field: message", e.g. `start: unknown day "Fry"`.
type FieldError struct {
	Field   string // "start", "end", "for", "name", "kind", "sites", "sites[2]"
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Clock is a wall-clock time of day, 00:00 to 23:59.
type Clock struct{ Hour, Minute int }

// String returns "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

func (c Clock) seconds() int64 { return int64(c.Hour)*3600 + int64(c.Minute)*60 }

func (c Clock) valid() bool { return c.Hour >= 0 && c.Hour < 24 && c.Minute >= 0 && c.Minute < 60 }

// LocalTime is a wall-clock date and time in the user's zone.
type LocalTime struct {
	Year         int
	Month        time.Month
	Day          int
	Hour, Minute int
}

// String returns "YYYY-MM-DD HH:MM".
func (t LocalTime) String() string {
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d", t.Year, int(t.Month), t.Day, t.Hour, t.Minute)
}

func (t LocalTime) wall() int64 { return wallOf(t.Year, t.Month, t.Day, t.Hour, t.Minute) }

// In returns the instant this wall time denotes in loc, by the package's
// daylight-saving rules: a skipped time gives the first instant after the
// gap, a repeated time its first occurrence.
func (t LocalTime) In(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Unix(resolve(t.wall(), loc), 0).In(loc)
}

// Weekly is a recurring break: one instance for each of Days, starting at
// Start. With EndDay nil it ends at the first End strictly after the start
// (so 21:00 → 07:00 crosses midnight); with EndDay set it ends at the first
// EndDay End strictly after the start, up to 7 days later.
type Weekly struct {
	Days   []time.Weekday // sorted as time.Weekday (Sunday first), unique, not empty
	Start  Clock
	EndDay *time.Weekday
	End    Clock
}

// Once is a one-off break between two wall times; End is after Start.
type Once struct{ Start, End LocalTime }

// String returns the canonical spec texts, which ParseOnce reads back.
func (o Once) String() (start, end string) { return o.Start.String(), o.End.String() }

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

const (
	allDays  uint8 = 0x7f
	weekdays uint8 = 0x3e // Mon..Fri
	weekends uint8 = 0x41 // Sun, Sat
)

const dayHint = "days are Mon…Sun or Monday…Sunday, a range like Mon-Fri, a list like Sat,Sun, or daily, weekdays, weekends"

// parseClock reads "HH:MM" or "H:MM".
func parseClock(field, s string) (Clock, error) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !isDigits(hs) || !isDigits(ms) {
		return Clock{}, fieldErr(field, "%q is not a time (use HH:MM, e.g. 07:00 or 21:30)", s)
	}
	h, _ := strconv.Atoi(hs)
	m, _ := strconv.Atoi(ms)
	if h > 23 || m > 59 {
		return Clock{}, fieldErr(field, "%s is not a time of day (00:00 to 23:59)", s)
	}
	return Clock{h, m}, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func looksLikeClock(s string) bool { return strings.Contains(s, ":") }

func parseDay(field, s string) (time.Weekday, error) {
	if d, ok := dayNames[strings.ToLower(s)]; ok {
		return d, nil
	}
	return 0, fieldErr(field, "unknown day %q (%s)", s, dayHint)
}

// parseDays reads a comma-separated list of days, ranges (which wrap:
// Sat-Mon) and the words daily, weekdays and weekends, into a bit set.
func parseDays(field, s string) (uint8, error) {
	var set uint8
	for item := range strings.SplitSeq(s, ",") {
		switch strings.ToLower(item) {
		case "":
			return 0, fieldErr(field, "empty day in %q (%s)", s, dayHint)
		case "daily":
			set |= allDays
			continue
		case "weekdays":
			set |= weekdays
			continue
		case "weekends":
			set |= weekends
			continue
		}
		a, b, isRange := strings.Cut(item, "-")
		if !isRange {
			d, err := parseDay(field, item)
			if err != nil {
				return 0, err
			}
			set |= 1 << d
			continue
		}
		if a == "" || b == "" {
			return 0, fieldErr(field, "incomplete day range %q (write it like Mon-Fri)", item)
		}
		from, err := parseDay(field, a)
		if err != nil {
			return 0, err
		}
		to, err := parseDay(field, b)
		if err != nil {
			return 0, err
		}
		for d := from; ; d = (d + 1) % 7 {
			set |= 1 << d
			if d == to {
				break
			}
		}
	}
	return set, nil
}

// ParseWeekly parses a weekly rule's start ("Fri 15:30", "Mon-Fri 21:00",
// "weekdays 21:00", "weekends 09:00", "daily 22:00", "Sat,Sun 10:00"; day
// names of 3 letters or in full, any case; ranges wrap, "Sat-Mon") and end
// ("Sat 16:00": one day and a time; or "07:00": a time only). Errors are
// *FieldError on "start" or "end".
func ParseWeekly(start, end string) (Weekly, error) {
	w, err := parseWeekly(start, end)
	if err != nil {
		return Weekly{}, err
	}
	return w, nil
}

func parseWeekly(start, end string) (Weekly, error) {
	var w Weekly
	s := strings.TrimSpace(start)
	if s == "" {
		return w, fieldErr("start", "is empty (give days and a time, e.g. \"Fri 15:30\" or \"weekdays 21:00\")")
	}
	i := strings.LastIndexAny(s, " \t")
	if i < 0 {
		if looksLikeClock(s) {
			return w, fieldErr("start", "%q needs days before the time, e.g. \"daily %s\" or \"Mon-Fri %s\"", s, s, s)
		}
		return w, fieldErr("start", "%q needs a time after the days, e.g. \"%s 15:30\"", s, s)
	}
	daysText := strings.Join(strings.Fields(s[:i]), "") // "Sat, Sun" → "Sat,Sun"
	set, err := parseDays("start", daysText)
	if err != nil {
		return w, err
	}
	if w.Start, err = parseClock("start", s[i+1:]); err != nil {
		return w, err
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if set&(1<<d) != 0 {
			w.Days = append(w.Days, d)
		}
	}

	f := strings.Fields(end)
	switch len(f) {
	case 0:
		return w, fieldErr("end", "is empty (give a time, e.g. \"07:00\", or a day and a time, e.g. \"Sat 16:00\")")
	case 1:
		if !looksLikeClock(f[0]) {
			return w, fieldErr("end", "%q needs a time, e.g. \"%s 16:00\" or just \"07:00\"", f[0], f[0])
		}
		if w.End, err = parseClock("end", f[0]); err != nil {
			return w, err
		}
		if w.End == w.Start {
			return w, fieldErr("end", "%s is the start time, so the break would have zero length (name a day, e.g. \"Sat %s\", for a break of a day or more)", w.End, w.End)
		}
	case 2:
		d, ok := dayNames[strings.ToLower(f[0])]
		if !ok {
			if _, e := parseDays("end", f[0]); e == nil {
				return w, fieldErr("end", "%q is not one day: an end is one day and a time, like \"Sat 16:00\", or a time, like \"07:00\"", f[0])
			}
			_, e := parseDay("end", f[0])
			return w, e
		}
		w.EndDay = &d
		if w.End, err = parseClock("end", f[1]); err != nil {
			return w, err
		}
	default:
		return w, fieldErr("end", "%q is not an end: use one day and a time, like \"Sat 16:00\", or a time, like \"07:00\"", strings.TrimSpace(end))
	}
	return w, nil
}

// String returns the canonical spec texts, which ParseWeekly reads back to
// an equal Weekly: days as "daily", "weekdays", "weekends", or runs in
// Monday-first order ("Mon,Wed", "Mon-Thu", "Fri-Mon"); times as HH:MM.
func (w Weekly) String() (start, end string) {
	start = formatDays(w.Days) + " " + w.Start.String()
	end = w.End.String()
	if w.EndDay != nil {
		end = dayAbbr(*w.EndDay) + " " + end
	}
	return start, end
}

func dayAbbr(d time.Weekday) string { return d.String()[:3] }

func formatDays(days []time.Weekday) string {
	var set uint8
	for _, d := range days {
		set |= 1 << (uint(d) % 7)
	}
	switch set {
	case allDays:
		return "daily"
	case weekdays:
		return "weekdays"
	case weekends:
		return "weekends"
	case 0:
		return ""
	}
	in := func(i int) bool { return set&(1<<((i+1)%7)) != 0 } // i: 0 = Monday … 6 = Sunday
	name := func(i int) string { return dayAbbr(time.Weekday((i + 1) % 7)) }
	var parts []string
	for i := 0; i < 7; i++ {
		if !in(i) || in((i+6)%7) {
			continue // not the first day of a run
		}
		n := 1
		for n < 7 && in((i+n)%7) {
			n++
		}
		switch n {
		case 1:
			parts = append(parts, name(i))
		case 2:
			parts = append(parts, name(i), name((i+1)%7))
		default:
			parts = append(parts, name(i)+"-"+name((i+n-1)%7))
		}
	}
	return strings.Join(parts, ",")
}

// ParseOnce parses a one-off break's start and end, "2026-12-24 18:00" (or
// "2026-12-24T18:00"), wall times in the user's zone. The end must be after
// the start. Errors are *FieldError on "start" or "end".
func ParseOnce(start, end string) (Once, error) {
	var o Once
	var err error
	if o.Start, err = parseLocalTime("start", start); err != nil {
		return Once{}, err
	}
	if o.End, err = parseLocalTime("end", end); err != nil {
		return Once{}, err
	}
	switch sw, ew := o.Start.wall(), o.End.wall(); {
	case ew == sw:
		return Once{}, fieldErr("end", "must be after start (both are %s)", o.End)
	case ew < sw:
		return Once{}, fieldErr("end", "must be after start (%s is before %s)", o.End, o.Start)
	}
	return o, nil
}

const localTimeHint = "use YYYY-MM-DD HH:MM, e.g. 2026-12-24 18:00"

func parseLocalTime(field, s string) (LocalTime, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return LocalTime{}, fieldErr(field, "is empty (%s)", localTimeHint)
	}
	ds, cs, ok := strings.Cut(s, "T")
	if !ok {
		f := strings.Fields(s)
		switch len(f) {
		case 1:
			if looksLikeClock(f[0]) {
				return LocalTime{}, fieldErr(field, "%q needs a date too (%s)", s, localTimeHint)
			}
			return LocalTime{}, fieldErr(field, "%q needs a time too, e.g. \"%s 18:00\"", s, s)
		case 2:
			ds, cs = f[0], f[1]
		default:
			return LocalTime{}, fieldErr(field, "%q is not a date and time (%s)", s, localTimeHint)
		}
	}
	parts := strings.Split(ds, "-")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) != 2 || len(parts[2]) != 2 ||
		!isDigits(parts[0]) || !isDigits(parts[1]) || !isDigits(parts[2]) {
		return LocalTime{}, fieldErr(field, "%q is not a date and time (%s)", s, localTimeHint)
	}
	y, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	d, _ := strconv.Atoi(parts[2])
	if t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return LocalTime{}, fieldErr(field, "%s is not a date", ds)
	}
	c, err := parseClock(field, cs)
	if err != nil {
		return LocalTime{}, err
	}
	return LocalTime{Year: y, Month: time.Month(m), Day: d, Hour: c.Hour, Minute: c.Minute}, nil
}
