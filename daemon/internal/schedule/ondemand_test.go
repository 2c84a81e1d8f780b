package schedule

import (
	"testing"
	"time"
)

func TestOnDemandEnd(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	ny := zone(t, "America/New_York")
	in := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc) // only for unambiguous wall times
	}
	tests := []struct {
		spec     string
		now      time.Time
		dayStart int
		want     time.Time // in UTC terms
		dur      time.Duration
	}{
		{"15m", in(berlin, 2026, 5, 1, 10, 0), 4, utc(2026, 5, 1, 8, 15), 15 * time.Minute},
		{"1h", in(berlin, 2026, 5, 1, 10, 0), 4, utc(2026, 5, 1, 9, 0), time.Hour},
		{"90m", in(berlin, 2026, 5, 1, 10, 0), 4, utc(2026, 5, 1, 9, 30), 90 * time.Minute},
		{"2h30m", in(berlin, 2026, 5, 1, 10, 0), 4, utc(2026, 5, 1, 10, 30), 150 * time.Minute},
		{" 2H 30M ", in(berlin, 2026, 5, 1, 10, 0), 4, utc(2026, 5, 1, 10, 30), 150 * time.Minute},
		{"24h", in(berlin, 2026, 5, 1, 10, 0), 4, utc(2026, 5, 2, 8, 0), 24 * time.Hour},
		// Lengths are real time: 1h from 01:30 EST on the spring-forward day is 03:30 EDT.
		{"1h", in(ny, 2026, 3, 8, 1, 30), 4, utc(2026, 3, 8, 7, 30), time.Hour},
		// Seconds of now are kept.
		{"15m", in(berlin, 2026, 5, 1, 10, 0).Add(17 * time.Second), 4, utc(2026, 5, 1, 8, 15).Add(17 * time.Second), 15 * time.Minute},

		// rest-of-day: until the user's next day start.
		{"rest-of-day", in(berlin, 2026, 5, 1, 23, 0), 4, utc(2026, 5, 2, 2, 0), 5 * time.Hour},
		{"rest-of-day", in(berlin, 2026, 5, 1, 2, 0), 4, utc(2026, 5, 1, 2, 0), 2 * time.Hour},
		{"rest-of-day", in(berlin, 2026, 5, 1, 4, 0), 4, utc(2026, 5, 2, 2, 0), 24 * time.Hour}, // at day start: the whole day
		{"Rest of day", in(berlin, 2026, 5, 1, 12, 0), 0, utc(2026, 5, 1, 22, 0), 12 * time.Hour},
		{"rest-of-day", in(berlin, 2026, 3, 28, 23, 0), 4, utc(2026, 3, 29, 2, 0), 4 * time.Hour},   // across spring forward: 5 wall hours, 4 real
		{"rest-of-day", in(berlin, 2026, 10, 24, 23, 0), 4, utc(2026, 10, 25, 3, 0), 6 * time.Hour}, // across fall back: 5 wall hours, 6 real
		{"rest-of-day", in(ny, 2026, 3, 7, 23, 0), 2, utc(2026, 3, 8, 7, 0), 3 * time.Hour},         // day start 02:00 does not exist: 03:00 EDT

		// until HH:MM: the next such wall time.
		{"until 08:00", in(berlin, 2026, 5, 1, 9, 0), 4, utc(2026, 5, 2, 6, 0), 23 * time.Hour},
		{"until 08:00", in(berlin, 2026, 5, 1, 7, 0), 4, utc(2026, 5, 1, 6, 0), time.Hour},
		{"until 08:00", in(berlin, 2026, 5, 1, 8, 0), 4, utc(2026, 5, 2, 6, 0), 24 * time.Hour},
		{"until 8:00", in(berlin, 2026, 10, 24, 9, 0), 4, utc(2026, 10, 25, 7, 0), 24 * time.Hour}, // 23 wall hours, 24 real
		{"until 08:00", in(ny, 2026, 3, 7, 9, 0), 4, utc(2026, 3, 8, 12, 0), 22 * time.Hour},       // 23 wall hours, 22 real
		{"until 02:30", in(berlin, 2026, 3, 29, 1, 0), 4, utc(2026, 3, 29, 1, 0), time.Hour},       // 02:30 does not exist: 03:00 CEST
		// In the repeated hour, the next 02:30 is its second occurrence.
		{"until 02:30", time.Date(2026, 10, 25, 0, 45, 0, 0, time.UTC).In(berlin), 4, utc(2026, 10, 25, 1, 30), 45 * time.Minute},
		{"until 02:30", time.Date(2026, 10, 25, 1, 45, 0, 0, time.UTC).In(berlin), 4, utc(2026, 10, 26, 1, 30), 23*time.Hour + 45*time.Minute},

		// until tomorrow HH:MM: on the date after the user's day.
		{"until tomorrow 08:00", in(berlin, 2026, 5, 1, 7, 0), 4, utc(2026, 5, 2, 6, 0), 25 * time.Hour},
		{"until tomorrow 08:00", in(berlin, 2026, 5, 1, 23, 0), 4, utc(2026, 5, 2, 6, 0), 9 * time.Hour},
		{"until tomorrow 08:00", in(berlin, 2026, 5, 2, 1, 0), 4, utc(2026, 5, 2, 6, 0), 7 * time.Hour}, // 01:00 still belongs to May 1
		{"until tomorrow 08:00", in(berlin, 2026, 5, 2, 9, 0), 10, utc(2026, 5, 3, 6, 0), 23 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" at "+tt.now.Format("2006-01-02 15:04 MST"), func(t *testing.T) {
			got, err := OnDemandEnd(tt.spec, tt.now, Clock{Hour: tt.dayStart})
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("got %v (%v UTC), want %v UTC", got, got.UTC(), tt.want)
			}
			if d := got.Sub(tt.now); d != tt.dur {
				t.Fatalf("lasts %v, want %v", d, tt.dur)
			}
			if got.Location() != tt.now.Location() {
				t.Fatalf("location %v, want %v", got.Location(), tt.now.Location())
			}
		})
	}
}

