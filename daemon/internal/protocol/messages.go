package protocol

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/feeds"
)

// Browsers a client may name itself as.
var Browsers = []string{"brave", "chrome", "chromium", "edge", "firefox", "firefox-esr", "gecko", "opera", "unknown", "vivaldi"}

// ClientInfo is what pair_request and hello say about the client.
type ClientInfo struct {
	ClientID       string `json:"client_id"`
	Browser        string `json:"browser"`
	BrowserVersion string `json:"browser_version"`
	ExtVersion     string `json:"ext_version"`
}

func (c *ClientInfo) validate() *Error {
	if err := checkText("client_id", c.ClientID, true, 64); err != nil {
		return err
	}
	if !clientIDRe.MatchString(c.ClientID) {
		return errf(CodeInvalid, "client_id", "must be 8–64 letters, digits or '-'")
	}
	if !contains(Browsers, c.Browser) {
		return errf(CodeInvalid, "browser", "unknown browser %q (one of %s)", c.Browser, strings.Join(Browsers, ", "))
	}
	if err := checkText("browser_version", c.BrowserVersion, false, 64); err != nil {
		return err
	}
	return checkText("ext_version", c.ExtVersion, false, 64)
}

var clientIDRe = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// PairRequest is the body of pair_request.
type PairRequest struct {
	ClientInfo
}

// DecodePairRequest decodes and validates a pair_request body.
func DecodePairRequest(body []byte) (PairRequest, *Error) {
	var p PairRequest
	if err := decodeBody(body, &p, ""); err != nil {
		return p, err
	}
	return p, p.validate()
}

// Hello is the body of hello.
type Hello struct {
	Token string `json:"token"`
	ClientInfo
}

// DecodeHello decodes and validates a hello body.
func DecodeHello(body []byte) (Hello, *Error) {
	var h Hello
	if err := decodeBody(body, &h, ""); err != nil {
		return h, err
	}
	if h.Token == "" {
		return h, errf(CodeInvalid, "token", "missing")
	}
	if !tokenRe.MatchString(h.Token) {
		return h, errf(CodeInvalid, "token", "must be 64 lower-case hex digits")
	}
	return h, h.validate()
}

var tokenRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// MaxNoteLen bounds a break-page note.
const MaxNoteLen = 2000

// Answers to "Habit or need?".
const (
	AnswerHabit           = "habit"
	AnswerHabitContinued  = "habit_continued"
	AnswerNeed            = "need"
	AnswerLeftDuringPause = "left_during_pause"
)

// Answers lists every answer.
var Answers = []string{AnswerHabit, AnswerHabitContinued, AnswerLeftDuringPause, AnswerNeed}

// Vias lists how a prompt was shown.
var Vias = []string{"navigation", "spa"}

// Limits of prompt fields.
const (
	MaxPurposeLen  = 500
	MaxTimeboxMins = 240
)

// Access states: the extension may act on every site it needs, or not.
const (
	AccessFull    = "full"
	AccessLimited = "limited"
)

// MaxAccessHosts bounds an access event's missing_hosts.
const MaxAccessHosts = 200

// IdleStates lists the values of idle_state's state.
var IdleStates = []string{"active", "idle", "locked"}

// Event is one event as sent on the wire: its id, time, type and site, and
// the fields of its type.
type Event struct {
	ID     string `json:"id"`
	TS     string `json:"ts"`
	Type   string `json:"type"`
	Domain string `json:"domain,omitempty"`
	URL    string `json:"url,omitempty"`
	api.EventFields
}

// ValidEvent is an event that passed validation, with its time parsed and
// its URL reduced to scheme, host and path.
type ValidEvent struct {
	Event
	Time time.Time
}

