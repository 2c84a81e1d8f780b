package daystart

import (
	"context"
	"errors"
	"testing"
	"time"
)

type kv map[string]string

func (m kv) Setting(_ context.Context, key, def string) (string, error) {
	if v, ok := m[key]; ok {
		return v, nil
	}
	return def, nil
}

type broken struct{}

func (broken) Setting(context.Context, string, string) (string, error) {
	return "", errors.New("disk")
}

func TestRead(t *testing.T) {
	for _, tt := range []struct {
		set  kv
		h, m int
	}{
		{kv{}, 4, 0},
		{kv{Key: "05:30"}, 5, 30},
		{kv{Key: "05:30", KeyHour: "7"}, 5, 30},
		{kv{KeyHour: "7"}, 7, 0},
		{kv{Key: "25:00", KeyHour: "06"}, 6, 0},
		{kv{Key: "+1:05"}, 4, 0},
		{kv{KeyHour: "24"}, 4, 0},
		{kv{KeyHour: "-1"}, 4, 0},
	} {
		h, m, err := Read(context.Background(), tt.set)
		if err != nil || h != tt.h || m != tt.m {
			t.Errorf("Read(%v) = %d, %d, %v; want %d, %d", tt.set, h, m, err, tt.h, tt.m)
		}
	}
	if h, m, err := Read(context.Background(), broken{}); err == nil || h != DefaultHour || m != 0 {
		t.Errorf("a failing store: %d, %d, %v; want the default and the error", h, m, err)
	}
}

func TestParseClock(t *testing.T) {
	for s, want := range map[string]bool{
		"00:00": true, "23:59": true, "04:00": true,
		"24:00": false, "12:60": false, "4:00": false, "04:0": false, "+1:05": false, "": false, "0400": false, "aa:bb": false,
	} {
		if _, _, ok := ParseClock(s); ok != want {
			t.Errorf("ParseClock(%q) ok = %v, want %v", s, ok, want)
		}
	}
}

func TestBegan(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	for _, tc := range []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"after 4", time.Date(2026, 11, 23, 15, 0, 0, 0, berlin), time.Date(2026, 11, 23, 4, 0, 0, 0, berlin)},
		{"exactly 4", time.Date(2026, 11, 23, 4, 0, 0, 0, berlin), time.Date(2026, 11, 23, 4, 0, 0, 0, berlin)},
		{"before 4 belongs to yesterday", time.Date(2026, 11, 23, 3, 59, 0, 0, berlin), time.Date(2026, 11, 22, 4, 0, 0, 0, berlin)},
		{"month boundary", time.Date(2026, 12, 1, 1, 0, 0, 0, berlin), time.Date(2026, 11, 30, 4, 0, 0, 0, berlin)},
		{"DST spring day (Berlin, 29 Mar 2026)", time.Date(2026, 3, 29, 12, 0, 0, 0, berlin), time.Date(2026, 3, 29, 4, 0, 0, 0, berlin)},
		{"DST autumn day (New York, 1 Nov 2026)", time.Date(2026, 11, 1, 12, 0, 0, 0, ny), time.Date(2026, 11, 1, 4, 0, 0, 0, ny)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Began(tc.now, 4, 0); !got.Equal(tc.want) {
				t.Fatalf("Began(%s) = %s, want %s", tc.now, got, tc.want)
			}
		})
	}
	// A day-start hour that DST skips (02:00 on 29 Mar 2026 in Berlin)
	// starts at the next valid time, and the day still contains now.
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, berlin)
	got := Began(now, 2, 0)
	if got.After(now) || got.Day() != 29 || got.Hour() != 3 {
		t.Fatalf("skipped hour: %s", got)
	}
}
