package summary

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon/api"
)

// FuzzSettings feeds arbitrary JSON to the settings the dashboard and `mindful
// settings` send. Nothing may panic; a refusal names each bad field; what is
// accepted reads back exactly (a clock is exactly HH:MM).
func FuzzSettings(f *testing.F) {
	f.Add([]byte(`{"day_start":"04:00","checkin_time":"21:00","retention_days":0,"store_full_urls":false,"prompt_pause_seconds":3}`))
	f.Add([]byte(`{"day_start":"4:00","checkin_time":"24:00","retention_days":-1,"prompt_pause_seconds":61}`))
	f.Add([]byte(`{"day_start":"+1:05","checkin_time":"21:00"}`))
	fields := []string{"day_start", "checkin_time", "retention_days", "prompt_pause_seconds"}
	f.Fuzz(func(t *testing.T, data []byte) {
		var set api.Settings
		if json.Unmarshal(data, &set) != nil {
			return
		}
		err := Validate(set)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				named := false
				for _, f := range fields {
					named = named || strings.HasPrefix(line, f+": ")
				}
				if !named {
					t.Fatalf("refusal %q does not start with the field it is about", line)
				}
			}
			return
		}
		for _, c := range []struct{ field, v string }{{"day_start", set.DayStart}, {"checkin_time", set.CheckinTime}} {
			h, m, err := ParseClock(c.field, c.v)
			if err != nil || fmt.Sprintf("%02d:%02d", h, m) != c.v {
				t.Fatalf("%s %q accepted, reads back as %02d:%02d (%v)", c.field, c.v, h, m, err)
			}
		}
	})
}
