// Package breaks runs mindful's breaks: on-demand breaks, scheduled ones
// (daemon/internal/schedule does the calendar maths), ending a break early
// with a typed reason after a wait, and the schedule for the coming days
// that the extension enforces on its own while the daemon is away.
//
// Ending early is a two-step exchange so that the wait is enforced here and
// not only in a user interface:
//
//	RequestStop ──► ticket (valid from now+10 s) ──► Stop(ticket, reason)
//
// Locked breaks cannot be ended early, and early ends are capped per week.
//
// Every change, and every start or end of a break (Watch), is published
// as changes.BreaksChanged; Watch reads the breaks again after a change of
// the settings, a deletion of all data, or an import from another device.
package breaks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/daystart"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// Defaults and limits.
const (
	Horizon                 = 7 * 24 * time.Hour // how far ahead the extension gets the schedule
	EarlyEndWait            = 10 * time.Second
	DefaultEarlyEndsPerWeek = 2
	ticketTTL               = 5 * time.Minute
	minReasonLen            = 3
)

// Setting keys.
const (
	keyEarlyEndsPerWeek = "breaks.early_ends_per_week"
	keyReason           = "breaks.reason"
)

// farFuture stands for the end of an open-ended break (break mode).
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Errors.
var (
	ErrInvalid   = errors.New("invalid")
	ErrNoBreak   = errors.New("no break is running")
	ErrLocked    = errors.New("this break is locked: it cannot be ended early")
	ErrCap       = errors.New("the weekly limit of early ends is reached")
	ErrTooSoon   = errors.New("too soon")
	ErrBadTicket = errors.New("no such stop request (it expired, or was used); ask again")
	ErrNoRule    = errors.New("no such scheduled break")
)

// Service runs breaks. It is safe for concurrent use.
type Service struct {
	store       *store.Store
	now         func() time.Time
	loc         *time.Location
	bus         *changes.Bus
	elsewhere   *changes.Subscription // changes made elsewhere that Watch reads again after
	checkEvery  time.Duration
	wake        chan struct{} // Refresh → Watch; capacity 1
	evaluations atomic.Int64  // Watch's reads of the store
	checks      atomic.Int64  // Watch's clock checks

	mu      sync.Mutex
	tickets map[string]ticket
}

type ticket struct {
	notBefore time.Time
	expires   time.Time
	period    schedule.Period
}

// Config wires a Service.
type Config struct {
	Store    *store.Store
	Now      func() time.Time
	Location *time.Location // the user's zone; default time.Local
	Changes  *changes.Bus   // where BreaksChanged is published (may be nil)
	// CheckEvery is how often Watch compares the wall clock with its next
	// transition, without reading the store; default 5 s.
	CheckEvery time.Duration
}

// New returns a Service.
func New(c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	if c.CheckEvery <= 0 {
		c.CheckEvery = 5 * time.Second
	}
	return &Service{store: c.Store, now: c.Now, loc: c.Location, bus: c.Changes,
		elsewhere:  c.Changes.Subscribe(changes.SettingsChanged{}, changes.DataDeleted{}, changes.Imported{}),
		checkEvery: c.CheckEvery, wake: make(chan struct{}, 1), tickets: map[string]ticket{}}
}

// dayStart is when the user's day begins (see daystart; a store that
// fails gives 04:00).
func (s *Service) dayStart(ctx context.Context) schedule.Clock {
	h, m, _ := daystart.Read(ctx, s.store)
	return schedule.Clock{Hour: h, Minute: m}
}

