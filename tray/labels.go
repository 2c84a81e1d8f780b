package tray

import (
	"fmt"
	"time"
)

// Labels holds every text the tray shows: menu items, the title next to the
// icon and the desktop notifications. It is the one place to translate.
//
// Fields ending in "f" are fmt formats; their verbs are listed beside them.
// Time formats are Go reference layouts.
type Labels struct {
	// Title next to the icon (Linux shows it; tooltips do nothing there).
	TitleBreakf       string // "Break · %s": time left
	TitleBreakMode    string
	TitlePausedf      string // "Paused · %s": time left
	TitlePair         string // a browser waits for approval
	TitleNoBrowser    string // no browser is connected
	TitleDatabase     string // the database cannot be used
	TitleNormal       string
	Tooltip           string
	DurationHoursMinf string // "%dh %dm"
	DurationHoursf    string // "%dh"
	DurationMinutesf  string // "%dm"

	// The status line at the top of the menu.
	StatusBreakUntilf string // "On break until %s": end time
	StatusBreakMode   string
	StatusTodayNone   string
	StatusTodayf      string // "Today: %s, %d habit": feed opens (see FeedOpens), habit answers
	FeedOpenOnef      string // "%d feed open"
	FeedOpensf        string // "%d feed opens"
	HintEndEarly      string // how to end a break early (the friction lives elsewhere)
	HintLockedUntilf  string // "Locked until %s"
	HintLockedOpen    string
	StatusDatabasef   string // "Database problem: %s": the file
	HintDatabasef     string // "Nothing is stored. %s": what to do
	TimeToday         string // layout for an end time today: "15:04"
	TimeOtherDay      string // layout for an end time on another day: "Mon 15:04"

	TakeBreak          string
	Break15m           string
	Break1h            string
	BreakRestOfDay     string
	BreakMorning       string
	BreakScheduledf    string // "Start “%s” now (until %s)": name, planned end
	BreakMode          string
	PausePrompts       string
	ResumePrompts      string
	Reflection         string
	ReflectionDue      string
	Dashboard          string
	PairBrowser        string
	PairBrowserNf      string // "Pair a browser… (%d waiting)"
	PairNone           string
	Approvef           string // "Approve %s (%s)": code, browser
	StartAtLogin       string
	Quit               string
	UnnamedBreak       string
	UnknownBrowser     string
	NoOrigin           string // a pairing request that sent no Origin
	NotifyApp          string
	NotifyBreakStart   string
	NotifyBreakUntilf  string // "Until %s. Your feeds stay closed until then."
	NotifyBreakOpen    string
	NotifyBreakEnd     string
	NotifyBreakEndBody string
	NotifyPairf        string // "%s asks to pair": browser
	NotifyPairBodyf    string // "Approve it in the tray menu only if your browser shows %s.": code
	NotifyDatabase     string
	NotifyDatabasef    string // "%s (%s). %s": problem, file, what to do
	NotifyCheckin      string
	NotifyCheckinBody  string
	NotifyKeepBreak    string
	NotifyFailedf      string // "Could not %s: %v": one of the Fail… below, the error
	FailStartBreak     string
	FailPause          string
	FailResume         string
	FailApprove        string
	FailDashboard      string
	FailAutostart      string
}