func TestOnDemandEndErrors(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		spec     string
		dayStart int
		field    string
		msg      string
	}{
		{"", 4, "for", "is empty"},
		{"15", 4, "for", `"15" is not a break length (use e.g. 15m`},
		{"15x", 4, "for", `"15x" is not a break length`},
		{"-1h", 4, "for", "is not a break length"},
		{"1.5h", 4, "for", "is not a break length"},
		{"30s", 4, "for", "is not a break length"},
		{"m", 4, "for", "is not a break length"},
		{"1m1h", 4, "for", "is not a break length"},
		{"0m", 4, "for", `"0m" is no time`},
		{"25h", 4, "for", `"25h" is longer than 24h`},
		{"23h61m", 4, "for", "is longer than 24h"},
		{"until", 4, "for", `"until" needs a time, e.g. "until 08:00"`},
		{"until 25:00", 4, "for", "25:00 is not a time of day"},
		{"until noon", 4, "for", `"noon" is not a time`},
		{"until tomorrow", 4, "for", `needs a time`},
		{"rest-of-week", 4, "for", "is not a break length"},
		{"rest-of-day", 24, "dayStart", "24:00 is not a time of day"},
		{"until tomorrow 08:00", -1, "dayStart", "-1:00 is not a time of day"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := OnDemandEnd(tt.spec, now, Clock{Hour: tt.dayStart})
			checkFieldErr(t, err, tt.field, tt.msg)
		})
	}
}

// A day that starts at 05:30: rest-of-day ends then, and at 05:00 it is
// still yesterday for "until tomorrow".
func TestOnDemandEndDayStartMinutes(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	start := Clock{Hour: 5, Minute: 30}
	for _, c := range []struct {
		spec string
		now  time.Time
		want time.Time
	}{
		{"rest-of-day", time.Date(2026, 5, 1, 23, 0, 0, 0, berlin), time.Date(2026, 5, 2, 5, 30, 0, 0, berlin)},
		{"rest-of-day", time.Date(2026, 5, 1, 5, 0, 0, 0, berlin), time.Date(2026, 5, 1, 5, 30, 0, 0, berlin)},
		{"until tomorrow 08:00", time.Date(2026, 5, 1, 5, 0, 0, 0, berlin), time.Date(2026, 5, 1, 8, 0, 0, 0, berlin)},
		{"until tomorrow 08:00", time.Date(2026, 5, 1, 6, 0, 0, 0, berlin), time.Date(2026, 5, 2, 8, 0, 0, 0, berlin)},
	} {
		got, err := OnDemandEnd(c.spec, c.now, start)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s at %s: %s, %v; want %s", c.spec, c.now.Format("15:04"), got.In(berlin).Format("2006-01-02 15:04"), err, c.want.Format("2006-01-02 15:04"))
		}
	}
}
