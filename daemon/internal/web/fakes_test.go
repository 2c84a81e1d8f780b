package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/feeds"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/state"
)

// fakes is every service the dashboard needs, in memory.
type fakes struct {
	mu          sync.Mutex
	today       string
	days        map[string]api.Summary
	reflections map[string]string
	settings    api.Settings
	exported    int
	deleted     bool
	rules       []schedule.Rule
	nextID      int64
	feeds       []feeds.Feed
	checkin     api.Checkin
	dismissed   string
	refreshed   int
	fail        error // Day and Days fail with it when set
}

func newFakes() *fakes {
	return &fakes{
		today:       "2026-11-23",
		days:        map[string]api.Summary{},
		reflections: map[string]string{},
		settings:    api.Settings{DayStart: "04:00", CheckinTime: "21:00", PromptPauseSeconds: 3},
		nextID:      1,
		feeds: []feeds.Feed{
			{ID: "reddit", Name: "Reddit", Hosts: []string{"www.reddit.com"}, Paths: []string{"/"}, Enabled: true},
			{ID: "youtube", Name: "YouTube", Hosts: []string{"www.youtube.com"}, Paths: []string{"/", "/shorts/*"}, Enabled: false},
		},
	}
}

func (f *fakes) Day(_ context.Context, date string) (api.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return api.Summary{}, f.fail
	}
	if date == "" {
		date = f.today
	}
	s, ok := f.days[date]
	if !ok {
		s = api.Summary{Date: date, Feeds: []api.FeedDay{}, Needs: []api.NeedOpen{}, Notes: []api.Note{}}
	}
	s.Reflection = f.reflections[date]
	return s, nil
}

func (f *fakes) Days(ctx context.Context, from, to string) ([]api.Summary, error) {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	var out []api.Summary
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		s, err := f.Day(ctx, d.Format(time.DateOnly))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (f *fakes) SaveReflection(_ context.Context, date, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if date == "" {
		date = f.today
	}
	f.reflections[date] = text
	return nil
}

func (f *fakes) Settings(context.Context) (api.Settings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.settings, nil
}

func (f *fakes) SetSettings(_ context.Context, s api.Settings) error {
	if _, err := time.Parse("15:04", s.DayStart); err != nil {
		return fmt.Errorf("invalid: day_start: want HH:MM, got %q", s.DayStart)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settings = s
	return nil
}

func (f *fakes) Export(_ context.Context, w io.Writer, format string) error {
	f.mu.Lock()
	f.exported++
	f.mu.Unlock()
	if format == "csv" {
		_, err := io.WriteString(w, "type,ts\nprompt,2026-11-23T10:00:00Z\n")
		return err
	}
	_, err := io.WriteString(w, `{"events":[]}`)
	return err
}

func (f *fakes) DeleteAll(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = true
	clear(f.days)
	clear(f.reflections)
	return nil
}

func (f *fakes) Rules(context.Context) ([]schedule.Rule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.rules), nil
}

func (f *fakes) AddRule(_ context.Context, r schedule.Rule) (schedule.Rule, error) {
	r.Enabled = true
	if r.Name == "" {
		r.Name = "Break"
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("invalid: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ID = f.nextID
	f.nextID++
	f.rules = append(f.rules, r)
	return r, nil
}

func (f *fakes) RemoveRule(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			if r.Locked && r.Name == "running locked" {
				return errors.New("this break is locked: it is running now; remove it after it ends")
			}
			f.rules = slices.Delete(f.rules, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("no such scheduled break: %d", id)
}

func (f *fakes) Feeds(context.Context) ([]feeds.Feed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.feeds), nil
}

func (f *fakes) AddFeed(_ context.Context, c state.FeedChange) (feeds.Feed, error) {
	if len(c.Hosts) == 0 {
		return feeds.Feed{}, errors.New("invalid: hosts: a new feed needs at least one --host")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	nf := feeds.Feed{ID: c.ID, Name: c.Name, Hosts: c.Hosts, Paths: []string{"/"}, Enabled: true}
	f.feeds = append(f.feeds, nf)
	return nf, nil
}

func (f *fakes) SetEnabled(_ context.Context, id string, on bool) (feeds.Feed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.feeds {
		if f.feeds[i].ID == id {
			f.feeds[i].Enabled = on
			return f.feeds[i], nil
		}
	}
	return feeds.Feed{}, fmt.Errorf("no such feed %q", id)
}

func (f *fakes) Status(context.Context) (api.Checkin, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.checkin, nil
}

func (f *fakes) Dismiss(_ context.Context, date string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dismissed = date
	f.checkin = api.Checkin{}
	return nil
}

func (f *fakes) Refresh() {
	f.mu.Lock()
	f.refreshed++
	f.mu.Unlock()
}
