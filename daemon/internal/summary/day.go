package summary

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/daystart"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// Lookback is how long before a day's start the events are read that set
// the state at the start (which tab is on which feed, focus, idle).
const Lookback = 6 * time.Hour

// MaxDays is the longest range Days returns.
const MaxDays = 400

// usualDays is how many days before a day make "your usual".
const usualDays = 7

// rollupVersion changes when the computation of a day part changes, so that
// older rollups are computed again.
const rollupVersion = "v1"

// dayPart is the part of a day computed from its events alone, which the
// summary_days rollups store for days that are over.
type dayPart struct {
	Opens          api.Opens       `json:"opens"`
	Feeds          []api.FeedDay   `json:"feeds"`
	SecondsOnFeeds int64           `json:"seconds_on_feeds"`
	Needs          []api.NeedOpen  `json:"needs"`
	Attempts       []api.SiteCount `json:"attempts"`
	Notes          []api.Note      `json:"notes"`
}

// span is one day of the user: [from, to).
type span struct {
	date     string
	from, to time.Time
}

// ParseDate checks a YYYY-MM-DD date.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, invalid("%s: want YYYY-MM-DD, got %q", field, s)
	}
	return t, nil
}

// dayOf returns the user's day that starts on the calendar date d.
func (s *Service) dayOf(d time.Time, h, m int) span {
	y, mo, dd := d.Date()
	from := time.Date(y, mo, dd, h, m, 0, 0, s.cfg.Loc)
	to := time.Date(y, mo, dd+1, h, m, 0, 0, s.cfg.Loc)
	return span{date: time.Date(y, mo, dd, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), from: from, to: to}
}

