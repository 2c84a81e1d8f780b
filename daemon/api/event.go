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
