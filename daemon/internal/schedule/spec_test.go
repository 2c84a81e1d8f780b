package schedule

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // hermetic zones for the daylight-saving tests
)

func wd(d time.Weekday) *time.Weekday { return &d }

const (
	sun = time.Sunday
	mon = time.Monday
	tue = time.Tuesday
	wed = time.Wednesday
	thu = time.Thursday
	fri = time.Friday
	sat = time.Saturday
)

// checkFieldErr fails unless err is a *FieldError on field whose message
// contains want.
func checkFieldErr(t *testing.T, err error, field, want string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want a *FieldError on %q", err, err, field)
	}
	if fe.Field != field || !strings.Contains(fe.Message, want) {
		t.Fatalf("error = %q, want field %q with a message containing %q", fe.Error(), field, want)
	}
	if fe.Error() != fe.Field+": "+fe.Message {
		t.Fatalf("Error() = %q, want \"field: message\"", fe.Error())
	}
}

func TestParseWeekly(t *testing.T) {
	tests := []struct {
		start, end string
		want       Weekly
		canonStart string // "" = same as start
		canonEnd   string
	}{
		{"Fri 15:30", "Sat 16:00", Weekly{Days: []time.Weekday{fri}, Start: Clock{15, 30}, EndDay: wd(sat), End: Clock{16, 0}}, "", ""},
		{"Mon-Fri 21:00", "07:00", Weekly{Days: []time.Weekday{mon, tue, wed, thu, fri}, Start: Clock{21, 0}, End: Clock{7, 0}}, "weekdays 21:00", ""},
		{"weekdays 21:00", "07:00", Weekly{Days: []time.Weekday{mon, tue, wed, thu, fri}, Start: Clock{21, 0}, End: Clock{7, 0}}, "", ""},
		{"weekends 09:00", "12:00", Weekly{Days: []time.Weekday{sun, sat}, Start: Clock{9, 0}, End: Clock{12, 0}}, "", ""},
		{"daily 22:00", "06:30", Weekly{Days: []time.Weekday{sun, mon, tue, wed, thu, fri, sat}, Start: Clock{22, 0}, End: Clock{6, 30}}, "", ""},
		{"Sat,Sun 10:00", "12:00", Weekly{Days: []time.Weekday{sun, sat}, Start: Clock{10, 0}, End: Clock{12, 0}}, "weekends 10:00", ""},
		{"Sat-Mon 23:00", "01:00", Weekly{Days: []time.Weekday{sun, mon, sat}, Start: Clock{23, 0}, End: Clock{1, 0}}, "", ""},
		{"Sun 22:00", "Mon 06:00", Weekly{Days: []time.Weekday{sun}, Start: Clock{22, 0}, EndDay: wd(mon), End: Clock{6, 0}}, "", ""},
		{"  friday   9:05 ", "saturday 7:00", Weekly{Days: []time.Weekday{fri}, Start: Clock{9, 5}, EndDay: wd(sat), End: Clock{7, 0}}, "Fri 09:05", "Sat 07:00"},
		{"MON,wed 08:00", "09:00", Weekly{Days: []time.Weekday{mon, wed}, Start: Clock{8, 0}, End: Clock{9, 0}}, "Mon,Wed 08:00", ""},
		{"Sat, Sun 10:00", "12:00", Weekly{Days: []time.Weekday{sun, sat}, Start: Clock{10, 0}, End: Clock{12, 0}}, "weekends 10:00", ""},
		{"Mon-Wed,Fri-Sun 00:00", "23:59", Weekly{Days: []time.Weekday{sun, mon, tue, wed, fri, sat}, Start: Clock{0, 0}, End: Clock{23, 59}}, "Fri-Wed 00:00", ""},
		{"Mon,Tue,Thu 12:00", "13:00", Weekly{Days: []time.Weekday{mon, tue, thu}, Start: Clock{12, 0}, End: Clock{13, 0}}, "Mon,Tue,Thu 12:00", ""},
		{"Mon-Sun 12:00", "13:00", Weekly{Days: []time.Weekday{sun, mon, tue, wed, thu, fri, sat}, Start: Clock{12, 0}, End: Clock{13, 0}}, "daily 12:00", ""},
		{"Mon,Mon 12:00", "13:00", Weekly{Days: []time.Weekday{mon}, Start: Clock{12, 0}, End: Clock{13, 0}}, "Mon 12:00", ""},
		{"Fri 15:30", "Fri 15:30", Weekly{Days: []time.Weekday{fri}, Start: Clock{15, 30}, EndDay: wd(fri), End: Clock{15, 30}}, "", ""}, // a whole week
		{"weekdays 21:00", "Sat 07:00", Weekly{Days: []time.Weekday{mon, tue, wed, thu, fri}, Start: Clock{21, 0}, EndDay: wd(sat), End: Clock{7, 0}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.start+"→"+tt.end, func(t *testing.T) {
			got, err := ParseWeekly(tt.start, tt.end)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			wantStart, wantEnd := tt.canonStart, tt.canonEnd
			if wantStart == "" {
				wantStart = tt.start
			}
			if wantEnd == "" {
				wantEnd = tt.end
			}
			s, e := got.String()
			if s != wantStart || e != wantEnd {
				t.Fatalf("String() = %q, %q, want %q, %q", s, e, wantStart, wantEnd)
			}
			again, err := ParseWeekly(s, e)
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("round trip: %+v, %v", again, err)
			}
		})
	}
}

