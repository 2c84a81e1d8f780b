// Package api defines the JSON shapes of the daemon's local control API, the
// one that the CLI and the tray use (never the extension). It is the
// contract between daemon/internal/control and daemon/client, and the
// --json output of the CLI. Standard library only.
package api

import "time"

// Paths of the control API, all under /api/v1 and all requiring
// "Authorization: Bearer <control token>".
const (
	PathStatus  = "/api/v1/status"
	PathEvents  = "/api/v1/events"
	PathPairing = "/api/v1/pairing"
	PathApprove = "/api/v1/pairing/approve"
	PathRevoke  = "/api/v1/pairing/revoke"

	PathFeeds          = "/api/v1/feeds"
	PathFeedEnable     = "/api/v1/feeds/enable"
	PathFeedDisable    = "/api/v1/feeds/disable"
	PathPromptsPause   = "/api/v1/prompts/pause"
	PathPromptsResume  = "/api/v1/prompts/resume"
	PathPromptSettings = "/api/v1/prompts/settings"

	PathBreaks         = "/api/v1/breaks"
	PathBreakStart     = "/api/v1/breaks/start"
	PathBreakStopAsk   = "/api/v1/breaks/stop-request"
	PathBreakStop      = "/api/v1/breaks/stop"
	PathBreakSettings  = "/api/v1/breaks/settings"
	PathSchedule       = "/api/v1/schedule"
	PathScheduleRemove = "/api/v1/schedule/remove"

	// PathWatch streams the status as server-sent events: one "status"
	// event at once, then one after every change (CLI, schedule, browser).
	PathWatch = "/api/v1/watch"
)

// Status is GET /api/v1/status and `mindful status --json`.
type Status struct {
	Running         bool      `json:"running"`
	Version         string    `json:"version"`
	Addr            string    `json:"addr"`
	DataDir         string    `json:"data_dir,omitempty"`
	StartedAt       time.Time `json:"started_at,omitzero"`
	Clients         []Client  `json:"clients"`
	PendingPairings int       `json:"pending_pairings"`
	// PromptsPausedUntil is when a pause of prompts ends; null when
	// prompts are not paused.
	PromptsPausedUntil *time.Time `json:"prompts_paused_until"`
	// Break is the running break; Active is false when there is none.
	Break BreakStatus `json:"break"`
	// NextBreak is the next break after the running one, or null.
	NextBreak *NextBreak `json:"next_break"`
	// Today counts the answers to "Habit or need?" since the day began.
	Today Today `json:"today"`
	// Checkin is the evening check-in (see Checkin in dashboard.go).
	Checkin Checkin `json:"checkin"`
	// Sync is sharing with other devices (sync.go); null when off.
	Sync *SyncStatus `json:"sync,omitempty"`
	// Database is the health of the daemon's database file (absent when
	// the daemon is not running).
	Database *Database `json:"database,omitempty"`
}

// Database is the health of the daemon's database. When OK is false the
// daemon stores nothing (browsers keep their events until it can), and
// Problem and Todo say what is wrong and what to do.
type Database struct {
	OK   bool   `json:"ok"`
	Path string `json:"path"`
	// Problem is what is wrong ("the database is damaged: ..."), or "".
	Problem string `json:"problem,omitempty"`
	// Todo is what the user should do about it, or "".
	Todo string `json:"todo,omitempty"`
	// Since is when the daemon found the problem.
	Since *time.Time `json:"since,omitempty"`
}

// DBCheck is `mindful db check --json`.
type DBCheck struct {
	Path     string   `json:"path"`
	State    string   `json:"state"` // ok, missing, empty, damaged
	OK       bool     `json:"ok"`
	Size     int64    `json:"size"`
	Problem  string   `json:"problem,omitempty"`
	Problems []string `json:"problems,omitempty"` // quick_check's findings
	Todo     string   `json:"todo,omitempty"`
	Seconds  float64  `json:"seconds"`
}

