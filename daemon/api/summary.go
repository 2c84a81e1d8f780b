package api

import "time"

// Paths of the daily summary and of the user's data.
const (
	// PathSummary is GET /api/v1/summary?date=YYYY-MM-DD (default today)
	// or ?from=YYYY-MM-DD&to=YYYY-MM-DD (a []Summary, oldest first), or
	// ?week=1[&date=...] (a Week ending with date).
	PathSummary = "/api/v1/summary"
	// PathReflection is POST: the evening reflection answer of a day.
	PathReflection = "/api/v1/summary/reflection"
	// PathExport is GET /api/v1/export?format=json|csv: everything stored.
	PathExport = "/api/v1/export"
	// PathDeleteAll is POST with {"confirm": "delete everything"}.
	PathDeleteAll = "/api/v1/delete-all"
)

// DeleteAllConfirm is the confirmation text POST /api/v1/delete-all wants.
const DeleteAllConfirm = "delete everything"

// Summary is one day: from the user's day start (default 04:00 local time)
// to the next one. It is `mindful summary --json`; docs/summary.md
// describes every field. Seconds count only time with the feed's tab active
// in a focused window while the user was not idle.
type Summary struct {
	Date  string    `json:"date"` // YYYY-MM-DD, the calendar date the day starts on
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Opens Opens     `json:"opens"`
	// Feeds are the feeds opened or looked at this day, most time first.
	Feeds          []FeedDay `json:"feeds"`
	SecondsOnFeeds int64     `json:"seconds_on_feeds"`
	// Needs are the "need" opens: the time box against the time taken.
	Needs  []NeedOpen `json:"needs"`
	Breaks BreakDay   `json:"breaks"`
	// Usual compares the day with the user's own average of the 7 days
	// before it; null when there is no earlier data.
	Usual *Usual `json:"usual"`
	// Notes are the notes jotted on the break page.
	Notes      []Note `json:"notes"`
	Reflection string `json:"reflection"`
	// Devices breaks the day down by device when it is shared with other
	// computers (sync.go); absent otherwise.
	Devices []SummaryDevice `json:"devices,omitempty"`
}

// Opens counts feed opens by answer to "Habit or need?".
type Opens struct {
	Total           int `json:"total"`
	Habit           int `json:"habit"`
	HabitContinued  int `json:"habit_continued"`
	Need            int `json:"need"`
	LeftDuringPause int `json:"left_during_pause"`
}

// FeedDay is one feed's day.
type FeedDay struct {
	ID              string `json:"id"`
	Opens           int    `json:"opens"`
	Habit           int    `json:"habit"`
	HabitContinued  int    `json:"habit_continued"`
	Need            int    `json:"need"`
	LeftDuringPause int    `json:"left_during_pause"`
	Seconds         int64  `json:"seconds"`
}

// NeedOpen is one "need" answer: what for, the time box, the time taken.
type NeedOpen struct {
	At             time.Time `json:"at"`
	FeedID         string    `json:"feed_id"`
	Purpose        string    `json:"purpose"`
	TimeboxMinutes int64     `json:"timebox_minutes"`
	// SecondsOnFeed is the time the browser measured under this answer
	// (and the answers that extended it); OverSeconds is how much of it
	// went past the time box (0 when within).
	SecondsOnFeed int64 `json:"seconds_on_feed"`
	OverSeconds   int64 `json:"over_seconds"`
	Extended      bool  `json:"extended"` // a later answer extended this one
}

// BreakDay is the day's breaks.
type BreakDay struct {
	Planned    int          `json:"planned"`     // break windows that overlapped the day
	Kept       int          `json:"kept"`        // ran to their planned end (by now)
	EndedEarly int          `json:"ended_early"` // ended early, with a reason
	Windows    []BreakEntry `json:"windows"`
	// Attempts counts blocked visits during breaks, per site.
	Attempts []SiteCount `json:"attempts"`
	// NotEnforced are the parts of the day's breaks that a paired browser
	// did not enforce: it was not connected to the daemon, or it was but
	// lacked access to sites it needed (Reason "not_connected" or
	// "limited_access"; Browser names it). Before any browser is paired,
	// they are the parts during which no browser was connected (Browser
	// and Client empty).
	NotEnforced []Period `json:"not_enforced"`
}

// BreakEntry is one break window.
type BreakEntry struct {
	Name       string     `json:"name"`
	Start      time.Time  `json:"start"`
	End        *time.Time `json:"end"` // null: open-ended (break mode)
	PlannedEnd *time.Time `json:"planned_end,omitempty"`
	EndedEarly bool       `json:"ended_early"`
	Reason     string     `json:"reason,omitempty"`
	Running    bool       `json:"running,omitempty"`
}

// SiteCount is a count per site.
type SiteCount struct {
	Domain string `json:"domain"`
	Count  int    `json:"count"`
}

// Period is a span of time; in not_enforced, also whose and why.
type Period struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Seconds int64     `json:"seconds"`
	Client  string    `json:"client,omitempty"`  // the browser's client id
	Browser string    `json:"browser,omitempty"` // e.g. "Firefox ESR"
	Reason  string    `json:"reason,omitempty"`  // not_connected, limited_access
}

// Reasons a break was not enforced in a browser.
const (
	NotConnected  = "not_connected"
	LimitedAccess = "limited_access"
)

// Usual is the day against the average of the days before it.
type Usual struct {
	Days           int     `json:"days"` // days averaged (up to 7; days before the first data are left out)
	Opens          float64 `json:"opens"`
	SecondsOnFeeds float64 `json:"seconds_on_feeds"`
	// OpensDiff is this day's opens minus the rounded average (negative:
	// fewer than usual).
	OpensDiff int `json:"opens_diff"`
	// Text says it in words: "9 opens, 4 fewer than your usual".
	Text string `json:"text"`
	// SoFar is true for a day that is not over (today): Opens is then the
	// average by the same time of day, and Text says "so far".
	SoFar bool `json:"so_far"`
}

// Note is a note jotted on the break page.
type Note struct {
	At   time.Time `json:"at"`
	Note string    `json:"note"`
}

// Week is `mindful summary --week --json` and GET /api/v1/summary?week=1:
// the 7 days ending with To, oldest first, and their totals.
type Week struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Days   []Summary `json:"days"`
	Totals Totals    `json:"totals"`
}

// Totals add up several days.
type Totals struct {
	Opens          Opens     `json:"opens"`
	Feeds          []FeedDay `json:"feeds"`
	SecondsOnFeeds int64     `json:"seconds_on_feeds"`
	Breaks         struct {
		Planned    int `json:"planned"`
		Kept       int `json:"kept"`
		EndedEarly int `json:"ended_early"`
	} `json:"breaks"`
	// AvgOpens is the average opens per day over the days.
	AvgOpens float64 `json:"avg_opens"`
}

// ReflectionRequest is POST /api/v1/summary/reflection. Date "" is today.
type ReflectionRequest struct {
	Date string `json:"date"`
	Text string `json:"text"`
}

// DeleteAllRequest is POST /api/v1/delete-all.
type DeleteAllRequest struct {
	Confirm string `json:"confirm"`
}