// Windows returns every break window overlapping [from, to): scheduled
// instances and on-demand breaks, cut short where they were ended early.
func (s *Service) Windows(ctx context.Context, from, to time.Time) ([]schedule.Window, error) {
	stored, err := s.store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	rules := make([]schedule.Rule, len(stored))
	for i, r := range stored {
		rules[i] = toRule(r)
	}
	ws := schedule.Windows(rules, from, to, s.loc)
	adhoc, err := s.store.AdhocSince(ctx, from)
	if err != nil {
		return nil, err
	}
	for _, a := range adhoc {
		end := a.End
		if end.IsZero() {
			end = farFuture
		}
		if !a.Start.Before(to) {
			continue
		}
		ws = append(ws, schedule.Window{Key: schedule.AdhocKey(a.ID), Name: a.Name, Start: a.Start, End: end, Locked: a.Locked, Sites: a.Sites})
	}
	ends, err := s.store.EarlyEnds(ctx, from.Add(-Horizon))
	if err != nil {
		return nil, err
	}
	cut := make(map[string]time.Time, len(ends))
	for _, e := range ends {
		cut[e.WindowKey] = e.At
	}
	ws = schedule.ApplyEarlyEnds(ws, cut)
	slices.SortFunc(ws, func(a, b schedule.Window) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return ws, nil
}

func toRule(r store.Rule) schedule.Rule {
	return schedule.Rule{ID: r.ID, Name: r.Name, Kind: r.Kind, Start: r.Start, End: r.End, Locked: r.Locked, Sites: r.Sites, Enabled: r.Enabled}
}

// Now returns the running break period, if any, and the next break.
func (s *Service) Now(ctx context.Context) (active *schedule.Period, next *schedule.Window, err error) {
	now := s.now()
	ws, err := s.Windows(ctx, now.Add(-Horizon), now.Add(Horizon))
	if err != nil {
		return nil, nil, err
	}
	after := now
	if p, ok := schedule.Active(ws, now); ok {
		active = &p
		after = p.End
	}
	if n, ok := schedule.Next(ws, after); ok {
		next = &n
	}
	return active, next, nil
}

// Start starts an on-demand break now. spec is "15m", "1h", "rest-of-day",
// "until 08:00" (see schedule.OnDemandEnd), or "" for an open-ended break
// that lasts until it is ended (break mode).
func (s *Service) Start(ctx context.Context, spec, name string, locked bool) (schedule.Window, error) {
	return s.StartUntil(ctx, spec, time.Time{}, name, locked)
}

// StartUntil is Start with an absolute end time instead of a spec when
// until is not zero (for starting a scheduled break early).
func (s *Service) StartUntil(ctx context.Context, spec string, until time.Time, name string, locked bool) (schedule.Window, error) {
	now := s.now()
	var end time.Time
	if !until.IsZero() {
		if spec != "" {
			return schedule.Window{}, fmt.Errorf("%w: for: give either a length or an end time, not both", ErrInvalid)
		}
		if !until.After(now) || until.Sub(now) > schedule.MaxOnDemand {
			return schedule.Window{}, fmt.Errorf("%w: until: must be within the next %s", ErrInvalid, schedule.MaxOnDemand)
		}
		end = until
	} else if spec != "" {
		var err error
		if end, err = schedule.OnDemandEnd(spec, now.In(s.loc), s.dayStart(ctx)); err != nil {
			return schedule.Window{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	if name == "" {
		name = "Break"
		if spec == "" {
			name = "Break mode"
		}
	}
	if len(name) > 64 {
		return schedule.Window{}, fmt.Errorf("%w: name: longer than 64 characters", ErrInvalid)
	}
	id, err := s.store.AddAdhoc(ctx, store.Adhoc{Name: name, Start: now, End: end, Locked: locked})
	if err != nil {
		return schedule.Window{}, err
	}
	s.mutated()
	w := schedule.Window{Key: schedule.AdhocKey(id), Name: name, Start: now, End: end, Locked: locked}
	if end.IsZero() {
		w.End = farFuture
	}
	return w, nil
}

// OpenEnded reports whether a window has no planned end (break mode).
func OpenEnded(w schedule.Window) bool { return !w.End.Before(farFuture) }

// Ticket is a granted request to end the running break early.
type Ticket struct {
	ID        string
	NotBefore time.Time
	Period    schedule.Period
}

// EarlyEndsThisWeek counts early ends since the start of this week
// (Monday at the user's day start) and returns the weekly limit.
func (s *Service) EarlyEndsThisWeek(ctx context.Context) (used, limit int, err error) {
	limit = DefaultEarlyEndsPerWeek
	if v, err := s.store.Setting(ctx, keyEarlyEndsPerWeek, ""); err == nil {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			limit = n
		}
	}
	now := s.now().In(s.loc)
	y, m, d := now.Date()
	back := (int(now.Weekday()) + 6) % 7 // days since Monday
	ds := s.dayStart(ctx)
	start := time.Date(y, m, d-back, ds.Hour, ds.Minute, 0, 0, s.loc)
	if start.After(now) {
		start = start.AddDate(0, 0, -7)
	}
	ends, err := s.store.EarlyEnds(ctx, start)
	if err != nil {
		return 0, limit, err
	}
	seen := map[int64]bool{} // one period ended early counts once
	for _, e := range ends {
		seen[e.At.UnixMilli()] = true
	}
	return len(seen), limit, nil
}

// RequestStop starts ending the running break early; Stop may complete it
// EarlyEndWait later.
func (s *Service) RequestStop(ctx context.Context) (Ticket, error) {
	active, _, err := s.Now(ctx)
	if err != nil {
		return Ticket{}, err
	}
	if active == nil {
		return Ticket{}, ErrNoBreak
	}
	if active.Locked {
		return Ticket{}, ErrLocked
	}
	used, limit, err := s.EarlyEndsThisWeek(ctx)
	if err != nil {
		return Ticket{}, err
	}
	if used >= limit {
		return Ticket{}, fmt.Errorf("%w: you have ended %d of %d breaks early this week; this one stays", ErrCap, used, limit)
	}
	b := make([]byte, 12)
	rand.Read(b)
	now := s.now()
	t := Ticket{ID: hex.EncodeToString(b), NotBefore: now.Add(EarlyEndWait), Period: *active}
	s.mu.Lock()
	for id, x := range s.tickets {
		if now.After(x.expires) {
			delete(s.tickets, id)
		}
	}
	s.tickets[t.ID] = ticket{notBefore: t.NotBefore, expires: now.Add(ticketTTL), period: *active}
	s.mu.Unlock()
	return t, nil
}

// Stop ends the break period of the ticket early, with the user's reason.
func (s *Service) Stop(ctx context.Context, ticketID, reason string) (schedule.Period, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) < minReasonLen {
		return schedule.Period{}, fmt.Errorf("%w: reason: say in a few words why you end this break early", ErrInvalid)
	}
	if len(reason) > 500 {
		return schedule.Period{}, fmt.Errorf("%w: reason: longer than 500 characters", ErrInvalid)
	}
	now := s.now()
	s.mu.Lock()
	t, ok := s.tickets[ticketID]
	if ok && now.Before(t.notBefore) {
		s.mu.Unlock()
		return schedule.Period{}, fmt.Errorf("%w: wait %s more", ErrTooSoon, t.notBefore.Sub(now).Round(time.Second))
	}
	if ok {
		delete(s.tickets, ticketID)
	}
	s.mu.Unlock()
	if !ok || now.After(t.expires) {
		return schedule.Period{}, ErrBadTicket
	}
	// The break may have changed meanwhile (ended, or grown): end what
	// runs now, if it is the same period.
	active, _, err := s.Now(ctx)
	if err != nil {
		return schedule.Period{}, err
	}
	if active == nil || !active.Start.Equal(t.period.Start) {
		return schedule.Period{}, ErrNoBreak
	}
	if active.Locked {
		return schedule.Period{}, ErrLocked
	}
	var ends []store.EarlyEnd
	var adhoc []int64
	for _, w := range active.Windows {
		ends = append(ends, store.EarlyEnd{WindowKey: w.Key, Name: w.Name, Reason: reason, At: now, PlannedEnd: w.End})
		if id, ok := strings.CutPrefix(w.Key, "adhoc:"); ok {
			n, _ := strconv.ParseInt(id, 10, 64)
			adhoc = append(adhoc, n)
		}
	}
	if err := s.store.EndEarly(ctx, ends, adhoc); err != nil {
		return schedule.Period{}, err
	}
	s.mutated()
	return *active, nil
}

// AddRule validates and stores a scheduled break.
func (s *Service) AddRule(ctx context.Context, r schedule.Rule) (schedule.Rule, error) {
	r.Enabled = true
	if r.Name == "" {
		r.Name = "Break"
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	id, err := s.store.AddRule(ctx, store.Rule{Name: r.Name, Kind: r.Kind, Start: r.Start, End: r.End, Locked: r.Locked, Sites: r.Sites, Enabled: true, CreatedAt: s.now()})
	if err != nil {
		return r, err
	}
	r.ID = id
	s.mutated()
	return r, nil
}

// RemoveRule deletes a scheduled break. A locked break that is running
// cannot be removed to escape it.
func (s *Service) RemoveRule(ctx context.Context, id int64) error {
	active, _, err := s.Now(ctx)
	if err != nil {
		return err
	}
	if active != nil && active.Locked {
		for _, w := range active.Windows {
			if w.RuleID == id {
				return fmt.Errorf("%w: it is running now; remove it after it ends", ErrLocked)
			}
		}
	}
	if err := s.store.DeleteRule(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: %d (see `mindful schedule list`)", ErrNoRule, id)
		}
		return err
	}
	s.mutated()
	return nil
}

// Rules returns the scheduled breaks.
func (s *Service) Rules(ctx context.Context) ([]schedule.Rule, error) {
	stored, err := s.store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]schedule.Rule, len(stored))
	for i, r := range stored {
		out[i] = toRule(r)
	}
	return out, nil
}