// Rejected is an event that can never be stored, and why.
type Rejected struct {
	ID      string `json:"id"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// EventsBody is the body of events, decoded.
type EventsBody struct {
	Valid    []ValidEvent
	Rejected []Rejected
}

// DecodeEvents decodes an events body. A body that is not an object with a
// 1..MaxBatch array "events" is an error; single bad events are returned in
// Rejected so the rest of the batch can be stored. now bounds timestamps from
// the future.
func DecodeEvents(body []byte, now time.Time) (EventsBody, *Error) {
	var raw struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := decodeBody(body, &raw, ""); err != nil {
		return EventsBody{}, err
	}
	if raw.Events == nil {
		return EventsBody{}, errf(CodeInvalid, "events", "missing")
	}
	if n := len(raw.Events); n == 0 || n > MaxBatch {
		return EventsBody{}, errf(CodeInvalid, "events", "must hold 1 to %d events, not %d", MaxBatch, n)
	}
	var out EventsBody
	seen := make(map[string]bool, len(raw.Events))
	for i, r := range raw.Events {
		// An event's errors are put under its place in the batch
		// ("events[2].tab_id") only when there is one: building the
		// name for every event would cost allocations on the hot path.
		at := func() string { return fmt.Sprintf("events[%d]", i) }
		var e Event
		if err := decodeBody(r, &e, ""); err != nil {
			err = err.under(at())
			if e.ID == "" {
				// Without an id the extension cannot drop it from its
				// queue, so the whole batch is wrong.
				return EventsBody{}, err
			}
			out.Rejected = append(out.Rejected, Rejected{ID: e.ID, Field: err.Field, Message: err.Message})
			continue
		}
		if err := checkText("id", e.ID, true, MaxIDLen); err != nil {
			return EventsBody{}, err.under(at())
		}
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		v, err := validateEvent(e, now)
		if err != nil {
			err = err.under(at())
			out.Rejected = append(out.Rejected, Rejected{ID: e.ID, Field: err.Field, Message: err.Message})
			continue
		}
		out.Valid = append(out.Valid, v)
	}
	return out, nil
}

// Timestamps older than this or further in the future than maxSkew are
// rejected: they can only be a broken clock or a broken client.
var (
	oldestTS = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	maxSkew  = 24 * time.Hour
)

// validateEvent checks one event; its errors name the event's own fields
// ("tab_id"), for DecodeEvents to put under the event's place in the batch.
func validateEvent(e Event, now time.Time) (ValidEvent, *Error) {
	t, err := time.Parse(time.RFC3339Nano, e.TS)
	if err != nil {
		return ValidEvent{}, errf(CodeInvalid, "ts", "not an RFC 3339 timestamp: %q", e.TS)
	}
	if t.Before(oldestTS) || t.After(now.Add(maxSkew)) {
		return ValidEvent{}, errf(CodeInvalid, "ts", "%s is out of range", e.TS)
	}
	need := func(name string, v *int64) *Error {
		if v == nil {
			return errf(CodeInvalid, name, "missing")
		}
		return nil
	}
	switch e.Type {
	case api.EventTabNavigated, api.EventTabActivated, api.EventTabClosed:
		if err := need("tab_id", e.TabID); err != nil {
			return ValidEvent{}, err
		}
		if err := need("window_id", e.WindowID); err != nil {
			return ValidEvent{}, err
		}
	case api.EventWindowFocus:
		if err := need("window_id", e.WindowID); err != nil {
			return ValidEvent{}, err
		}
	case api.EventIdleState:
		if !contains(IdleStates, e.State) {
			return ValidEvent{}, errf(CodeInvalid, "state", "must be one of %s, not %q", strings.Join(IdleStates, ", "), e.State)
		}
	case api.EventPrompt:
		if err := need("tab_id", e.TabID); err != nil {
			return ValidEvent{}, err
		}
		if e.FeedID == "" {
			return ValidEvent{}, errf(CodeInvalid, "feed_id", "missing")
		}
		if !contains(Answers, e.Answer) {
			return ValidEvent{}, errf(CodeInvalid, "answer", "must be one of %s, not %q", strings.Join(Answers, ", "), e.Answer)
		}
		if e.SecondsToAnswer == nil || *e.SecondsToAnswer < 0 || *e.SecondsToAnswer > 86400 {
			return ValidEvent{}, errf(CodeInvalid, "seconds_to_answer", "must be a number of seconds from 0 to 86400")
		}
		if e.Via != "" && !contains(Vias, e.Via) {
			return ValidEvent{}, errf(CodeInvalid, "via", "must be one of %s, not %q", strings.Join(Vias, ", "), e.Via)
		}
		if err := checkText("purpose", e.Purpose, false, MaxPurposeLen); err != nil {
			return ValidEvent{}, err
		}
		if e.Answer == AnswerNeed {
			if e.TimeboxMinutes == nil || *e.TimeboxMinutes < 1 || *e.TimeboxMinutes > MaxTimeboxMins {
				return ValidEvent{}, errf(CodeInvalid, "timebox_minutes", "a need needs a time box of 1 to %d minutes", MaxTimeboxMins)
			}
		} else if e.TimeboxMinutes != nil && (*e.TimeboxMinutes < 1 || *e.TimeboxMinutes > MaxTimeboxMins) {
			return ValidEvent{}, errf(CodeInvalid, "timebox_minutes", "must be 1 to %d minutes", MaxTimeboxMins)
		}
		if err := checkText("extends", e.Extends, false, MaxIDLen); err != nil {
			return ValidEvent{}, err
		}
	case api.EventFeedTime:
		if err := checkText("prompt_id", e.PromptID, true, MaxIDLen); err != nil {
			return ValidEvent{}, err
		}
		if e.FeedID == "" {
			return ValidEvent{}, errf(CodeInvalid, "feed_id", "missing")
		}
		if e.Seconds == nil || *e.Seconds < 0 || *e.Seconds > 86400 {
			return ValidEvent{}, errf(CodeInvalid, "seconds", "must be a number of seconds from 0 to 86400")
		}
	case api.EventBreakAttempt:
		if e.Domain == "" {
			return ValidEvent{}, errf(CodeInvalid, "domain", "missing")
		}
		if err := checkText("break_key", e.BreakKey, true, 128); err != nil {
			return ValidEvent{}, err
		}
	case api.EventBreakNote:
		if err := checkText("break_key", e.BreakKey, true, 128); err != nil {
			return ValidEvent{}, err
		}
		if strings.TrimSpace(e.Note) == "" {
			return ValidEvent{}, errf(CodeInvalid, "note", "missing")
		}
		if len(e.Note) > MaxNoteLen || !utf8.ValidString(e.Note) {
			return ValidEvent{}, errf(CodeInvalid, "note", "must be UTF-8 text of at most %d bytes", MaxNoteLen)
		}
	case api.EventAccess:
		if e.State != AccessFull && e.State != AccessLimited {
			return ValidEvent{}, errf(CodeInvalid, "state", "must be %s or %s", AccessFull, AccessLimited)
		}
		if len(e.MissingHosts) > MaxAccessHosts {
			return ValidEvent{}, errf(CodeInvalid, "missing_hosts", "at most %d hosts", MaxAccessHosts)
		}
		if (e.State == AccessFull) != (len(e.MissingHosts) == 0) {
			return ValidEvent{}, errf(CodeInvalid, "missing_hosts", "must be empty exactly when state is %s", AccessFull)
		}
		for _, h := range e.MissingHosts {
			if !domainRe.MatchString(h) {
				return ValidEvent{}, errf(CodeInvalid, "missing_hosts", "not a lower-case host name: %q", h)
			}
		}
	case "":
		return ValidEvent{}, errf(CodeInvalid, "type", "missing")
	default:
		return ValidEvent{}, errf(CodeInvalid, "type", "unknown event type %q", e.Type)
	}
	if e.FeedID != "" && !feeds.ValidID(e.FeedID) {
		return ValidEvent{}, errf(CodeInvalid, "feed_id", "not a feed id: %q", e.FeedID)
	}
	if e.Domain != "" && !domainRe.MatchString(e.Domain) {
		return ValidEvent{}, errf(CodeInvalid, "domain", "not a lower-case host name: %q", e.Domain)
	}
	if e.URL != "" {
		u, err := url.Parse(e.URL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return ValidEvent{}, errf(CodeInvalid, "url", "not an http(s) URL")
		}
		host := strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") {
			host = "[" + host + "]" // IPv6, written as domain spells it
		}
		if !domainRe.MatchString(host) {
			return ValidEvent{}, errf(CodeInvalid, "url", "host %q is not a host name", host)
		}
		if e.Domain == "" {
			e.Domain = host
		} else if host != e.Domain {
			return ValidEvent{}, errf(CodeInvalid, "url", "host %q does not match domain %q", host, e.Domain)
		}
		// Never keep a query or fragment, whatever the client sent.
		e.URL = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	}
	return ValidEvent{Event: e, Time: t.UTC()}, nil
}

var domainRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$|^\[[0-9a-f:.]+\]$`)