// English is the default (and so far the only) set of labels.
var English = Labels{
	TitleBreakf:       "Break · %s",
	TitleBreakMode:    "Break mode",
	TitlePausedf:      "Paused · %s",
	TitlePair:         "Pair browser?",
	TitleNoBrowser:    "No browser",
	TitleDatabase:     "Database problem",
	StatusDatabasef:   "Database problem: %s",
	HintDatabasef:     "Nothing is stored until it is fixed: %s",
	TitleNormal:       "",
	Tooltip:           "mindful",
	DurationHoursMinf: "%dh %dm",
	DurationHoursf:    "%dh",
	DurationMinutesf:  "%dm",

	StatusBreakUntilf: "On break until %s",
	StatusBreakMode:   "On break until you end it",
	StatusTodayNone:   "Today: no feed opens yet",
	StatusTodayf:      "Today: %s, %d habit",
	FeedOpenOnef:      "%d feed open",
	FeedOpensf:        "%d feed opens",
	HintEndEarly:      "End it on the break page in your browser, or: mindful break stop --reason …",
	HintLockedUntilf:  "This break is locked until %s",
	HintLockedOpen:    "This break is locked",
	TimeToday:         "15:04",
	TimeOtherDay:      "Mon 15:04",

	TakeBreak:          "Take a break",
	Break15m:           "15 minutes",
	Break1h:            "1 hour",
	BreakRestOfDay:     "Rest of today",
	BreakMorning:       "Until tomorrow morning (08:00)",
	BreakScheduledf:    "Start “%s” now (until %s)",
	BreakMode:          "Break mode",
	PausePrompts:       "Pause prompts for 1 hour",
	ResumePrompts:      "Resume prompts",
	Reflection:         "Today's reflection…",
	ReflectionDue:      "Today's reflection… (waiting for you)",
	Dashboard:          "Open dashboard",
	PairBrowser:        "Pair a browser…",
	PairBrowserNf:      "Pair a browser… (%d waiting)",
	PairNone:           "No browser is asking: open the mindful extension to get a code",
	Approvef:           "Approve %s (%s)",
	StartAtLogin:       "Start at login",
	Quit:               "Quit mindful",
	UnnamedBreak:       "Break",
	UnknownBrowser:     "browser",
	NoOrigin:           "no origin: a local program",
	NotifyApp:          "mindful",
	NotifyBreakStart:   "Break started",
	NotifyBreakUntilf:  "Until %s. Your feeds stay closed until then.",
	NotifyBreakOpen:    "Break mode is on. Your feeds stay closed until you end it.",
	NotifyBreakEnd:     "Break over",
	NotifyBreakEndBody: "Welcome back.",
	NotifyPairf:        "%s asks to pair with mindful",
	NotifyPairBodyf:    "Approve it in the tray menu (Pair a browser…) only if your browser shows %s.",
	NotifyDatabase:     "mindful cannot use its database",
	NotifyDatabasef:    "%s (%s). Nothing is stored; your browsers keep their events. To fix it: %s.",
	NotifyCheckin:      "What did you notice today?",
	NotifyCheckinBody:  "Your day with feeds is ready: open “Today's reflection…” in the mindful menu.",
	NotifyKeepBreak:    "Your break goes on",
	NotifyFailedf:      "Could not %s: %v",
	FailStartBreak:     "start the break",
	FailPause:          "pause prompts",
	FailResume:         "resume prompts",
	FailDashboard:      "open the dashboard",
	FailAutostart:      "change start at login",
	FailApprove:        "approve the pairing",
}

// duration formats a time left as "1h 20m", "2h" or "35m", rounding up to
// the minute so that a running break never shows "0m".
func (l *Labels) duration(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	h, m := m/60, m%60
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf(l.DurationHoursMinf, h, m)
	case h > 0:
		return fmt.Sprintf(l.DurationHoursf, h)
	}
	return fmt.Sprintf(l.DurationMinutesf, m)
}

// clock formats t in now's zone: "16:00" today, "Sat 16:00" on another day.
func (l *Labels) clock(t, now time.Time) string {
	t = t.In(now.Location())
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	if y1 == y2 && m1 == m2 && d1 == d2 {
		return t.Format(l.TimeToday)
	}
	return t.Format(l.TimeOtherDay)
}

func (l *Labels) feedOpens(n int) string {
	if n == 1 {
		return fmt.Sprintf(l.FeedOpenOnef, n)
	}
	return fmt.Sprintf(l.FeedOpensf, n)
}
