// Package daystart is the one place that reads when the user's day
// begins: the "day_start" setting ("HH:MM", stored by the summary's
// settings), else the older hour-only "day_start_hour", else 04:00. The
// state (the day's habit count), the breaks ("rest-of-day", the week of
// early ends) and the summary (the days it names) all read it here.
package daystart

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Setting keys in the store.
const (
	Key     = "day_start"      // "HH:MM"
	KeyHour = "day_start_hour" // older: the hour only; kept equal to Key's hour
)

// DefaultHour is when the day begins unless the user said otherwise.
const DefaultHour = 4

// Settings is where the setting lives (the store).
type Settings interface {
	Setting(ctx context.Context, key, def string) (string, error)
}

// Read returns the hour and minute the user's day begins at. The error is
// the store's; the default comes with it.
func Read(ctx context.Context, kv Settings) (hour, minute int, err error) {
	v, err := kv.Setting(ctx, Key, "")
	if err != nil {
		return DefaultHour, 0, err
	}
	if h, m, ok := ParseClock(v); ok {
		return h, m, nil
	}
	v, err = kv.Setting(ctx, KeyHour, "")
	if err != nil {
		return DefaultHour, 0, err
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 24 {
		return n, 0, nil
	}
	return DefaultHour, 0, nil
}

// ParseClock parses "HH:MM" (00:00–23:59, two digits each).
func ParseClock(s string) (hour, minute int, ok bool) {
	hh, mm, found := strings.Cut(s, ":")
	if !found || len(hh) != 2 || len(mm) != 2 || !digits(hh+mm) {
		return 0, 0, false
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if h >= 24 || m >= 60 {
		return 0, 0, false
	}
	return h, m, true
}

// digits reports whether s is only ASCII digits (strconv.Atoi also takes a
// sign: "+1:05" is not a clock).
func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Began returns when the user's day that contains now began: the most
// recent hour:minute local time at or before now. time.Date normalizes a
// time that a DST change skips.
func Began(now time.Time, hour, minute int) time.Time {
	y, m, d := now.Date()
	t := time.Date(y, m, d, hour, minute, 0, 0, now.Location())
	if now.Before(t) {
		t = time.Date(y, m, d-1, hour, minute, 0, 0, now.Location())
	}
	return t
}