// BreakStop is the body of break_stop.
type BreakStop struct {
	Ticket string `json:"ticket"`
	Reason string `json:"reason"`
}

// DecodeBreakStop decodes and validates a break_stop body.
func DecodeBreakStop(body []byte) (BreakStop, *Error) {
	var b BreakStop
	if err := decodeBody(body, &b, ""); err != nil {
		return b, err
	}
	if err := checkText("ticket", b.Ticket, true, 64); err != nil {
		return b, err
	}
	if strings.TrimSpace(b.Reason) == "" {
		return b, errf(CodeInvalid, "reason", "missing: say in a few words why you end this break early")
	}
	if len(b.Reason) > 500 || !utf8.ValidString(b.Reason) {
		return b, errf(CodeInvalid, "reason", "must be UTF-8 text of at most 500 bytes")
	}
	return b, nil
}

// BreakStopTicket is the body of break_stop_ticket.
type BreakStopTicket struct {
	Ticket    string     `json:"ticket"`
	NotBefore time.Time  `json:"not_before"`
	Name      string     `json:"name"`
	End       *time.Time `json:"end"`
}

// BreakStopped is the body of break_stopped.
type BreakStopped struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// Bodies the daemon sends.

// PairPending is the body of pair_pending.
type PairPending struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Paired is the body of paired.
type Paired struct {
	ClientID string `json:"client_id"`
	Token    string `json:"token"`
}

