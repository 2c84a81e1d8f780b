package schedule

import (
	"testing"
	"time"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestResolve(t *testing.T) {
	tests := []struct {
		zone        string
		wall        LocalTime
		first, last time.Time
	}{
		// Europe/Berlin: CET +1, CEST +2.
		{"Europe/Berlin", LocalTime{2026, 3, 29, 1, 59}, utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 0, 59)},
		{"Europe/Berlin", LocalTime{2026, 3, 29, 2, 0}, utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 0)},  // gap → 03:00 CEST
		{"Europe/Berlin", LocalTime{2026, 3, 29, 2, 30}, utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 0)}, // not 03:30
		{"Europe/Berlin", LocalTime{2026, 3, 29, 3, 0}, utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 0)},
		{"Europe/Berlin", LocalTime{2026, 3, 29, 3, 30}, utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1, 30)},
		{"Europe/Berlin", LocalTime{2026, 10, 25, 1, 59}, utc(2026, 10, 24, 23, 59), utc(2026, 10, 24, 23, 59)},
		{"Europe/Berlin", LocalTime{2026, 10, 25, 2, 0}, utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 1, 0)}, // twice
		{"Europe/Berlin", LocalTime{2026, 10, 25, 2, 30}, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)},
		{"Europe/Berlin", LocalTime{2026, 10, 25, 3, 0}, utc(2026, 10, 25, 2, 0), utc(2026, 10, 25, 2, 0)},
		{"Europe/Berlin", LocalTime{2026, 7, 1, 12, 0}, utc(2026, 7, 1, 10, 0), utc(2026, 7, 1, 10, 0)},
		// America/New_York: EST −5, EDT −4.
		{"America/New_York", LocalTime{2026, 3, 8, 2, 30}, utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 0)},
		{"America/New_York", LocalTime{2026, 11, 1, 1, 30}, utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)},
		{"America/New_York", LocalTime{2026, 11, 1, 2, 30}, utc(2026, 11, 1, 7, 30), utc(2026, 11, 1, 7, 30)},
		// Australia/Lord_Howe shifts by 30 minutes: +10:30 ↔ +11.
		{"Australia/Lord_Howe", LocalTime{2026, 10, 4, 2, 15}, utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 15, 30)},
		{"Australia/Lord_Howe", LocalTime{2026, 4, 5, 1, 45}, utc(2026, 4, 4, 14, 45), utc(2026, 4, 4, 15, 15)},
		// Pacific/Apia skipped 2011-12-30 entirely (−10 → +14 at 10:00 UTC).
		{"Pacific/Apia", LocalTime{2011, 12, 30, 12, 0}, utc(2011, 12, 30, 10, 0), utc(2011, 12, 30, 10, 0)},
		// America/Sao_Paulo sprang forward at midnight: 2018-11-04 00:00 → 01:00.
		{"America/Sao_Paulo", LocalTime{2018, 11, 4, 0, 0}, utc(2018, 11, 4, 3, 0), utc(2018, 11, 4, 3, 0)},
		{"UTC", LocalTime{2026, 3, 29, 2, 30}, utc(2026, 3, 29, 2, 30), utc(2026, 3, 29, 2, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.wall.String(), func(t *testing.T) {
			loc := zone(t, tt.zone)
			first, last := occurrences(tt.wall.wall(), loc)
			if first != tt.first.Unix() || last != tt.last.Unix() {
				t.Fatalf("occurrences = %v, %v; want %v, %v", time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC(), tt.first, tt.last)
			}
			if got := tt.wall.In(loc); !got.Equal(tt.first) || got.Location() != loc {
				t.Fatalf("In = %v, want %v", got, tt.first)
			}
		})
	}
}

// TestResolveBruteForce compares occurrences with a minute-by-minute scan
// on every day with a zone change, for every quarter hour of the day.
func TestResolveBruteForce(t *testing.T) {
	zones := []struct {
		name string
		year int
	}{
		{"Europe/Berlin", 2026}, {"America/New_York", 2026}, {"Australia/Lord_Howe", 2026},
		{"America/Sao_Paulo", 2018}, {"Pacific/Apia", 2011}, {"America/St_Johns", 2026},
		{"Asia/Tokyo", 2026}, {"Europe/Moscow", 2011}, {"Europe/Moscow", 2014},
	}
	for _, z := range zones {
		loc := zone(t, z.name)
		// Days (in wall day numbers) on which the zone changes, ±1.
		days := map[int64]bool{}
		for u := time.Date(z.year, 1, 1, 0, 0, 0, 0, time.UTC); u.Year() == z.year; {
			_, e := u.In(loc).ZoneBounds()
			if e.IsZero() || e.Year() > z.year {
				break
			}
			_, off := e.Zone()
			d := floorDiv(e.Unix()+int64(off), day)
			days[d-1], days[d], days[d+1] = true, true, true
			u = e
		}
		if z.name != "Asia/Tokyo" && len(days) == 0 {
			t.Fatalf("%s %d: no zone change found", z.name, z.year)
		}
		days[floorDiv(time.Date(z.year, 6, 15, 0, 0, 0, 0, time.UTC).Unix(), day)] = true
		for d := range days {
			for q := int64(0); q < 96; q++ {
				w := d*day + q*900
				wantFirst, wantLast := bruteOccurrences(w, loc)
				first, last := occurrences(w, loc)
				if first != wantFirst || last != wantLast {
					t.Errorf("%s wall %v: got %v, %v; brute force %v, %v", z.name, time.Unix(w, 0).UTC().Format("2006-01-02 15:04"),
						time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC(), time.Unix(wantFirst, 0).UTC(), time.Unix(wantLast, 0).UTC())
				}
			}
		}
	}
}

func bruteOccurrences(w int64, loc *time.Location) (first, last int64) {
	wallAt := func(u int64) int64 {
		_, off := time.Unix(u, 0).In(loc).Zone()
		return u + int64(off)
	}
	found := false
	for u := w - reach; u <= w+reach; u += 60 {
		if wallAt(u) == w {
			if !found {
				first, found = u, true
			}
			last = u
		}
	}
	if found {
		return first, last
	}
	// A gap: the first instant whose wall time is past w, right after one
	// whose wall time is before it.
	for u := w - reach; u <= w+reach; u += 60 {
		if wallAt(u) > w && wallAt(u-60) < w {
			return u, u
		}
	}
	panic("no occurrence and no gap")
}
