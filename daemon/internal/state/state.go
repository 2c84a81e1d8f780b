// Package state owns the user's choices that the extension caches: the
// effective feed catalog (built-in feeds plus the user's changes), the
// prompt settings, a pause of prompts, and the day's habit count. It builds
// the protocol's State from them (extstate adds the breaks) and publishes
// FeedsChanged or PromptsChanged on the change bus after each change.
package state

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/daystart"
	"github.com/mindful-app/mindful/daemon/internal/feeds"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// Setting keys in the store.
const (
	keyPausedUntil    = "prompts.paused_until"
	keyPauseSeconds   = "prompt.pause_seconds"
	keyDefaultTimebox = "prompt.default_timebox_minutes"
)

// Defaults.
const (
	DefaultPauseSeconds   = 3
	PauseStepSeconds      = 1
	PauseMaxSeconds       = 10
	DefaultTimeboxMinutes = 15
)

// Timeboxes are the time boxes offered for a "need".
var Timeboxes = []int{5, 15, 30}

// Service is the state. It is safe for concurrent use.
type Service struct {
	store    *store.Store
	now      func() time.Time
	bus      *changes.Bus
	imports  *changes.Subscription // Run reloads the matcher after these
	mu       sync.Mutex            // serializes read-modify-write of feed settings
	matcherM sync.RWMutex
	matcher  *feeds.Matcher
}

// New returns a Service that publishes its changes on bus (may be nil).
func New(ctx context.Context, st *store.Store, now func() time.Time, bus *changes.Bus) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: st, now: now, bus: bus, imports: bus.Subscribe(changes.Imported{})}
	if err := s.reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// ErrInvalid wraps errors in what the user asked for.
var ErrInvalid = errors.New("invalid")

// ErrNoFeed is returned for an unknown feed id.
var ErrNoFeed = errors.New("no such feed")

// Feeds returns the effective catalog: built-in feeds in catalog order with
// the user's changes applied, then the user's own feeds by id.
func (s *Service) Feeds(ctx context.Context) ([]feeds.Feed, error) {
	sets, err := s.store.FeedSettings(ctx)
	if err != nil {
		return nil, err
	}
	return effective(feeds.Builtin(), sets), nil
}

func effective(builtin []feeds.Feed, sets []store.FeedSetting) []feeds.Feed {
	byID := make(map[string]store.FeedSetting, len(sets))
	for _, fs := range sets {
		byID[fs.ID] = fs
	}
	out := make([]feeds.Feed, 0, len(builtin)+len(sets))
	seen := map[string]bool{}
	for _, b := range builtin {
		f := b
		f.Hosts = slices.Clone(b.Hosts)
		if fs, ok := byID[b.ID]; ok {
			apply(&f, fs)
		}
		seen[f.ID] = true
		out = append(out, f)
	}
	for _, fs := range sets {
		if seen[fs.ID] || !fs.Custom {
			continue
		}
		f := feeds.Feed{ID: fs.ID, Name: fs.ID, Enabled: true, Paths: []string{"/"}}
		apply(&f, fs)
		out = append(out, f)
	}
	return out
}

func apply(f *feeds.Feed, fs store.FeedSetting) {
	if fs.Name != "" {
		f.Name = fs.Name
	}
	for _, h := range fs.ExtraHosts {
		if !slices.Contains(f.Hosts, h) {
			f.Hosts = append(f.Hosts, h)
		}
	}
	if fs.Paths != nil {
		f.Paths = slices.Clone(fs.Paths)
	}
	if fs.Enabled != nil {
		f.Enabled = *fs.Enabled
	}
}

func (s *Service) reload(ctx context.Context) error {
	fs, err := s.Feeds(ctx)
	if err != nil {
		return err
	}
	m := feeds.NewMatcher(fs)
	s.matcherM.Lock()
	s.matcher = m
	s.matcherM.Unlock()
	return nil
}

// Match names the enabled feed that host and path are on.
func (s *Service) Match(host, path string) (string, bool) {
	s.matcherM.RLock()
	m := s.matcher
	s.matcherM.RUnlock()
	id, _, ok := m.MatchHostPath(host, path)
	return id, ok
}

// FeedChange is a user's change to one feed: AddFeed merges Hosts into the
// feed's hosts and, when set, replaces Name and Paths.
type FeedChange struct {
	ID    string
	Name  string
	Hosts []string
	Paths []string
}