// Welcome is the body of welcome.
type Welcome struct {
	ClientID       string `json:"client_id"`
	DaemonVersion  string `json:"daemon_version"`
	PingIntervalMS int64  `json:"ping_interval_ms"`
	MaxBatch       int    `json:"max_batch"`
	State          State  `json:"state"`
}

// State is what the extension caches: the body of state and welcome.state.
type State struct {
	Feeds              []Feed         `json:"feeds"`
	Prompt             PromptSettings `json:"prompt"`
	PromptsPausedUntil *time.Time     `json:"prompts_paused_until"`
	HabitOpensToday    int            `json:"habit_opens_today"`
	DayStart           time.Time      `json:"day_start"`
	// Today counts the answers since DayStart, for the popup.
	Today Today `json:"today"`

	// Breaks of the coming days, for the extension to enforce on its own;
	// BreaksUntil is how far ahead they are known.
	Breaks      []Break      `json:"breaks"`
	BreaksUntil time.Time    `json:"breaks_until"`
	BreakReason string       `json:"break_reason"`
	EarlyEnd    EarlyEndRule `json:"early_end"`
}

// Today is the day at a glance: answers to "Habit or need?" since the day
// began.
type Today struct {
	FeedOpens       int `json:"feed_opens"`
	Habit           int `json:"habit"`
	HabitContinued  int `json:"habit_continued"`
	Need            int `json:"need"`
	LeftDuringPause int `json:"left_during_pause"`
}

// Break is one break window: the sites are blocked from Start to End (no
// End: until the user ends it).
type Break struct {
	Key    string     `json:"key"`
	Name   string     `json:"name"`
	Start  time.Time  `json:"start"`
	End    *time.Time `json:"end"`
	Locked bool       `json:"locked"`
	Sites  []string   `json:"sites"`
}

// EarlyEndRule says how ending a break early works.
type EarlyEndRule struct {
	WaitSeconds  int `json:"wait_seconds"`
	LeftThisWeek int `json:"left_this_week"`
}

// Feed is one feed of the catalog (docs/feeds.md).
type Feed struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Hosts   []string `json:"hosts"`
	Paths   []string `json:"paths"`
	Enabled bool     `json:"enabled"`
}

// PromptSettings configure the prompt.
type PromptSettings struct {
	PauseSeconds          float64 `json:"pause_seconds"`
	PauseStepSeconds      float64 `json:"pause_step_seconds"`
	PauseMaxSeconds       float64 `json:"pause_max_seconds"`
	DefaultTimeboxMinutes int     `json:"default_timebox_minutes"`
	TimeboxesMinutes      []int   `json:"timeboxes_minutes"`
}

// Ack is the body of ack.
type Ack struct {
	IDs      []string   `json:"ids"`
	Rejected []Rejected `json:"rejected,omitempty"`
}

// Empty is the body of ping and pong.
type Empty struct{}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
