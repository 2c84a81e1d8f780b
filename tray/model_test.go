package tray

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

var (
	zone = time.FixedZone("test", 2*3600)
	// now is Wednesday 2026-03-04 14:40 in zone.
	now = time.Date(2026, 3, 4, 14, 40, 0, 0, zone)
)

func at(hhmm string) *time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", "2026-03-04 "+hhmm, zone)
	if err != nil {
		panic(err)
	}
	return &t
}

// connected is a status with a connected browser: the normal state.
func connected() api.Status {
	return api.Status{Running: true, Clients: []api.Client{{ID: "c1", Browser: "chromium", Connected: true}}}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		80 * time.Minute:                 "1h 20m",
		79*time.Minute + 1*time.Second:   "1h 20m", // rounded up
		2 * time.Hour:                    "2h",
		35 * time.Minute:                 "35m",
		10 * time.Second:                 "1m",
		0:                                "1m",
		24*time.Hour + 30*time.Minute:    "24h 30m",
		59*time.Minute + 30*time.Second:  "1h",
		119*time.Minute + 59*time.Second: "2h",
	} {
		if got := English.duration(d); got != want {
			t.Errorf("duration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestNormal(t *testing.T) {
	st := connected()
	st.Today = api.Today{FeedOpens: 6, Habit: 3, HabitContinued: 1, Need: 2}
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	if m.Icon != IconNormal || m.Title != "" {
		t.Errorf("icon %v title %q, want normal and no title", m.Icon, m.Title)
	}
	want := map[ItemID]Item{
		ItemStatus:         {Label: "Today: 6 feed opens, 4 habit", Visible: true},
		ItemBreak15m:       {Label: "15 minutes", Enabled: true, Visible: true},
		ItemBreak1h:        {Label: "1 hour", Enabled: true, Visible: true},
		ItemBreakRestOfDay: {Label: "Rest of today", Enabled: true, Visible: true},
		ItemBreakMorning:   {Label: "Until tomorrow morning (08:00)", Enabled: true, Visible: true},
		ItemBreakMode:      {Label: "Break mode", Enabled: true, Visible: true},
		ItemPrompts:        {Label: "Pause prompts for 1 hour", Enabled: true, Visible: true},
		ItemReflection:     {Label: "Today's reflection…", Enabled: true, Visible: true},
		ItemDashboard:      {Label: "Open dashboard", Enabled: true, Visible: true},
		ItemPair:           {Label: "Pair a browser…", Enabled: true, Visible: true},
		ItemPairNone:       {Label: English.PairNone, Visible: true},
		ItemStartLogin:     {Label: "Start at login", Visible: true},
		ItemQuit:           {Label: "Quit mindful", Enabled: true, Visible: true},
	}
	for id, w := range want {
		got := m.Items[id]
		got.Action = Action{}
		if got != w {
			t.Errorf("item %d = %+v, want %+v", id, got, w)
		}
	}
	if m.Items[ItemHint].Visible {
		t.Error("the end-a-break hint shows with no break")
	}
	for i, it := range m.Scheduled() {
		if it.Visible {
			t.Errorf("scheduled slot %d visible with no schedule: %+v", i, it)
		}
	}
	for i, it := range m.Approvals() {
		if it.Visible {
			t.Errorf("pairing slot %d visible with no request: %+v", i, it)
		}
	}
	// The actions behind the items.
	for id, spec := range map[ItemID]string{ItemBreak15m: "15m", ItemBreak1h: "1h", ItemBreakRestOfDay: "rest-of-day", ItemBreakMorning: "until 08:00"} {
		a := m.Items[id].Action
		if a.Kind != ActStartBreak || a.Break.For != spec || a.Break.Until != nil {
			t.Errorf("item %d action %+v, want StartBreak{For: %q}", id, a, spec)
		}
	}
	if a := m.Items[ItemBreakMode].Action; a.Kind != ActStartBreak || a.Break.For != "" || a.Break.Until != nil {
		t.Errorf("break mode action %+v, want an open-ended break", a)
	}
	if a := m.Items[ItemPrompts].Action; a.Kind != ActPausePrompts || a.For != time.Hour {
		t.Errorf("pause action %+v", a)
	}
	if a := m.Items[ItemQuit].Action; a.Kind != ActQuit {
		t.Errorf("quit action %+v", a)
	}
}

func TestTodayWording(t *testing.T) {
	for _, c := range []struct {
		today api.Today
		want  string
	}{
		{api.Today{}, "Today: no feed opens yet"},
		{api.Today{FeedOpens: 1, Need: 1}, "Today: 1 feed open, 0 habit"},
		{api.Today{FeedOpens: 12, Habit: 10, LeftDuringPause: 2}, "Today: 12 feed opens, 10 habit"},
	} {
		st := connected()
		st.Today = c.today
		if got := Build(st, api.Breaks{}, api.Pairing{}, now).Items[ItemStatus].Label; got != c.want {
			t.Errorf("%+v: status %q, want %q", c.today, got, c.want)
		}
	}
}

func TestOnBreak(t *testing.T) {
	st := connected()
	st.Break = api.BreakStatus{Active: true, Name: "Break", EndsAt: at("16:00")}
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	if m.Icon != IconBreak || m.Title != "Break · 1h 20m" {
		t.Errorf("icon %v title %q, want break, \"Break · 1h 20m\"", m.Icon, m.Title)
	}
	if got := m.Items[ItemStatus].Label; got != "On break until 16:00" {
		t.Errorf("status %q", got)
	}
	if h := m.Items[ItemHint]; !h.Visible || h.Enabled || !strings.Contains(h.Label, "mindful break stop --reason") {
		t.Errorf("hint %+v, want a visible disabled how-to", h)
	}
	bm := m.Items[ItemBreakMode]
	if !bm.Checked || !bm.Enabled || bm.Action.Kind != ActKeepBreak {
		t.Errorf("break mode %+v, want checked, enabled, and unchecking keeps the break", bm)
	}
	// Taking a break on a break is allowed (it can only make it longer).
	if !m.Items[ItemBreak1h].Enabled {
		t.Error("Take a break disabled on a break")
	}
	// A break ending on another day names the day.
	st.Break.EndsAt = func() *time.Time { t := now.Add(20 * time.Hour); return &t }()
	m = Build(st, api.Breaks{}, api.Pairing{}, now)
	if got := m.Items[ItemStatus].Label; got != "On break until Thu 10:40" {
		t.Errorf("status %q", got)
	}
	if m.Title != "Break · 20h" {
		t.Errorf("title %q", m.Title)
	}
}

func TestBreakModeOpenEnded(t *testing.T) {
	st := connected()
	st.Break = api.BreakStatus{Active: true, Name: "Break mode"}
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	if m.Icon != IconBreak || m.Title != "Break mode" {
		t.Errorf("icon %v title %q", m.Icon, m.Title)
	}
	if got := m.Items[ItemStatus].Label; got != "On break until you end it" {
		t.Errorf("status %q", got)
	}
	if bm := m.Items[ItemBreakMode]; !bm.Checked || !bm.Enabled || bm.Action.Kind != ActKeepBreak {
		t.Errorf("break mode %+v", bm)
	}
}

func TestLockedBreakDisablesBreakMode(t *testing.T) {
	st := connected()
	st.Break = api.BreakStatus{Active: true, Name: "Evening", EndsAt: at("22:00"), Locked: true}
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	bm := m.Items[ItemBreakMode]
	if !bm.Checked || bm.Enabled {
		t.Errorf("break mode %+v, want checked and disabled", bm)
	}
	if h := m.Items[ItemHint]; !h.Visible || h.Label != "This break is locked until 22:00" {
		t.Errorf("hint %+v", h)
	}
	st.Break.EndsAt = nil
	if h := Build(st, api.Breaks{}, api.Pairing{}, now).Items[ItemHint]; h.Label != "This break is locked" {
		t.Errorf("hint %+v", h)
	}
}

func TestPaused(t *testing.T) {
	st := connected()
	st.PromptsPausedUntil = at("15:25")
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	if m.Icon != IconPaused || m.Title != "Paused · 45m" {
		t.Errorf("icon %v title %q", m.Icon, m.Title)
	}
	p := m.Items[ItemPrompts]
	if p.Label != "Resume prompts" || !p.Enabled || p.Action.Kind != ActResumePrompts {
		t.Errorf("prompts item %+v", p)
	}
	// A pause that has run out is no pause.
	st.PromptsPausedUntil = at("14:00")
	m = Build(st, api.Breaks{}, api.Pairing{}, now)
	if m.Icon != IconNormal || m.Items[ItemPrompts].Label != "Pause prompts for 1 hour" {
		t.Errorf("expired pause: icon %v prompts %q", m.Icon, m.Items[ItemPrompts].Label)
	}
	// A break outranks a pause.
	st.PromptsPausedUntil = at("15:25")
	st.Break = api.BreakStatus{Active: true, EndsAt: at("15:00")}
	if m := Build(st, api.Breaks{}, api.Pairing{}, now); m.Icon != IconBreak || m.Title != "Break · 20m" {
		t.Errorf("break and pause: icon %v title %q", m.Icon, m.Title)
	}
}

func TestAttention(t *testing.T) {
	// No browser paired or connected.
	st := api.Status{Running: true}
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	if m.Icon != IconAttention || m.Title != "No browser" {
		t.Errorf("no browser: icon %v title %q", m.Icon, m.Title)
	}
	st.Clients = []api.Client{{ID: "c1", Connected: false}}
	if m := Build(st, api.Breaks{}, api.Pairing{}, now); m.Icon != IconAttention {
		t.Errorf("paired but not connected: icon %v", m.Icon)
	}
	// A pairing request outranks a pause.
	st = connected()
	st.PromptsPausedUntil = at("15:00")
	st.PendingPairings = 1
	if m := Build(st, api.Breaks{}, api.Pairing{}, now); m.Icon != IconAttention || m.Title != "Pair browser?" {
		t.Errorf("pending pairing: icon %v title %q", m.Icon, m.Title)
	}
}

func TestPairingSlots(t *testing.T) {
	st := connected()
	var p api.Pairing
	for i, code := range []string{"042137", "111111", "222222", "333333", "444444", "555555", "666666"} {
		p.Pending = append(p.Pending, api.PendingPairing{Code: code, Browser: "chromium", ClientID: "x", ExpiresAt: now.Add(time.Duration(i+1) * time.Minute)})
	}
	p.Pending[1].Browser, p.Pending[1].Origin = "", "moz-extension://00000000-1111-4222-8333-444444444444"
	p.Pending[2].ExpiresAt = now.Add(-time.Second)                              // expired: not offered
	p.Pending[0].Origin = "chrome-extension://lbcebegdchechefjbefnojockkfhgifo" // mindful's pinned id: not shown
	p.Pending[3].Browser, p.Pending[3].Origin = "firefox", "moz-extension://7b0c1f52-3c5e-4d1a-9f6e-2a4b8c9d0e11"
	st.PendingPairings = len(p.Pending)
	m := Build(st, api.Breaks{}, p, now)
	if got := m.Items[ItemPair]; got.Label != "Pair a browser… (5 waiting)" || !got.Enabled {
		t.Errorf("pair submenu %+v", got)
	}
	if m.Items[ItemPairNone].Visible {
		t.Error("\"no browser is asking\" shows with requests waiting")
	}
	// The newest five of six live requests; no Origin is a local program.
	want := []string{"Approve 111111 (browser, moz-extension://00000000-1111-4222-8333-444444444444)", "Approve 333333 (firefox, moz-extension://7b0c1f52-3c5e-4d1a-9f6e-2a4b8c9d0e11)", "Approve 444444 (chromium, no origin: a local program)", "Approve 555555 (chromium, no origin: a local program)", "Approve 666666 (chromium, no origin: a local program)"}
	codes := []string{"111111", "333333", "444444", "555555", "666666"}
	for i, it := range m.Approvals() {
		if it.Label != want[i] || !it.Visible || !it.Enabled || it.Action.Kind != ActApprove || it.Action.Code != codes[i] {
			t.Errorf("slot %d = %+v, want %q", i, it, want[i])
		}
	}
	// Fewer requests: the other slots hide.
	p.Pending = p.Pending[:1]
	m = Build(st, api.Breaks{}, p, now)
	if !m.Approvals()[0].Visible || m.Approvals()[1].Visible {
		t.Errorf("one request: slots %+v", m.Approvals())
	}
}

func TestScheduledSlots(t *testing.T) {
	st := connected()
	mk := func(name, start, end string, locked bool) api.NextBreak {
		w := api.NextBreak{Name: name, StartsAt: *at(start), Locked: locked}
		if end != "" {
			w.EndsAt = at(end)
		}
		return w
	}
	tomorrow := func(w api.NextBreak) api.NextBreak {
		w.StartsAt = w.StartsAt.AddDate(0, 0, 1)
		e := w.EndsAt.AddDate(0, 0, 1)
		w.EndsAt = &e
		return w
	}
	farEnd := mk("Weekend", "18:00", "", false)
	e := now.Add(48 * time.Hour)
	farEnd.EndsAt = &e
	b := api.Breaks{Upcoming: []api.NextBreak{
		mk("Lunch", "12:00", "13:00", false),            // over: not offered
		mk("Now", "14:00", "15:00", false),              // running: not offered
		mk("Evening", "21:00", "22:00", true),           // offered
		mk("Open", "20:00", "", false),                  // no planned end: not offered
		farEnd,                                          // ends beyond 24 h: not offered
		tomorrow(mk("Evening", "21:00", "22:00", true)), // the same break again: once
		tomorrow(mk("Lunch", "12:00", "13:00", false)),
		tomorrow(mk("", "13:00", "14:00", false)),
	}}
	m := Build(st, b, api.Pairing{}, now)
	want := []string{"Start “Evening” now (until 22:00)", "Start “Lunch” now (until Thu 13:00)", "Start “Break” now (until Thu 14:00)"}
	slots := m.Scheduled()
	for i, w := range want {
		if slots[i].Label != w || !slots[i].Visible || !slots[i].Enabled {
			t.Errorf("slot %d = %+v, want %q", i, slots[i], w)
		}
	}
	for _, s := range slots[len(want):] {
		if s.Visible {
			t.Errorf("unused slot visible: %+v", s)
		}
	}
	a := slots[0].Action
	if a.Kind != ActStartBreak || a.Break.Name != "Evening" || a.Break.For != "" || a.Break.Until == nil || !a.Break.Until.Equal(*at("22:00")) {
		t.Errorf("slot 0 action %+v, want StartBreak{Until: 22:00, Name: Evening}", a)
	}
	// At most ScheduledSlots.
	b.Upcoming = nil
	for i := range 8 {
		w := mk(string(rune('A'+i)), "15:00", "16:00", false)
		b.Upcoming = append(b.Upcoming, w)
	}
	m = Build(st, b, api.Pairing{}, now)
	for i, s := range m.Scheduled() {
		if !s.Visible || !strings.Contains(s.Label, "“"+string(rune('A'+i))+"”") {
			t.Errorf("slot %d = %+v", i, s)
		}
	}
}

func TestLayout(t *testing.T) {
	// Every parent comes before its children and is itself top-level.
	for id, s := range Layout {
		if s.Parent == NoParent {
			continue
		}
		if s.Parent >= ItemID(id) || Layout[s.Parent].Parent != NoParent {
			t.Errorf("item %d has parent %d", id, s.Parent)
		}
		if s.SepBefore {
			t.Errorf("item %d in a submenu has a separator", id)
		}
	}
	// Every item gets a label when visible.
	st := connected()
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	for id, it := range m.Items {
		if it.Visible && it.Label == "" {
			t.Errorf("item %d visible without a label", id)
		}
	}
}

func TestIcons(t *testing.T) {
	seen := map[string]IconID{}
	for id := range NumIcons {
		b := IconPNG(id)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("icon %v: %v", id, err)
		}
		if s := img.Bounds().Size(); s.X != iconSize || s.Y != iconSize {
			t.Errorf("icon %v is %v", id, s)
		}
		// Transparent corners, an opaque middle.
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("icon %v: corner not transparent", id)
		}
		if _, _, _, a := img.At(iconSize/2, iconSize/8).RGBA(); a != 0xffff {
			t.Errorf("icon %v: disc not opaque", id)
		}
		if other, ok := seen[string(b)]; ok {
			t.Errorf("icons %v and %v are the same", id, other)
		}
		seen[string(b)] = id
	}
	if !bytes.Equal(IconPNG(IconBreak), IconPNG(IconBreak)) {
		t.Error("icons change between calls")
	}
}

