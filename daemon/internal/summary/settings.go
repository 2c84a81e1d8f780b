package summary

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/daystart"
	"github.com/mindful-app/mindful/daemon/internal/state"
)

// Setting keys in the store. The day start is read by daystart, which
// falls back to the older hour-only day_start_hour when day_start is not
// set; SetSettings keeps the two equal.
const (
	keyDayStart     = daystart.Key
	keyDayStartHour = daystart.KeyHour
	keyCheckin      = "checkin_time"
	keyRetention    = "retention_days"
	keyFullURLs     = "store_full_urls"
	keyPauseSeconds = "prompt.pause_seconds"
)

// Defaults.
const (
	DefaultDayStart    = "04:00"
	DefaultCheckinTime = "21:00"
	MaxRetentionDays   = 36500
)

// ParseClock parses "HH:MM" (00:00–23:59); the error names field.
func ParseClock(field, s string) (h, m int, err error) {
	if h, m, ok := daystart.ParseClock(s); ok {
		return h, m, nil
	}
	return 0, 0, invalid("%s: want HH:MM, got %q", field, s)
}

// dayStart returns the hour and minute the user's day starts at.
func (s *Service) dayStart(ctx context.Context) (int, int, error) {
	return daystart.Read(ctx, s.cfg.Store)
}

// Settings returns the user's general settings.
func (s *Service) Settings(ctx context.Context) (api.Settings, error) {
	h, m, err := s.dayStart(ctx)
	if err != nil {
		return api.Settings{}, err
	}
	out := api.Settings{DayStart: fmt.Sprintf("%02d:%02d", h, m), CheckinTime: DefaultCheckinTime, PromptPauseSeconds: state.DefaultPauseSeconds}
	if v, err := s.cfg.Store.Setting(ctx, keyCheckin, ""); err != nil {
		return out, err
	} else if _, _, err := ParseClock(keyCheckin, v); err == nil {
		out.CheckinTime = v
	}
	if v, err := s.cfg.Store.Setting(ctx, keyRetention, ""); err != nil {
		return out, err
	} else if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		out.RetentionDays = n
	}
	if v, err := s.cfg.Store.Setting(ctx, keyFullURLs, ""); err != nil {
		return out, err
	} else {
		out.StoreFullURLs = v == "true"
	}
	if s.cfg.State != nil {
		ps, err := s.cfg.State.PromptSettings(ctx)
		if err != nil {
			return out, err
		}
		out.PromptPauseSeconds = ps.PauseSeconds
	} else if v, err := s.cfg.Store.Setting(ctx, keyPauseSeconds, ""); err != nil {
		return out, err
	} else if f, err := strconv.ParseFloat(v, 64); err == nil {
		out.PromptPauseSeconds = f
	}
	return out, nil
}

// Validate checks every field of set and returns all the problems, each
// naming its field.
func Validate(set api.Settings) error {
	var errs []error
	if _, _, err := ParseClock("day_start", set.DayStart); err != nil {
		errs = append(errs, err)
	}
	if _, _, err := ParseClock("checkin_time", set.CheckinTime); err != nil {
		errs = append(errs, err)
	}
	if set.RetentionDays < 0 || set.RetentionDays > MaxRetentionDays {
		errs = append(errs, invalid("retention_days: want 0 (keep forever) to %d, got %d", MaxRetentionDays, set.RetentionDays))
	}
	if math.IsNaN(set.PromptPauseSeconds) || set.PromptPauseSeconds < 0 || set.PromptPauseSeconds > 60 {
		errs = append(errs, invalid("prompt_pause_seconds: want 0 to 60, got %g", set.PromptPauseSeconds))
	}
	return errors.Join(errs...)
}

// SetSettings validates and stores all of set. Nothing is stored when a
// field is invalid. A shorter retention is enforced at once.
func (s *Service) SetSettings(ctx context.Context, set api.Settings) error {
	if err := Validate(set); err != nil {
		return err
	}
	h, _, _ := ParseClock("day_start", set.DayStart)
	kv := map[string]string{
		keyDayStart:     set.DayStart,
		keyDayStartHour: strconv.Itoa(h),
		keyCheckin:      set.CheckinTime,
		keyRetention:    strconv.Itoa(set.RetentionDays),
		keyFullURLs:     strconv.FormatBool(set.StoreFullURLs),
	}
	if s.cfg.State == nil {
		kv[keyPauseSeconds] = strconv.FormatFloat(set.PromptPauseSeconds, 'f', -1, 64)
	}
	if err := s.cfg.Store.SetSettings(ctx, kv); err != nil {
		return err
	}
	s.fullURLs.Store(set.StoreFullURLs)
	if s.cfg.State != nil {
		// Through the state service, so that browsers hear of it.
		if err := s.cfg.State.SetPromptSettings(ctx, set.PromptPauseSeconds, -1); err != nil {
			return err
		}
	}
	if set.RetentionDays > 0 {
		if _, err := s.Prune(ctx); err != nil {
			return err
		}
	}
	s.cfg.Changes.Publish(changes.SettingsChanged{})
	return nil
}

// CheckinTimes returns the user's day start and check-in time ("HH:MM"),
// which the evening check-in watches.
func (s *Service) CheckinTimes(ctx context.Context) (dayStart, checkin string, err error) {
	set, err := s.Settings(ctx)
	return set.DayStart, set.CheckinTime, err
}

// StoreFullURLs reports whether the user opted in to keeping full URLs. It
// is cheap (no database read) and is what the WebSocket layer asks before
// it stores each batch of events.
func (s *Service) StoreFullURLs() bool { return s.fullURLs.Load() }

// loadFlags reads the settings the Service caches.
func (s *Service) loadFlags(ctx context.Context) error {
	v, err := s.cfg.Store.Setting(ctx, keyFullURLs, "")
	if err != nil {
		return err
	}
	s.fullURLs.Store(v == "true")
	return nil
}

// Prune deletes the events older than the retention setting (none when it
// is 0) and returns how many it deleted.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	v, err := s.cfg.Store.Setting(ctx, keyRetention, "")
	if err != nil {
		return 0, err
	}
	days, err := strconv.Atoi(v)
	if err != nil || days <= 0 {
		return 0, nil
	}
	cut := s.cfg.Now().AddDate(0, 0, -days)
	n, err := s.cfg.Store.PruneEvents(ctx, cut)
	if err == nil && n > 0 {
		s.cfg.Logger.Info("old events deleted", "retention_days", days, "before", cut.UTC().Format(time.RFC3339), "count", n)
	}
	return n, err
}

// RunPrune prunes at once and then once a day until ctx ends.
func (s *Service) RunPrune(ctx context.Context) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		if _, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("old events not deleted", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
