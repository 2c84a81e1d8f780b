package tray

import (
	"fmt"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// The menu is a fixed list of items: getlantern/systray can add items and
// hide them, never remove them. Items that come and go (scheduled breaks
// to start early, pairing requests) use a fixed number of slots that are
// shown, hidden and relabelled.
//
//	Status line                          (disabled)
//	Hint: how to end the break           (disabled, only on a break)
//	────────────
//	Take a break ▸  15 minutes
//	                1 hour
//	                Rest of today
//	                Until tomorrow morning (08:00)
//	                Start “Evening” now (until 22:00)   × ScheduledSlots
//	☐ Break mode
//	Pause prompts for 1 hour | Resume prompts
//	────────────
//	Today's reflection…                  ("waiting" while the check-in is due)
//	Open dashboard
//	────────────
//	Pair a browser… ▸  No browser is asking…  (only when none is)
//	                   Approve 042137 (chromium)         × PairingSlots
//	☐ Start at login                     (disabled where it cannot be read)
//	────────────
//	Quit mindful

// ItemID names one item of the menu; it indexes Menu.Items.
type ItemID int

// Slots for items that come and go.
const (
	ScheduledSlots = 5
	PairingSlots   = 5
)

// The items, in menu order.
const (
	ItemStatus ItemID = iota
	ItemHint
	ItemTakeBreak
	ItemBreak15m
	ItemBreak1h
	ItemBreakRestOfDay
	ItemBreakMorning
	ItemScheduled0 // ... ItemScheduled0+ScheduledSlots-1
	ItemBreakMode  = ItemScheduled0 + ScheduledSlots
	ItemPrompts    = ItemBreakMode + 1
	ItemReflection = ItemPrompts + 1
	ItemDashboard  = ItemReflection + 1
	ItemPair       = ItemDashboard + 1
	ItemPairNone   = ItemPair + 1
	ItemApprove0   = ItemPairNone + 1 // ... ItemApprove0+PairingSlots-1
	ItemStartLogin = ItemApprove0 + PairingSlots
	ItemQuit       = ItemStartLogin + 1
	NumItems       = ItemQuit + 1
)

// Spec is the fixed shape of one item.
type Spec struct {
	Parent    ItemID // the submenu it is in, or NoParent
	Checkable bool
	SepBefore bool // a separator above it (top level only)
}

// NoParent marks a top-level item.
const NoParent ItemID = -1

// Layout is the shape of the menu, indexed by ItemID.
var Layout = func() [NumItems]Spec {
	var l [NumItems]Spec
	for i := range l {
		l[i].Parent = NoParent
	}
	for _, id := range []ItemID{ItemBreak15m, ItemBreak1h, ItemBreakRestOfDay, ItemBreakMorning} {
		l[id].Parent = ItemTakeBreak
	}
	for i := range ScheduledSlots {
		l[ItemScheduled0+ItemID(i)].Parent = ItemTakeBreak
	}
	l[ItemPairNone].Parent = ItemPair
	for i := range PairingSlots {
		l[ItemApprove0+ItemID(i)].Parent = ItemPair
	}
	l[ItemBreakMode].Checkable = true
	l[ItemStartLogin].Checkable = true
	l[ItemTakeBreak].SepBefore = true
	l[ItemReflection].SepBefore = true
	l[ItemPair].SepBefore = true
	l[ItemQuit].SepBefore = true
	return l
}()

// IconID is one of the tray's icons.
type IconID int

const (
	IconNormal    IconID = iota // prompts on, a browser connected
	IconPaused                  // prompts paused
	IconBreak                   // on a break
	IconAttention               // no browser connected, or one waits to be paired
	NumIcons
)

func (i IconID) String() string {
	switch i {
	case IconNormal:
		return "normal"
	case IconPaused:
		return "paused"
	case IconBreak:
		return "break"
	case IconAttention:
		return "attention"
	}
	return fmt.Sprintf("IconID(%d)", int(i))
}

// ActionKind is what clicking an item does.
type ActionKind int

const (
	ActNone          ActionKind = iota
	ActStartBreak               // client.StartBreak(Action.Break)
	ActKeepBreak                // unchecking break mode: keep the break, show how to end it
	ActPausePrompts             // client.PausePrompts(now + Action.For)
	ActResumePrompts            // client.ResumePrompts
	ActApprove                  // client.Approve(Action.Code)
	ActDashboard                // open the dashboard's Action.Page (Action.Date) by a one-time link
	ActAutostart                // Config.Autostart.Set(Action.On)
	ActQuit                     // stop the daemon and the tray
)

// Action is what a click on an item does.
type Action struct {
	Kind  ActionKind
	Break api.BreakStartRequest // ActStartBreak
	For   time.Duration         // ActPausePrompts
	Code  string                // ActApprove
	Page  string                // ActDashboard: today, history, ...
	Date  string                // ActDashboard: the day Today shows (YYYY-MM-DD), "" for today
	On    bool                  // ActAutostart
}

// Item is the state of one menu item.
type Item struct {
	Label   string
	Enabled bool
	Checked bool
	Visible bool
	Action  Action
}

// Menu is everything the tray shows.
type Menu struct {
	Title   string // next to the icon
	Tooltip string
	Icon    IconID
	Items   [NumItems]Item
}

// Scheduled returns the scheduled-break slots.
func (m *Menu) Scheduled() []Item { return m.Items[ItemScheduled0 : ItemScheduled0+ScheduledSlots] }

// Approvals returns the pairing slots.
func (m *Menu) Approvals() []Item { return m.Items[ItemApprove0 : ItemApprove0+PairingSlots] }

// maxEarlyStart is how far ahead a scheduled break's end may be for it to be
// started early: the daemon takes on-demand breaks of at most 24 hours.
const maxEarlyStart = 24 * time.Hour

// Build is the menu for a state of the daemon, in English. It is a pure
// function: the view applies what it returns.
func Build(st api.Status, b api.Breaks, p api.Pairing, now time.Time) Menu {
	return English.Build(st, b, p, now)
}

// Build is the menu for a state of the daemon, with these labels.
func (l *Labels) Build(st api.Status, b api.Breaks, p api.Pairing, now time.Time) Menu {
	var m Menu
	item := func(id ItemID, label string, enabled bool, a Action) {
		m.Items[id] = Item{Label: label, Enabled: enabled, Visible: true, Action: a}
	}
	onBreak := st.Break.Active
	open := onBreak && st.Break.EndsAt == nil

	// The status line and the hint under it.
	switch {
	case open:
		item(ItemStatus, l.StatusBreakMode, false, Action{})
	case onBreak:
		item(ItemStatus, fmt.Sprintf(l.StatusBreakUntilf, l.clock(*st.Break.EndsAt, now)), false, Action{})
	case st.Today.FeedOpens == 0:
		item(ItemStatus, l.StatusTodayNone, false, Action{})
	default:
		item(ItemStatus, fmt.Sprintf(l.StatusTodayf, l.feedOpens(st.Today.FeedOpens), st.Today.Habit+st.Today.HabitContinued), false, Action{})
	}
	// A database that cannot be used outranks everything else: nothing
	// the user does is stored until it is fixed.
	dbProblem := st.Database != nil && !st.Database.OK && st.Database.Problem != ""
	switch {
	case dbProblem:
		item(ItemStatus, fmt.Sprintf(l.StatusDatabasef, st.Database.Path), false, Action{})
		item(ItemHint, fmt.Sprintf(l.HintDatabasef, st.Database.Todo), false, Action{})
	case onBreak && st.Break.Locked && !open:
		item(ItemHint, fmt.Sprintf(l.HintLockedUntilf, l.clock(*st.Break.EndsAt, now)), false, Action{})
	case onBreak && st.Break.Locked:
		item(ItemHint, l.HintLockedOpen, false, Action{})
	case onBreak:
		item(ItemHint, l.HintEndEarly, false, Action{})
	default:
		item(ItemHint, l.HintEndEarly, false, Action{})
		m.Items[ItemHint].Visible = false
	}

	// Take a break. Starting one while on a break is allowed: the daemon
	// merges the two, so it can only make the break longer.
	item(ItemTakeBreak, l.TakeBreak, true, Action{})
	item(ItemBreak15m, l.Break15m, true, startFor("15m"))
	item(ItemBreak1h, l.Break1h, true, startFor("1h"))
	item(ItemBreakRestOfDay, l.BreakRestOfDay, true, startFor("rest-of-day"))
	item(ItemBreakMorning, l.BreakMorning, true, startFor("until 08:00"))
	for i, w := range earlyStarts(b, now) {
		name := w.Name
		if name == "" {
			name = l.UnnamedBreak
		}
		until := w.EndsAt.UTC()
		item(ItemScheduled0+ItemID(i), fmt.Sprintf(l.BreakScheduledf, name, l.clock(until, now)), true,
			Action{Kind: ActStartBreak, Break: api.BreakStartRequest{Until: &until, Name: w.Name}})
	}

	// Break mode mirrors "on a break": checking it starts an open-ended
	// break; unchecking it does not end the break (that has its friction
	// on the break page and in the CLI), so it stays checked and says how.
	item(ItemBreakMode, l.BreakMode, !st.Break.Locked, Action{Kind: ActStartBreak, Break: api.BreakStartRequest{For: ""}})
	if onBreak {
		m.Items[ItemBreakMode].Checked = true
		m.Items[ItemBreakMode].Action = Action{Kind: ActKeepBreak}
	}

	paused := st.PromptsPausedUntil != nil && st.PromptsPausedUntil.After(now)
	if paused {
		item(ItemPrompts, l.ResumePrompts, true, Action{Kind: ActResumePrompts})
	} else {
		item(ItemPrompts, l.PausePrompts, true, Action{Kind: ActPausePrompts, For: time.Hour})
	}

	// The evening check-in asks about its own day (the day before, when
	// it is offered after midnight).
	if st.Checkin.Due {
		item(ItemReflection, l.ReflectionDue, true, Action{Kind: ActDashboard, Page: "today", Date: st.Checkin.Date})
	} else {
		item(ItemReflection, l.Reflection, true, Action{Kind: ActDashboard, Page: "today"})
	}
	item(ItemDashboard, l.Dashboard, true, Action{Kind: ActDashboard, Page: "history"})
	// Start at login: SetAutostart fills it in once it is known.
	item(ItemStartLogin, l.StartAtLogin, false, Action{})

	// Pairing: the trusted side approves the code the browser shows.
	pending := pendingPairings(p, now)
	if len(pending) > 0 {
		item(ItemPair, fmt.Sprintf(l.PairBrowserNf, len(pending)), true, Action{})
		item(ItemPairNone, l.PairNone, false, Action{})
		m.Items[ItemPairNone].Visible = false
	} else {
		item(ItemPair, l.PairBrowser, true, Action{})
		item(ItemPairNone, l.PairNone, false, Action{})
	}
	for i, r := range pending {
		browser := r.Browser
		if browser == "" {
			browser = l.UnknownBrowser
		}
		// Firefox gives every install its own origin; showing it lets the
		// user tell mindful from another add-on that asks. A request with
		// no origin came from a local program, not a browser, whatever
		// browser it names.
		switch {
		case r.Origin == "":
			browser += ", " + l.NoOrigin
		case strings.HasPrefix(r.Origin, "moz-extension://"):
			browser += ", " + r.Origin
		}
		item(ItemApprove0+ItemID(i), fmt.Sprintf(l.Approvef, r.Code, browser), true, Action{Kind: ActApprove, Code: r.Code})
	}

	item(ItemQuit, l.Quit, true, Action{Kind: ActQuit})

	// The icon and the title: the break first, then what needs the user,
	// then a pause.
	connected := false
	for _, c := range st.Clients {
		connected = connected || c.Connected
	}
	switch {
	case dbProblem:
		m.Icon, m.Title = IconAttention, l.TitleDatabase
	case open:
		m.Icon, m.Title = IconBreak, l.TitleBreakMode
	case onBreak:
		m.Icon, m.Title = IconBreak, fmt.Sprintf(l.TitleBreakf, l.duration(st.Break.EndsAt.Sub(now)))
	case len(pending) > 0 || st.PendingPairings > 0:
		m.Icon, m.Title = IconAttention, l.TitlePair
	case !connected:
		m.Icon, m.Title = IconAttention, l.TitleNoBrowser
	case paused:
		m.Icon, m.Title = IconPaused, fmt.Sprintf(l.TitlePausedf, l.duration(st.PromptsPausedUntil.Sub(now)))
	default:
		m.Icon, m.Title = IconNormal, l.TitleNormal
	}
	m.Tooltip = l.Tooltip
	if m.Title != "" {
		m.Tooltip += ": " + m.Title
	}
	return m
}

// SetAutostart shows whether mindful starts at login; known is false when
// that cannot be read (the item stays disabled).
func (m *Menu) SetAutostart(known, on bool) {
	it := &m.Items[ItemStartLogin]
	it.Enabled = known
	it.Checked = known && on
	it.Action = Action{}
	if known {
		it.Action = Action{Kind: ActAutostart, On: !on}
	}
}

func startFor(spec string) Action {
	return Action{Kind: ActStartBreak, Break: api.BreakStartRequest{For: spec}}
}

// earlyStarts picks the scheduled breaks that can be started now, at most
// ScheduledSlots: upcoming (not running) windows with a planned end within
// maxEarlyStart, the next one of each name, soonest first.
func earlyStarts(b api.Breaks, now time.Time) []api.NextBreak {
	var out []api.NextBreak
	seen := map[string]bool{}
	for _, w := range b.Upcoming {
		if !w.StartsAt.After(now) || w.EndsAt == nil || w.EndsAt.Sub(now) > maxEarlyStart || seen[w.Name] {
			continue
		}
		seen[w.Name] = true
		out = append(out, w)
		if len(out) == ScheduledSlots {
			break
		}
	}
	return out
}

// pendingPairings are the requests that have not expired, oldest first (as
// the daemon lists them), at most PairingSlots: the newest ones, since the
// browser the user is pairing right now asked last, even while other
// add-ons keep asking.
func pendingPairings(p api.Pairing, now time.Time) []api.PendingPairing {
	var out []api.PendingPairing
	for _, r := range p.Pending {
		if !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(now) {
			continue
		}
		out = append(out, r)
	}
	if len(out) > PairingSlots {
		out = out[len(out)-PairingSlots:]
	}
	return out
}