func TestReflectionAndStartAtLogin(t *testing.T) {
	st := connected()
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	if a := m.Items[ItemReflection].Action; a.Kind != ActDashboard || a.Page != "today" || a.Date != "" {
		t.Errorf("reflection action %+v", a)
	}
	if a := m.Items[ItemDashboard].Action; a.Kind != ActDashboard || a.Page != "history" {
		t.Errorf("dashboard action %+v", a)
	}
	st.Checkin = api.Checkin{Due: true, Date: "2026-03-03"}
	m = Build(st, api.Breaks{}, api.Pairing{}, now)
	if it := m.Items[ItemReflection]; it.Label != "Today's reflection… (waiting for you)" || it.Action.Date != "2026-03-03" {
		t.Errorf("due reflection %+v", it)
	}
	if it := m.Items[ItemStartLogin]; it.Enabled || it.Checked {
		t.Errorf("start at login before it is known: %+v", it)
	}
	m.SetAutostart(true, false)
	if it := m.Items[ItemStartLogin]; !it.Enabled || it.Checked || it.Action != (Action{Kind: ActAutostart, On: true}) {
		t.Errorf("start at login off: %+v", it)
	}
	m.SetAutostart(true, true)
	if it := m.Items[ItemStartLogin]; !it.Checked || it.Action.On {
		t.Errorf("start at login on: %+v", it)
	}
	m.SetAutostart(false, true)
	if it := m.Items[ItemStartLogin]; it.Enabled || it.Checked || it.Action.Kind != ActNone {
		t.Errorf("start at login unknown: %+v", it)
	}
}