// Reason is the user's own sentence for taking breaks.
func (s *Service) Reason(ctx context.Context) (string, error) {
	return s.store.Setting(ctx, keyReason, "")
}

// SetSettings changes the user's reason (if reason is not nil) and the
// weekly limit of early ends (if perWeek >= 0).
func (s *Service) SetSettings(ctx context.Context, reason *string, perWeek int) error {
	if reason != nil {
		if len(*reason) > 300 {
			return fmt.Errorf("%w: reason: longer than 300 characters", ErrInvalid)
		}
		if err := s.store.SetSetting(ctx, keyReason, strings.TrimSpace(*reason)); err != nil {
			return err
		}
	}
	if perWeek >= 0 {
		if perWeek > 50 {
			return fmt.Errorf("%w: early ends per week: %d is more than 50", ErrInvalid, perWeek)
		}
		if err := s.store.SetSetting(ctx, keyEarlyEndsPerWeek, strconv.Itoa(perWeek)); err != nil {
			return err
		}
	}
	s.mutated()
	return nil
}

// ForExtension returns the breaks of the coming Horizon, with their sites
// resolved, for the extension to enforce on its own. defaultSites are the
// hosts a break blocks when it names none: every host of every enabled
// feed.
func (s *Service) ForExtension(ctx context.Context, defaultSites []string) (breaks []protocol.Break, until time.Time, err error) {
	now := s.now()
	until = now.Add(Horizon)
	ws, err := s.Windows(ctx, now, until)
	if err != nil {
		return nil, until, err
	}
	breaks = []protocol.Break{}
	for _, w := range ws {
		sites := w.Sites
		if sites == nil {
			sites = defaultSites
		}
		b := protocol.Break{Key: w.Key, Name: w.Name, Start: w.Start.UTC(), Locked: w.Locked, Sites: append([]string{}, sites...)}
		if !OpenEnded(w) {
			e := w.End.UTC()
			b.End = &e
		}
		breaks = append(breaks, b)
	}
	return breaks, until, nil
}