// today returns the calendar date of the user's day that contains now.
func (s *Service) today(h, m int) time.Time {
	y, mo, d := daystart.Began(s.cfg.Now().In(s.cfg.Loc), h, m).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// Day returns the summary of one day; date is YYYY-MM-DD, "" for today
// (the day that contains now). A day without data is all zeros.
func (s *Service) Day(ctx context.Context, date string) (api.Summary, error) {
	if date == "" {
		h, m, err := s.dayStart(ctx)
		if err != nil {
			return api.Summary{}, err
		}
		date = s.today(h, m).Format(time.DateOnly)
	} else if _, err := ParseDate("date", date); err != nil {
		return api.Summary{}, err
	}
	out, err := s.Days(ctx, date, date)
	if err != nil {
		return api.Summary{}, err
	}
	return out[0], nil
}

// Days returns the summaries of the days from..to (YYYY-MM-DD, both
// included, oldest first; at most MaxDays days). "" is today.
func (s *Service) Days(ctx context.Context, from, to string) ([]api.Summary, error) {
	h, m, err := s.dayStart(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today(h, m)
	fd, td := today, today
	if from != "" {
		if fd, err = ParseDate("from", from); err != nil {
			return nil, err
		}
	}
	if to != "" {
		if td, err = ParseDate("to", to); err != nil {
			return nil, err
		}
	}
	if td.Before(fd) {
		return nil, invalid("to: %s is before from %s", td.Format(time.DateOnly), fd.Format(time.DateOnly))
	}
	n := int(td.Sub(fd).Hours()/24) + 1
	if n > MaxDays {
		return nil, invalid("from..to: %d days, at most %d", n, MaxDays)
	}
	// The days asked for, and the usualDays before them for "your usual".
	spans := make([]span, 0, n+usualDays)
	for i := -usualDays; i < n; i++ {
		spans = append(spans, s.dayOf(fd.AddDate(0, 0, i), h, m))
	}
	now := s.cfg.Now()
	first, hasData, err := s.cfg.Store.FirstEventTime(ctx)
	if err != nil {
		return nil, err
	}
	parts, err := s.parts(ctx, spans, now, first, hasData)
	if err != nil {
		return nil, err
	}

	asked := spans[usualDays:]
	lo, hi := asked[0].from, asked[len(asked)-1].to
	bk, err := s.breakData(ctx, lo, hi)
	if err != nil {
		return nil, err
	}
	refl, err := s.cfg.Store.Reflections(ctx, asked[0].date, asked[len(asked)-1].date)
	if err != nil {
		return nil, err
	}
	devs, err := s.cfg.Store.SyncDevices(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]api.Summary, len(asked))
	for i, sp := range asked {
		p := parts[i+usualDays]
		sum := api.Summary{
			Date: sp.date, Start: sp.from.UTC(), End: sp.to.UTC(),
			Opens: p.Opens, Feeds: p.Feeds, SecondsOnFeeds: p.SecondsOnFeeds, Needs: p.Needs,
			Notes: p.Notes, Reflection: refl[sp.date],
		}
		sum.Breaks = bk.day(sp.from, sp.to, now)
		sum.Breaks.Attempts = p.Attempts
		var prev []dayPart
		var prevSpans []span
		for j := i; j < i+usualDays; j++ {
			if hasData && spans[j].to.UnixMilli() > first {
				prev = append(prev, parts[j])
				prevSpans = append(prevSpans, spans[j])
			}
		}
		sum.Usual = usual(p, prev)
		if sum.Usual != nil && sp.from.Before(now) && now.Before(sp.to) {
			// Today is not over: compare with the usual by this time of day.
			if err := s.usualSoFar(ctx, sum.Usual, p, prevSpans, now.Sub(sp.from)); err != nil {
				return nil, err
			}
		}
		if sum.Devices, err = s.byDevice(ctx, devs, sp, now); err != nil {
			return nil, err
		}
		out[i] = sum
	}
	return out, nil
}

// byDevice is a day's breakdown by device, when other devices share it.
func (s *Service) byDevice(ctx context.Context, devs []store.SyncDevice, sp span, now time.Time) ([]api.SummaryDevice, error) {
	if len(devs) == 0 {
		return nil, nil
	}
	opens, err := s.cfg.Store.OpensByDevice(ctx, sp.from, sp.to)
	if err != nil {
		return nil, err
	}
	out := []api.SummaryDevice{{Name: "this computer", Opens: opens[""]}}
	for _, d := range devs {
		seen := d.LastWritten
		out = append(out, api.SummaryDevice{ID: d.ID, Name: d.Name, Opens: opens[d.ID], LastSeen: &seen, Stale: now.Sub(seen) > api.StaleAfter})
	}
	return out, nil
}

// parts computes (or reads from the rollups) the event part of each span.
func (s *Service) parts(ctx context.Context, spans []span, now time.Time, first int64, hasData bool) ([]dayPart, error) {
	out := make([]dayPart, len(spans))
	// The mark comes before every read, so that PutRollups can tell
	// whether anything changed while the rollups were computed.
	mark, err := s.cfg.Store.Mark(ctx)
	if err != nil {
		return nil, err
	}
	rolls, err := s.cfg.Store.Rollups(ctx, spans[0].date, spans[len(spans)-1].date)
	if err != nil {
		return nil, err
	}
	var fresh []store.Rollup
	for i, sp := range spans {
		if !hasData || !sp.from.Before(now) || sp.to.UnixMilli() <= first {
			out[i] = emptyPart()
			continue
		}
		lf, lt := sp.from.Add(-Lookback).UnixMilli(), sp.to.UnixMilli()
		over := !sp.to.After(now)
		if over {
			if r, ok := rolls[sp.date]; ok && r.SpanFrom == lf && r.From == sp.from.UnixMilli() && r.To == lt && r.Version == rollupVersion {
				var p dayPart
				if err := json.Unmarshal(r.Body, &p); err == nil {
					out[i] = p
					continue
				}
			}
		}
		end := minTime(sp.to, now)
		acts, err := s.cfg.Store.ActivityEvents(ctx, lf, end.UnixMilli())
		if err != nil {
			return nil, err
		}
		evs, err := s.cfg.Store.SummaryEventsOf(ctx, sp.from.UnixMilli(), end.UnixMilli(), api.EventPrompt, api.EventBreakAttempt, api.EventBreakNote)
		if err != nil {
			return nil, err
		}
		ss, err := s.cfg.Store.Sessions(ctx, sp.from.Add(-Lookback), end)
		if err != nil {
			return nil, err
		}
		p := computePart(activities(acts), evs, connected(ss), sp.from.UnixMilli(), end.UnixMilli())
		out[i] = p
		if over {
			body, err := json.Marshal(p)
			if err != nil {
				return nil, err
			}
			fresh = append(fresh, store.Rollup{Day: sp.date, SpanFrom: lf, From: sp.from.UnixMilli(), To: lt, Version: rollupVersion, Body: body})
		}
	}
	if err := s.cfg.Store.PutRollups(ctx, mark, fresh); err != nil {
		// A rollup is only a cache: the summary stands without it.
		s.cfg.Logger.Warn("summary rollups not stored", "err", err)
	}
	return out, nil
}

func connected(ss []store.Session) []Connected {
	out := make([]Connected, len(ss))
	for i, x := range ss {
		out[i] = Connected{Client: x.ClientID, Start: x.ConnectedAt.UnixMilli()}
		if !x.Disconnected.IsZero() {
			out[i].End = x.Disconnected.UnixMilli()
		}
	}
	return out
}

func emptyPart() dayPart {
	return dayPart{Feeds: []api.FeedDay{}, Needs: []api.NeedOpen{}, Attempts: []api.SiteCount{}, Notes: []api.Note{}}
}

// seconds rounds milliseconds to whole seconds.
func seconds(ms int64) int64 { return (ms + 500) / 1000 }

var kindNames = [...]string{
	store.KindTabNavigated: api.EventTabNavigated,
	store.KindTabActivated: api.EventTabActivated,
	store.KindTabClosed:    api.EventTabClosed,
	store.KindWindowFocus:  api.EventWindowFocus,
	store.KindIdleState:    api.EventIdleState,
}

func activities(rows []store.ActivityRow) []Activity {
	out := make([]Activity, len(rows))
	for i, r := range rows {
		out[i] = Activity{Client: r.ClientID, TS: r.TS, Type: kindNames[r.Kind], TabID: r.TabID, WindowID: r.WindowID,
			HasTab: r.HasTab, HasWin: r.HasWin, FeedID: r.FeedID, State: r.State}
	}
	return out
}

// computePart computes the event part of the day [from, to) (unix ms)
// from its tab, window and idle events acts (which start before from: the
// lookback) and its other events evs (prompts, break attempts and notes).
func computePart(acts []Activity, evs []store.SummaryEvent, conn []Connected, from, to int64) dayPart {
	p := emptyPart()
	feeds := map[string]*api.FeedDay{}
	feed := func(id string) *api.FeedDay {
		f := feeds[id]
		if f == nil {
			f = &api.FeedDay{ID: id}
			feeds[id] = f
		}
		return f
	}
	extended := map[string]bool{}
	var needs []store.SummaryEvent
	attempts := map[string]int{}
	for _, e := range evs {
		if e.TS < from || e.TS >= to {
			continue
		}
		switch e.Type {
		case api.EventPrompt:
			if e.Extends != "" {
				extended[e.ClientID+"\x00"+e.Extends] = true
			}
			f := feed(e.FeedID)
			switch e.Answer {
			case "habit":
				p.Opens.Habit++
				f.Habit++
			case "habit_continued":
				p.Opens.HabitContinued++
				f.HabitContinued++
			case "need":
				p.Opens.Need++
				f.Need++
				needs = append(needs, e)
			case "left_during_pause":
				p.Opens.LeftDuringPause++
				f.LeftDuringPause++
			default:
				continue
			}
			p.Opens.Total++
			f.Opens++
		case api.EventBreakAttempt:
			attempts[e.Domain]++
		case api.EventBreakNote:
			if e.Note != "" {
				p.Notes = append(p.Notes, api.Note{At: time.UnixMilli(e.TS).UTC(), Note: e.Note})
			}
		}
	}
	perFeed, total := Accumulate(acts, conn, from, to)
	for id, ms := range perFeed {
		feed(id).Seconds = seconds(ms)
	}
	p.SecondsOnFeeds = seconds(total)
	for _, f := range feeds {
		if f.Opens > 0 || f.Seconds > 0 {
			p.Feeds = append(p.Feeds, *f)
		}
	}
	slices.SortFunc(p.Feeds, func(a, b api.FeedDay) int {
		if c := cmp.Compare(b.Seconds, a.Seconds); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Opens, a.Opens); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, e := range needs {
		secs := int64(math.Round(e.SecondsOnFeed))
		p.Needs = append(p.Needs, api.NeedOpen{
			At: time.UnixMilli(e.TS).UTC(), FeedID: e.FeedID, Purpose: e.Purpose, TimeboxMinutes: e.TimeboxMinutes,
			SecondsOnFeed: secs, OverSeconds: max(0, secs-e.TimeboxMinutes*60),
			Extended: extended[e.ClientID+"\x00"+e.EID],
		})
	}
	for d, n := range attempts {
		p.Attempts = append(p.Attempts, api.SiteCount{Domain: d, Count: n})
	}
	slices.SortFunc(p.Attempts, func(a, b api.SiteCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Domain, b.Domain)
	})
	return p
}

// usual compares p with the average of prev; nil when prev is empty.
func usual(p dayPart, prev []dayPart) *api.Usual {
	if len(prev) == 0 {
		return nil
	}
	var opens, secs float64
	for _, x := range prev {
		opens += float64(x.Opens.Total)
		secs += float64(x.SecondsOnFeeds)
	}
	u := &api.Usual{Days: len(prev), Opens: round1(opens / float64(len(prev))), SecondsOnFeeds: math.Round(secs / float64(len(prev)))}
	u.OpensDiff = p.Opens.Total - int(math.Round(opens/float64(len(prev))))
	u.Text = UsualText(p.Opens.Total, u.OpensDiff)
	return u
}

// usualSoFar makes u compare today's opens with the average opens of the
// days in prev within the same time after their start.
func (s *Service) usualSoFar(ctx context.Context, u *api.Usual, p dayPart, prev []span, elapsed time.Duration) error {
	times, err := s.cfg.Store.PromptTimes(ctx, prev[0].from.UnixMilli(), prev[len(prev)-1].to.UnixMilli())
	if err != nil {
		return err
	}
	n := 0
	for _, sp := range prev {
		from, cut := sp.from.UnixMilli(), sp.from.Add(elapsed).UnixMilli()
		for _, t := range times {
			if t >= from && t < cut {
				n++
			}
		}
	}
	avg := float64(n) / float64(len(prev))
	u.SoFar = true
	u.Opens = round1(avg)
	u.OpensDiff = p.Opens.Total - int(math.Round(avg))
	u.Text = UsualTextSoFar(p.Opens.Total, u.OpensDiff)
	return nil
}

// UsualTextSoFar is UsualText for a day that is not over: "3 opens so
// far, 2 fewer than your usual by this time".
func UsualTextSoFar(opens, diff int) string {
	s := plural(opens, "open", "opens") + " so far"
	switch {
	case diff < 0:
		return fmt.Sprintf("%s, %d fewer than your usual by this time", s, -diff)
	case diff > 0:
		return fmt.Sprintf("%s, %d more than your usual by this time", s, diff)
	}
	return s + ", as many as your usual by this time"
}

// UsualText says how a day's opens compare: "9 opens, 4 fewer than your
// usual".
func UsualText(opens, diff int) string {
	s := plural(opens, "open", "opens")
	switch {
	case diff < 0:
		return fmt.Sprintf("%s, %d fewer than your usual", s, -diff)
	case diff > 0:
		return fmt.Sprintf("%s, %d more than your usual", s, diff)
	}
	return s + ", as many as your usual"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// breakData is what the break part of a range of days needs.
type breakData struct {
	windows  []schedule.Window
	ends     map[string]store.EarlyEnd
	sessions []store.Session
	clients  []store.Client
	access   []store.AccessChange
}

func (s *Service) breakData(ctx context.Context, from, to time.Time) (breakData, error) {
	var bd breakData
	if s.cfg.Breaks == nil {
		return bd, nil
	}
	ws, err := s.cfg.Breaks.Windows(ctx, from, to)
	if err != nil {
		return bd, err
	}
	bd.windows = ws
	ends, err := s.cfg.Store.EarlyEnds(ctx, from.Add(-breaks.Horizon))
	if err != nil {
		return bd, err
	}
	bd.ends = make(map[string]store.EarlyEnd, len(ends))
	for _, e := range ends {
		bd.ends[e.WindowKey] = e
	}
	if bd.sessions, err = s.cfg.Store.Sessions(ctx, from, to); err != nil {
		return bd, err
	}
	if bd.clients, err = s.cfg.Store.Clients(ctx); err != nil {
		return bd, err
	}
	if bd.access, err = s.cfg.Store.AccessChanges(ctx, to); err != nil {
		return bd, err
	}
	return bd, nil
}

// day returns the breaks of the day [from, to) as of now.
func (bd breakData) day(from, to, now time.Time) api.BreakDay {
	out := api.BreakDay{Windows: []api.BreakEntry{}, Attempts: []api.SiteCount{}, NotEnforced: []api.Period{}}
	var clipped [][2]time.Time
	for _, w := range bd.windows {
		if !w.Start.Before(to) || !w.End.After(from) {
			continue
		}
		out.Planned++
		e := api.BreakEntry{Name: w.Name, Start: w.Start.UTC()}
		if !breaks.OpenEnded(w) {
			end := w.End.UTC()
			e.End = &end
		}
		if x, ok := bd.ends[w.Key]; ok {
			out.EndedEarly++
			e.EndedEarly, e.Reason = true, x.Reason
			pe := x.PlannedEnd.UTC()
			if breaks.OpenEnded(schedule.Window{End: x.PlannedEnd}) {
				e.PlannedEnd = nil
			} else {
				e.PlannedEnd = &pe
			}
		} else if !w.End.After(now) {
			out.Kept++
		} else if !w.Start.After(now) {
			e.Running = true
		}
		out.Windows = append(out.Windows, e)
		a, b := maxTime(w.Start, from), minTime(w.End, minTime(to, now))
		if a.Before(b) {
			clipped = append(clipped, [2]time.Time{a, b})
		}
	}
	out.NotEnforced = bd.notEnforced(mergeSpans(clipped), now)
	return out
}

// notEnforced returns, for each paired browser, the parts of the break
// spans it did not enforce, and why:
//
//	break       |==========================================|
//	connected      |======|          |========================
//	access                    full       |limited|   full
//	not enforced|--|      |----------|   |-------|
//	             not connected          limited access
//
// A browser counts from when it was paired. Before any browser is paired
// (or for sessions of browsers no longer paired) the old question stands:
// when was no browser connected at all.
func (bd breakData) notEnforced(spans [][2]time.Time, now time.Time) []api.Period {
	if len(bd.clients) == 0 {
		return uncovered(spans, bd.sessions, now)
	}
	out := []api.Period{}
	for _, c := range bd.clients {
		var mine [][2]time.Time
		for _, sp := range spans {
			if a := maxTime(sp[0], c.PairedAt); a.Before(sp[1]) {
				mine = append(mine, [2]time.Time{a, sp[1]})
			}
		}
		var ss []store.Session
		for _, x := range bd.sessions {
			if x.ClientID == c.ID {
				ss = append(ss, x)
			}
		}
		name := browserName(c.Browser)
		for _, p := range uncovered(mine, ss, now) {
			p.Client, p.Browser, p.Reason = c.ID, name, api.NotConnected
			out = append(out, p)
		}
		// Connected, but without access to some sites.
		connected := spansOf(ss, now)
		for _, lim := range limitedSpans(bd.access, c.ID, now) {
			for _, sp := range intersect(intersect(mine, connected), [][2]time.Time{lim}) {
				p := period(sp[0], sp[1])
				p.Client, p.Browser, p.Reason = c.ID, name, api.LimitedAccess
				out = append(out, p)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b api.Period) int { return a.Start.Compare(b.Start) })
	return out
}

// spansOf returns the merged spans of sessions (an open one lasts until now).
func spansOf(ss []store.Session, now time.Time) [][2]time.Time {
	var out [][2]time.Time
	for _, x := range ss {
		end := x.Disconnected
		if end.IsZero() {
			end = now
		}
		if x.ConnectedAt.Before(end) {
			out = append(out, [2]time.Time{x.ConnectedAt, end})
		}
	}
	return mergeSpans(out)
}

// limitedSpans returns when client's last access event said "limited", up
// to its next access event (or now).
func limitedSpans(changes []store.AccessChange, client string, now time.Time) [][2]time.Time {
	var out [][2]time.Time
	var from time.Time
	limited := false
	for _, a := range changes {
		if a.ClientID != client {
			continue
		}
		if limited && a.At.After(from) {
			out = append(out, [2]time.Time{from, a.At})
		}
		limited, from = a.State == "limited", a.At
	}
	if limited && now.After(from) {
		out = append(out, [2]time.Time{from, now})
	}
	return mergeSpans(out)
}

// intersect returns the parts common to two sets of merged spans.
func intersect(a, b [][2]time.Time) [][2]time.Time {
	var out [][2]time.Time
	for _, x := range a {
		for _, y := range b {
			lo, hi := maxTime(x[0], y[0]), minTime(x[1], y[1])
			if lo.Before(hi) {
				out = append(out, [2]time.Time{lo, hi})
			}
		}
	}
	return mergeSpans(out)
}

// browserName is how the reflection names a browser.
func browserName(b string) string {
	switch b {
	case "chrome":
		return "Chrome"
	case "chromium":
		return "Chromium"
	case "edge":
		return "Edge"
	case "brave":
		return "Brave"
	case "opera":
		return "Opera"
	case "vivaldi":
		return "Vivaldi"
	case "firefox":
		return "Firefox"
	case "firefox-esr":
		return "Firefox ESR"
	case "gecko":
		return "a Gecko browser"
	}
	return "a browser"
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func mergeSpans(in [][2]time.Time) [][2]time.Time {
	slices.SortFunc(in, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	var out [][2]time.Time
	for _, x := range in {
		if n := len(out); n > 0 && !x[0].After(out[n-1][1]) {
			out[n-1][1] = maxTime(out[n-1][1], x[1])
			continue
		}
		out = append(out, x)
	}
	return out
}

// uncovered returns the parts of spans during which no session was
// connected (an open session lasts until now).
func uncovered(spans [][2]time.Time, ss []store.Session, now time.Time) []api.Period {
	cov := spansOf(ss, now)
	out := []api.Period{}
	for _, sp := range spans {
		cur := sp[0]
		for _, c := range cov {
			if !c[1].After(cur) || !c[0].Before(sp[1]) {
				continue
			}
			if c[0].After(cur) {
				out = append(out, period(cur, c[0]))
			}
			cur = maxTime(cur, c[1])
			if !cur.Before(sp[1]) {
				break
			}
		}
		if cur.Before(sp[1]) {
			out = append(out, period(cur, sp[1]))
		}
	}
	return out
}

func period(a, b time.Time) api.Period {
	return api.Period{Start: a.UTC(), End: b.UTC(), Seconds: seconds(b.Sub(a).Milliseconds())}
}