// DBRecovery is `mindful db recover --json`.
type DBRecovery struct {
	Path        string            `json:"path"`
	DamagedCopy string            `json:"damaged_copy,omitempty"`
	Tables      []DBTableRecovery `json:"tables"`
	Seconds     float64           `json:"seconds"`
}

// DBTableRecovery is how many rows of one table `mindful db recover` saved.
type DBTableRecovery struct {
	Table    string `json:"table"`
	Saved    int64  `json:"saved"`
	Complete bool   `json:"complete"`          // false: some rows could not be read
	Skipped  string `json:"skipped,omitempty"` // why it was not copied
}

// Today is the day at a glance.
type Today struct {
	FeedOpens       int       `json:"feed_opens"`
	Habit           int       `json:"habit"`
	HabitContinued  int       `json:"habit_continued"`
	Need            int       `json:"need"`
	LeftDuringPause int       `json:"left_during_pause"`
	Since           time.Time `json:"since"`
}

// BreakStatus describes the running break. EndsAt is null for an
// open-ended break (break mode).
type BreakStatus struct {
	Active bool       `json:"active"`
	Name   string     `json:"name,omitempty"`
	EndsAt *time.Time `json:"ends_at,omitempty"`
	Locked bool       `json:"locked"`
}

// NextBreak is an upcoming break.
type NextBreak struct {
	Name     string     `json:"name"`
	StartsAt time.Time  `json:"starts_at"`
	EndsAt   *time.Time `json:"ends_at"`
	Locked   bool       `json:"locked"`
}

// BreakStartRequest is POST /api/v1/breaks/start. For is "15m", "1h",
// "rest-of-day", "until 08:00", or "" for an open-ended break.
type BreakStartRequest struct {
	For string `json:"for"`
	// Until, if set, ends the break at this time instead (starting a
	// scheduled break early lasts until its planned end).
	Until  *time.Time `json:"until,omitempty"`
	Name   string     `json:"name,omitempty"`
	Locked bool       `json:"locked,omitempty"`
}

// StopTicket answers POST /api/v1/breaks/stop-request: the break may be
// ended with this ticket from NotBefore on.
type StopTicket struct {
	Ticket    string     `json:"ticket"`
	NotBefore time.Time  `json:"not_before"`
	Name      string     `json:"name"`
	EndsAt    *time.Time `json:"ends_at"`
}

// StopRequest is POST /api/v1/breaks/stop.
type StopRequest struct {
	Ticket string `json:"ticket"`
	Reason string `json:"reason"`
}

// Breaks is GET /api/v1/breaks and `mindful break list --json`.
type Breaks struct {
	Active            BreakStatus `json:"active"`
	Next              *NextBreak  `json:"next"`
	Schedule          []Rule      `json:"schedule"`
	EarlyEndsThisWeek int         `json:"early_ends_this_week"`
	EarlyEndsPerWeek  int         `json:"early_ends_per_week"`
	Reason            string      `json:"reason"`
	Upcoming          []NextBreak `json:"upcoming"`
}

// Rule is a scheduled break; GET/POST /api/v1/schedule.
type Rule struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Start   string   `json:"start"`
	End     string   `json:"end"`
	Locked  bool     `json:"locked"`
	Sites   []string `json:"sites,omitempty"`
	Enabled bool     `json:"enabled"`
}

// BreakSettings is POST /api/v1/breaks/settings; a null field is kept.
type BreakSettings struct {
	Reason           *string `json:"reason"`
	EarlyEndsPerWeek *int    `json:"early_ends_per_week"`
}

