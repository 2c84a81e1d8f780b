package schedule

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRuleValidate(t *testing.T) {
	ok := Rule{ID: 1, Name: "Friday off", Kind: KindWeekly, Start: "Fri 15:30", End: "Sat 16:00", Enabled: true}
	good := []func(r *Rule){
		func(r *Rule) {},
		func(r *Rule) { r.Kind, r.Start, r.End = KindOnce, "2026-12-24 18:00", "2026-12-26T09:00" },
		func(r *Rule) {
			r.Sites = []string{"reddit.com", "www.youtube.com", "m.facebook.com", "news.ycombinator.com"}
		},
		func(r *Rule) { r.Name = strings.Repeat("ä", 64) },
		func(r *Rule) { r.Enabled, r.Locked = false, true },
		func(r *Rule) { r.Name = "Pause 🧘" },
	}
	for i, mod := range good {
		r := ok
		mod(&r)
		if err := r.Validate(); err != nil {
			t.Errorf("good %d: %v", i, err)
		}
	}

	bad := []struct {
		mod          func(r *Rule)
		field, error string
	}{
		{func(r *Rule) { r.Name = "" }, "name", "must be 1 to 64 characters"},
		{func(r *Rule) { r.Name = "   " }, "name", "must be 1 to 64 characters"},
		{func(r *Rule) { r.Name = strings.Repeat("a", 65) }, "name", "must be 1 to 64 characters"},
		{func(r *Rule) { r.Name = "a\nb" }, "name", "contains a control character"},
		{func(r *Rule) { r.Name = "\xff" }, "name", "is not valid UTF-8"},
		{func(r *Rule) { r.Kind = "monthly" }, "kind", `unknown kind "monthly" (use "weekly" or "once")`},
		{func(r *Rule) { r.Kind = "" }, "kind", "is empty"},
		{func(r *Rule) { r.Start = "Fry 15:30" }, "start", `unknown day "Fry"`},
		{func(r *Rule) { r.End = "25:00" }, "end", "25:00 is not a time of day"},
		{func(r *Rule) { r.Kind = KindOnce }, "start", `"Fri 15:30" is not a date and time`},
		{func(r *Rule) { r.Kind, r.Start, r.End = KindOnce, "2026-12-26 09:00", "2026-12-24 18:00" }, "end", "must be after start"},
		{func(r *Rule) { r.Sites = []string{} }, "sites", "is an empty list"},
		{func(r *Rule) { r.Sites = []string{"reddit.com", "x.com", "https://youtube.com"} }, "sites[2]", `"https://youtube.com" must be a host name without scheme, port or path`},
		{func(r *Rule) { r.Sites = []string{"x.com:443"} }, "sites[0]", "without scheme, port or path"},
		{func(r *Rule) { r.Sites = []string{"x.com/home"} }, "sites[0]", "without scheme, port or path"},
		{func(r *Rule) { r.Sites = []string{"Reddit.com"} }, "sites[0]", "must be lower case"},
		{func(r *Rule) { r.Sites = []string{""} }, "sites[0]", "is empty"},
		{func(r *Rule) { r.Sites = []string{"x..com"} }, "sites[0]", "has an empty label"},
		{func(r *Rule) { r.Sites = []string{"-x.com"} }, "sites[0]", "starts or ends with '-'"},
		{func(r *Rule) { r.Sites = []string{"x_y.com"} }, "sites[0]", "may only contain"},
		{func(r *Rule) { r.Sites = []string{"*.reddit.com"} }, "sites[0]", "may only contain"},
		{func(r *Rule) { r.Sites = []string{"x.com", "y.com", "x.com"} }, "sites[2]", `"x.com" is listed twice`},
	}
	for _, tt := range bad {
		r := ok
		tt.mod(&r)
		t.Run(tt.field+" "+tt.error, func(t *testing.T) {
			checkFieldErr(t, r.Validate(), tt.field, tt.error)
		})
	}
}

func TestRuleJSON(t *testing.T) {
	r := Rule{ID: 3, Name: "Evenings", Kind: KindWeekly, Start: "weekdays 21:00", End: "07:00", Locked: true, Enabled: true}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"id":3,"name":"Evenings","kind":"weekly","start":"weekdays 21:00","end":"07:00","locked":true,"enabled":true}`
	if string(b) != want {
		t.Fatalf("JSON %s, want %s", b, want)
	}
	var back Rule
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Fatalf("round trip %+v, %v", back, err)
	}
}