// Watch publishes BreaksChanged whenever the running break starts or ends,
// and every 6 hours so the extension's schedule never runs out.
//
// It reads the store only when something may have changed: at the next
// transition (a timer set for the running break's end, the next break's
// start or the 6-hour refresh, whichever comes first) and after a change
// to the breaks (Refresh, or a change published elsewhere). In between, a clock check every CheckEvery reads
// no store: timers run on the monotonic clock, which stops while the
// machine sleeps, so a resume from suspend or a wall-clock jump past the
// next transition (or backwards) is noticed by comparing wall times.
func (s *Service) Watch(ctx context.Context) {
	tick := time.NewTicker(s.checkEvery)
	defer tick.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	last := ""
	var refreshed, evaluated, next time.Time
	evaluate := true
	for {
		now := s.now()
		if evaluate || !now.Before(next) || now.Before(evaluated) {
			evaluated = now
			s.evaluations.Add(1)
			p, n, err := s.Now(ctx)
			if err != nil {
				next = now.Add(time.Minute) // the store failed: try again soon
			} else {
				key := ""
				if p != nil {
					key = p.Start.String() + p.End.String()
				}
				stale := refreshed.IsZero() || now.Sub(refreshed) >= 6*time.Hour || now.Before(refreshed)
				if key != last || stale && !refreshed.IsZero() {
					s.bus.Publish(changes.BreaksChanged{})
				}
				if key != last || stale {
					last, refreshed = key, now
				}
				next = refreshed.Add(6 * time.Hour)
				if p != nil && p.End.Before(next) {
					next = p.End
				}
				if n != nil && n.Start.After(now) && n.Start.Before(next) {
					next = n.Start
				}
			}
			timer.Reset(max(next.Sub(now), 0))
			evaluate = false
		}
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			evaluate = true
		case <-s.wake:
			evaluate = true
		case <-s.elsewhere.Ready():
			s.elsewhere.Take()
			evaluate = true
		case <-tick.C:
			s.checks.Add(1)
		}
	}
}

// Refresh makes Watch read the breaks again at once.
func (s *Service) Refresh() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// mutated tells Watch and the subscribers that the breaks changed.
func (s *Service) mutated() {
	s.Refresh()
	s.bus.Publish(changes.BreaksChanged{})
}