// AddFeed adds a feed, or hosts and paths to an existing one (for example a
// Mastodon instance to the built-in "mastodon" feed). The result must be a
// valid feed, or nothing is saved.
func (s *Service) AddFeed(ctx context.Context, c FeedChange) (feeds.Feed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sets, err := s.store.FeedSettings(ctx)
	if err != nil {
		return feeds.Feed{}, err
	}
	var fs store.FeedSetting
	found := false
	for _, x := range sets {
		if x.ID == c.ID {
			fs, found = x, true
		}
	}
	builtin := false
	for _, b := range feeds.Builtin() {
		if b.ID == c.ID {
			builtin = true
		}
	}
	if !found {
		fs = store.FeedSetting{ID: c.ID, Custom: !builtin}
	}
	if !builtin && !found && len(c.Hosts) == 0 {
		return feeds.Feed{}, fmt.Errorf("%w: hosts: a new feed needs at least one --host", ErrInvalid)
	}
	for _, h := range c.Hosts {
		if !slices.Contains(fs.ExtraHosts, h) {
			fs.ExtraHosts = append(fs.ExtraHosts, h)
		}
	}
	if c.Paths != nil {
		fs.Paths = c.Paths
	}
	if c.Name != "" {
		fs.Name = c.Name
	}
	// Validate the feed as it would be.
	var result feeds.Feed
	for _, f := range effective(feeds.Builtin(), append(without(sets, c.ID), fs)) {
		if f.ID == c.ID {
			result = f
		}
	}
	if err := feeds.Validate(result); err != nil {
		return feeds.Feed{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := s.store.PutFeedSetting(ctx, fs); err != nil {
		return feeds.Feed{}, err
	}
	return result, s.afterChange(ctx, changes.FeedsChanged{})
}

func without(sets []store.FeedSetting, id string) []store.FeedSetting {
	out := make([]store.FeedSetting, 0, len(sets))
	for _, x := range sets {
		if x.ID != id {
			out = append(out, x)
		}
	}
	return out
}

// SetEnabled enables or disables a feed.
func (s *Service) SetEnabled(ctx context.Context, id string, enabled bool) (feeds.Feed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.Feeds(ctx)
	if err != nil {
		return feeds.Feed{}, err
	}
	var result feeds.Feed
	found := false
	for _, f := range all {
		if f.ID == id {
			result, found = f, true
		}
	}
	if !found {
		return feeds.Feed{}, fmt.Errorf("%w %q (see `mindful feeds list`)", ErrNoFeed, id)
	}
	sets, err := s.store.FeedSettings(ctx)
	if err != nil {
		return feeds.Feed{}, err
	}
	fs := store.FeedSetting{ID: id}
	for _, x := range sets {
		if x.ID == id {
			fs = x
		}
	}
	fs.Enabled = &enabled
	if err := s.store.PutFeedSetting(ctx, fs); err != nil {
		return feeds.Feed{}, err
	}
	result.Enabled = enabled
	return result, s.afterChange(ctx, changes.FeedsChanged{})
}

// PausePrompts pauses prompts until t; a zero t resumes them.
func (s *Service) PausePrompts(ctx context.Context, until time.Time) error {
	v := ""
	if !until.IsZero() {
		if !until.After(s.now()) {
			return fmt.Errorf("%w: until: %s is not in the future", ErrInvalid, until.Format(time.RFC3339))
		}
		v = until.UTC().Format(time.RFC3339)
	}
	if err := s.store.SetSetting(ctx, keyPausedUntil, v); err != nil {
		return err
	}
	return s.afterChange(ctx, changes.PromptsChanged{})
}

// PausedUntil returns when the current pause of prompts ends, or nil.
func (s *Service) PausedUntil(ctx context.Context) (*time.Time, error) {
	v, err := s.store.Setting(ctx, keyPausedUntil, "")
	if err != nil || v == "" {
		return nil, err
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil || !t.After(s.now()) {
		return nil, nil
	}
	return &t, nil
}

// PromptSettings returns the prompt settings.
func (s *Service) PromptSettings(ctx context.Context) (protocol.PromptSettings, error) {
	p := protocol.PromptSettings{
		PauseSeconds:          DefaultPauseSeconds,
		PauseStepSeconds:      PauseStepSeconds,
		PauseMaxSeconds:       PauseMaxSeconds,
		DefaultTimeboxMinutes: DefaultTimeboxMinutes,
		TimeboxesMinutes:      slices.Clone(Timeboxes),
	}
	if v, err := s.store.Setting(ctx, keyPauseSeconds, ""); err != nil {
		return p, err
	} else if f, err := strconv.ParseFloat(v, 64); err == nil {
		p.PauseSeconds = f
	}
	if v, err := s.store.Setting(ctx, keyDefaultTimebox, ""); err != nil {
		return p, err
	} else if n, err := strconv.Atoi(v); err == nil {
		p.DefaultTimeboxMinutes = n
	}
	if p.PauseMaxSeconds < p.PauseSeconds {
		p.PauseMaxSeconds = p.PauseSeconds
	}
	return p, nil
}

// SetPromptSettings changes the breathing pause (seconds, 0–60) and the
// default time box (one of Timeboxes); a negative value keeps the current one.
func (s *Service) SetPromptSettings(ctx context.Context, pauseSeconds float64, defaultTimebox int) error {
	if pauseSeconds >= 0 {
		if pauseSeconds > 60 {
			return fmt.Errorf("%w: pause: %gs is longer than 60s", ErrInvalid, pauseSeconds)
		}
		if err := s.store.SetSetting(ctx, keyPauseSeconds, strconv.FormatFloat(pauseSeconds, 'f', -1, 64)); err != nil {
			return err
		}
	}
	if defaultTimebox >= 0 {
		if !slices.Contains(Timeboxes, defaultTimebox) {
			return fmt.Errorf("%w: default time box: %d minutes is not one of %v", ErrInvalid, defaultTimebox, Timeboxes)
		}
		if err := s.store.SetSetting(ctx, keyDefaultTimebox, strconv.Itoa(defaultTimebox)); err != nil {
			return err
		}
	}
	return s.afterChange(ctx, changes.PromptsChanged{})
}

// DayStart returns when the user's current day began (see daystart; a
// store that fails gives 04:00).
func (s *Service) DayStart(ctx context.Context) time.Time {
	hour, minute, _ := daystart.Read(ctx, s.store)
	return daystart.Began(s.now(), hour, minute)
}

// Today counts the answers to "Habit or need?" since the day began, and
// returns when it began.
func (s *Service) Today(ctx context.Context) (protocol.Today, time.Time, error) {
	start := s.DayStart(ctx)
	t, err := s.today(ctx, start)
	return t, start, err
}

func (s *Service) today(ctx context.Context, since time.Time) (protocol.Today, error) {
	var t protocol.Today
	for _, c := range []struct {
		answer string
		n      *int
	}{
		{protocol.AnswerHabit, &t.Habit},
		{protocol.AnswerHabitContinued, &t.HabitContinued},
		{protocol.AnswerNeed, &t.Need},
		{protocol.AnswerLeftDuringPause, &t.LeftDuringPause},
	} {
		n, err := s.store.CountPrompts(ctx, since, c.answer)
		if err != nil {
			return t, err
		}
		*c.n = n
	}
	t.FeedOpens = t.Habit + t.HabitContinued + t.Need + t.LeftDuringPause
	return t, nil
}

// State builds what the extension caches, but for the breaks (extstate
// adds them).
func (s *Service) State(ctx context.Context) (protocol.State, error) {
	fs, err := s.Feeds(ctx)
	if err != nil {
		return protocol.State{}, err
	}
	ps, err := s.PromptSettings(ctx)
	if err != nil {
		return protocol.State{}, err
	}
	paused, err := s.PausedUntil(ctx)
	if err != nil {
		return protocol.State{}, err
	}
	start := s.DayStart(ctx)
	today, err := s.today(ctx, start)
	if err != nil {
		return protocol.State{}, err
	}
	st := protocol.State{
		Feeds:              make([]protocol.Feed, len(fs)),
		Prompt:             ps,
		PromptsPausedUntil: paused,
		HabitOpensToday:    today.Habit + today.HabitContinued,
		DayStart:           start,
		Today:              today,
	}
	for i, f := range fs {
		st.Feeds[i] = protocol.Feed{ID: f.ID, Name: f.Name, Hosts: nonNil(f.Hosts), Paths: nonNil(f.Paths), Enabled: f.Enabled}
	}
	st.Breaks = []protocol.Break{}
	return st, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Reload reads the feed settings again, after they changed elsewhere (an
// import from another device), and publishes FeedsChanged.
func (s *Service) Reload(ctx context.Context) error {
	return s.afterChange(ctx, changes.FeedsChanged{})
}

// Run reloads the feed settings after every import from another device,
// until ctx ends. It logs to log what it could not read.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	defer s.imports.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.imports.Ready():
		}
		s.imports.Take()
		if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
			log.Warn("state not reloaded after an import", "err", err)
		}
	}
}

func (s *Service) afterChange(ctx context.Context, c changes.Change) error {
	if err := s.reload(ctx); err != nil {
		return err
	}
	s.bus.Publish(c)
	return nil
}