func TestParseWeeklyErrors(t *testing.T) {
	tests := []struct {
		start, end   string
		field, error string // full "field: message" prefix
	}{
		{"Fry 15:30", "Sat 16:00", "start", `unknown day "Fry"`},
		{"Fri 15:30", "Sta 16:00", "end", `unknown day "Sta"`},
		{"Fri 15:30", "25:00", "end", "25:00 is not a time of day"},
		{"Fri 24:00", "01:00", "start", "24:00 is not a time of day"},
		{"Fri 12:60", "13:00", "start", "12:60 is not a time of day"},
		{"Fri 7pm", "Sat 16:00", "start", `"7pm" is not a time (use HH:MM`},
		{"Fri 15:3", "Sat 16:00", "start", `"15:3" is not a time`},
		{"Fri 15:30", "Sat 4pm", "end", `"4pm" is not a time`},
		{"daily 15:30", "15:30", "end", "15:30 is the start time, so the break would have zero length"},
		{"", "07:00", "start", "is empty"},
		{"Fri 15:30", "", "end", "is empty"},
		{"21:00", "07:00", "start", `"21:00" needs days before the time, e.g. "daily 21:00"`},
		{"Fri", "Sat 16:00", "start", `"Fri" needs a time after the days`},
		{"Mon- 21:00", "07:00", "start", `incomplete day range "Mon-"`},
		{"Mon,,Tue 21:00", "07:00", "start", `empty day in "Mon,,Tue"`},
		{"Mon-Fri 21:00", "Mon-Fri 07:00", "end", `"Mon-Fri" is not one day`},
		{"Mon-Fri 21:00", "weekends 07:00", "end", `"weekends" is not one day`},
		{"Fri 15:30", "Sat", "end", `"Sat" needs a time`},
		{"Fri 15:30", "next Sat 16:00", "end", `"next Sat 16:00" is not an end`},
		{"Fri 15:30", "Fry 16:00", "end", `unknown day "Fry"`},
	}
	for _, tt := range tests {
		t.Run(tt.start+"→"+tt.end, func(t *testing.T) {
			_, err := ParseWeekly(tt.start, tt.end)
			checkFieldErr(t, err, tt.field, tt.error)
			if !strings.HasPrefix(err.Error(), tt.field+": "+tt.error) {
				t.Fatalf("Error() = %q, want it to begin %q", err, tt.field+": "+tt.error)
			}
		})
	}
}

func TestParseOnce(t *testing.T) {
	got, err := ParseOnce("2026-12-24 18:00", "2026-12-26T09:00")
	if err != nil {
		t.Fatal(err)
	}
	want := Once{Start: LocalTime{2026, time.December, 24, 18, 0}, End: LocalTime{2026, time.December, 26, 9, 0}}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if s, e := got.String(); s != "2026-12-24 18:00" || e != "2026-12-26 09:00" {
		t.Fatalf("String() = %q, %q", s, e)
	}
	if got, err := ParseOnce(" 2026-02-28  7:05 ", "2026-03-01 00:00"); err != nil || got.Start != (LocalTime{2026, 2, 28, 7, 5}) {
		t.Fatalf("got %+v, %v", got, err)
	}

	bad := []struct {
		start, end string
		field, msg string
	}{
		{"2026-12-26 09:00", "2026-12-24 18:00", "end", "must be after start (2026-12-24 18:00 is before 2026-12-26 09:00)"},
		{"2026-12-24 18:00", "2026-12-24T18:00", "end", "must be after start (both are 2026-12-24 18:00)"},
		{"2026-02-30 10:00", "2026-03-01 10:00", "start", "2026-02-30 is not a date"},
		{"2026-13-01 10:00", "2026-12-01 10:00", "start", "2026-13-01 is not a date"},
		{"2026-12-24 18:00", "2026-12-26 25:00", "end", "25:00 is not a time of day"},
		{"24.12.2026 18:00", "2026-12-26 09:00", "start", `"24.12.2026 18:00" is not a date and time (use YYYY-MM-DD HH:MM`},
		{"2026-12-24", "2026-12-26 09:00", "start", `"2026-12-24" needs a time too`},
		{"2026-12-24 18:00", "09:00", "end", `"09:00" needs a date too`},
		{"", "2026-12-26 09:00", "start", "is empty"},
		{"2026-12-24 18:00", "", "end", "is empty"},
		{"2026-12-24 18:00 CET", "2026-12-26 09:00", "start", "is not a date and time"},
		{"26-12-24 18:00", "2026-12-26 09:00", "start", "is not a date and time"},
	}
	for _, tt := range bad {
		t.Run(tt.start+"→"+tt.end, func(t *testing.T) {
			_, err := ParseOnce(tt.start, tt.end)
			checkFieldErr(t, err, tt.field, tt.msg)
		})
	}
}

// FuzzParseWeekly checks that whatever ParseWeekly accepts, its canonical
// text reads back to the same Weekly, and that errors name start or end.
func FuzzParseWeekly(f *testing.F) {
	for _, s := range [][2]string{
		{"Fri 15:30", "Sat 16:00"}, {"Sat-Mon 23:00", "01:00"}, {"weekdays 21:00", "07:00"},
		{"Mon,Wed-Fri 8:00", "Sun 7:00"}, {"daily 0:00", "23:59"}, {"Fry 1:00", "2:00"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, start, end string) {
		w, err := ParseWeekly(start, end)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || (fe.Field != "start" && fe.Field != "end") || fe.Message == "" {
				t.Fatalf("error %v does not name start or end", err)
			}
			return
		}
		s, e := w.String()
		again, err := ParseWeekly(s, e)
		if err != nil || !reflect.DeepEqual(again, w) {
			t.Fatalf("%q→%q: canonical %q→%q reads back as %+v, %v", start, end, s, e, again, err)
		}
	})
}
