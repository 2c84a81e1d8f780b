package api

// Event types: what the extension reports (docs/protocol.md, "events").
// The protocol, the store, the summary, the control API and the CLI all
// name them through these constants.
const (
	EventTabNavigated = "tab_navigated"
	EventTabActivated = "tab_activated"
	EventTabClosed    = "tab_closed"
	EventWindowFocus  = "window_focus"
	EventIdleState    = "idle_state"
	EventPrompt       = "prompt"
	EventFeedTime     = "feed_time"
	EventBreakAttempt = "break_attempt"
	EventBreakNote    = "break_note"
	EventAccess       = "access"
)

// EventTypes lists every event type.
var EventTypes = []string{EventAccess, EventBreakAttempt, EventBreakNote, EventFeedTime, EventIdleState, EventPrompt, EventTabActivated, EventTabClosed, EventTabNavigated, EventWindowFocus}

// EventFields are what an event says beyond its id, time, type and site:
// the fields that depend on its type. It is declared once and embedded in
// every shape an event takes (the wire's protocol.Event, the store's
// store.Event, the control API's Event and the sync records), so a new
// field is added here, to the store's columns and to docs/protocol.md, and
// every copy between them carries it without being touched.
//
// The JSON names are the wire names; every field is omitted when empty.
type EventFields struct {
	TabID    *int64 `json:"tab_id,omitempty"`
	WindowID *int64 `json:"window_id,omitempty"`
	// State is idle_state's "active", "idle" or "locked", or access's
	// "full" or "limited".
	State string `json:"state,omitempty"`

	// Feeds and prompts.
	FeedID          string   `json:"feed_id,omitempty"`
	Answer          string   `json:"answer,omitempty"`
	SecondsToAnswer *float64 `json:"seconds_to_answer,omitempty"`
	Purpose         string   `json:"purpose,omitempty"`
	TimeboxMinutes  *int64   `json:"timebox_minutes,omitempty"`
	Via             string   `json:"via,omitempty"`
	Extends         string   `json:"extends,omitempty"`
	PromptID        string   `json:"prompt_id,omitempty"` // feed_time: the prompt it belongs to
	Seconds         *float64 `json:"seconds,omitempty"`   // feed_time: seconds on the feed

	// Breaks.
	Note     string `json:"note,omitempty"`      // break_note: what the user wanted to look at
	BreakKey string `json:"break_key,omitempty"` // break_attempt, break_note: the break window

	// MissingHosts are an access event's sites that the extension needs
	// but may not act on.
	MissingHosts []string `json:"missing_hosts,omitempty"`
}