// Client is a paired browser profile.
type Client struct {
	ID             string     `json:"id"`
	Browser        string     `json:"browser"`
	BrowserVersion string     `json:"browser_version,omitempty"`
	ExtVersion     string     `json:"ext_version,omitempty"`
	Connected      bool       `json:"connected"`
	PairedAt       time.Time  `json:"paired_at"`
	LastSeen       *time.Time `json:"last_seen,omitempty"`
	// PairedVia is "code" (an approved pairing code) or "native" (the
	// native-messaging host).
	PairedVia string `json:"paired_via,omitempty"`
	// Access is "full" when the extension may act on every site it needs,
	// "limited" when the browser withholds some (MissingHosts names them:
	// their feeds are not asked about and breaks do not block them), and
	// "" until the extension has said.
	Access       string   `json:"access,omitempty"`
	MissingHosts []string `json:"missing_hosts,omitempty"`
}

// Event is one stored event; GET /api/v1/events and `mindful events --json`.
// ID is the extension's own idempotent event id, so a replay shows up as the
// same event.
type Event struct {
	ID     string    `json:"id"`
	TS     time.Time `json:"ts"`
	Client string    `json:"client"`
	Type   string    `json:"type"`
	Domain string    `json:"domain"`
	URL    string    `json:"url,omitempty"`
	EventFields
	ReceivedAt    time.Time `json:"received_at"`
	SecondsOnFeed *float64  `json:"seconds_on_feed,omitempty"`
}

// Feed is one feed of the effective catalog; GET /api/v1/feeds and
// `mindful feeds list --json`.
type Feed struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Hosts   []string `json:"hosts"`
	Paths   []string `json:"paths"`
	Enabled bool     `json:"enabled"`
	Builtin bool     `json:"builtin"`
}

// FeedRequest is POST /api/v1/feeds: add a feed, or hosts (and, when
// given, a name and paths) to an existing one.
type FeedRequest struct {
	ID    string   `json:"id"`
	Name  string   `json:"name,omitempty"`
	Hosts []string `json:"hosts,omitempty"`
	Paths []string `json:"paths,omitempty"`
}

// FeedID names a feed: POST /api/v1/feeds/enable and /disable.
type FeedID struct {
	ID string `json:"id"`
}

// PauseRequest is POST /api/v1/prompts/pause.
type PauseRequest struct {
	Until time.Time `json:"until"`
}

// PromptSettings is GET and POST /api/v1/prompts/settings. In a POST, a
// missing (null) field is left as it is.
type PromptSettings struct {
	PauseSeconds          *float64 `json:"pause_seconds"`
	DefaultTimeboxMinutes *int     `json:"default_timebox_minutes"`
	TimeboxesMinutes      []int    `json:"timeboxes_minutes,omitempty"`
}

// Pairing is GET /api/v1/pairing and `mindful pair list --json`.
type Pairing struct {
	Pending []PendingPairing `json:"pending"`
	Paired  []PairedClient   `json:"paired"`
}

// PendingPairing is a pairing request waiting for the user.
type PendingPairing struct {
	Code           string    `json:"code"`
	Browser        string    `json:"browser"`
	BrowserVersion string    `json:"browser_version,omitempty"`
	ClientID       string    `json:"client_id"`
	Origin         string    `json:"origin,omitempty"`
	RequestedAt    time.Time `json:"requested_at"`
	ExpiresAt      time.Time `json:"expires_at"`
}

// PairedClient is a paired browser.
type PairedClient struct {
	ID             string    `json:"id"`
	Browser        string    `json:"browser"`
	BrowserVersion string    `json:"browser_version,omitempty"`
	Origin         string    `json:"origin,omitempty"`
	Connected      bool      `json:"connected"`
	PairedAt       time.Time `json:"paired_at"`
	PairedVia      string    `json:"paired_via,omitempty"` // "code" or "native"
}

// ApproveRequest is the body of POST /api/v1/pairing/approve.
type ApproveRequest struct {
	Code string `json:"code"`
}

// RevokeRequest is the body of POST /api/v1/pairing/revoke. ID may be a
// unique prefix of a client id (at least 4 characters).
type RevokeRequest struct {
	ID string `json:"id"`
}

// Error is the body of every non-2xx answer.
type Error struct {
	Error string `json:"error"`
}