// TestDatabaseProblem: a daemon that cannot use its database says so at the
// top of the menu, with the file and what to do, before anything else
// (even a break), and once as a notification.
func TestDatabaseProblem(t *testing.T) {
	st := connected()
	st.Break = api.BreakStatus{Active: true, EndsAt: at("15:30")}
	st.Database = &api.Database{Path: "/home/u/.local/share/mindful/mindful.db",
		Problem: "the database is damaged: database disk image is malformed", Todo: "quit mindful, then run `mindful db recover`"}
	m := Build(st, api.Breaks{}, api.Pairing{}, now)
	if got := m.Items[ItemStatus].Label; got != "Database problem: /home/u/.local/share/mindful/mindful.db" {
		t.Fatalf("status line %q", got)
	}
	hint := m.Items[ItemHint]
	if !hint.Visible || !strings.Contains(hint.Label, "`mindful db recover`") || !strings.HasPrefix(hint.Label, "Nothing is stored") {
		t.Fatalf("hint %+v", hint)
	}
	if m.Icon != IconAttention || m.Title != "Database problem" {
		t.Fatalf("icon %v, title %q", m.Icon, m.Title)
	}
	seen := map[string]bool{}
	ns := notices(&English, nil, st, api.Pairing{}, seen, now)
	if len(ns) != 1 || ns[0].key != "database" || !strings.Contains(ns[0].body, "malformed") ||
		!strings.Contains(ns[0].body, "mindful.db") || !strings.Contains(ns[0].body, "db recover") {
		t.Fatalf("notices %+v", ns)
	}
	if again := notices(&English, &st, st, api.Pairing{}, seen, now); len(again) != 0 {
		t.Fatalf("notified twice: %+v", again)
	}
	// A healthy database (and the empty status before the first one)
	// shows nothing of it.
	st.Database = &api.Database{OK: true, Path: "/x/mindful.db"}
	if m := Build(st, api.Breaks{}, api.Pairing{}, now); strings.Contains(m.Items[ItemStatus].Label, "Database") || m.Title == "Database problem" {
		t.Fatalf("healthy: %+v", m.Items[ItemStatus])
	}
	if m := Build(api.Status{}, api.Breaks{}, api.Pairing{}, now); m.Title == "Database problem" {
		t.Fatal("the empty status reads as a database problem")
	}
}
