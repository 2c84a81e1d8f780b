package daystart

import (
	"context"
	"errors"
	"testing"
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
