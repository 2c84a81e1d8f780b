package web

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mindful-app/mindful/daemon/api"
)

// maxReflection is the longest reflection the form takes, in characters.
const maxReflection = 2000

// answers are the series of "Habit or need?", in the order the charts
// stack them.
var answers = []Series{
	{Key: "habit", Label: "Habit"},
	{Key: "continued", Label: "Habit, continued"},
	{Key: "need", Label: "Need"},
	{Key: "left", Label: "Left during the pause"},
}

func answerValues(o api.Opens) []float64 {
	return []float64{float64(o.Habit), float64(o.HabitContinued), float64(o.Need), float64(o.LeftDuringPause)}
}

type todayData struct {
	S          api.Summary
	Heading    string
	IsToday    bool
	Prev, Next string // dates, "" when there is none
	Answers    []answerRow
	FeedBars   []feedBar
	CheckinDue bool // the check-in asks about this day
	// NotEnforced says, per browser and reason, how long breaks went
	// unenforced: "Firefox ESR: 30 min, not connected".
	NotEnforced []notEnforced
	Reflection  string
	Now         time.Time // for "laptop: last seen 3 h ago"
}

// notEnforced is one line of the day's "not enforced" record.
type notEnforced struct {
	Browser, Why string
	Seconds      int64
}

// feedBar is one feed's time on Today: a bar Pct (1–100) of the longest.
type feedBar struct {
	ID, Text string
	Pct      int
}

type answerRow struct {
	Key, Label string
	N          int
}

func (s *Server) todayPage(ctx context.Context, r *http.Request, v *view) (string, error) {
	date := r.URL.Query().Get("date")
	if date != "" {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			v.Error = "That date is not one mindful knows (want YYYY-MM-DD); here is today."
			date = ""
		}
	}
	sum, err := s.cfg.Summaries.Day(ctx, date)
	if err != nil {
		return "today", err
	}
	today := s.today(ctx)
	d := todayData{S: sum, Heading: day(sum.Date), IsToday: sum.Date == today, Reflection: sum.Reflection, Now: s.now()}
	if d.IsToday {
		d.Heading = "Today"
	}
	if t, err := time.Parse(time.DateOnly, sum.Date); err == nil {
		d.Prev = t.AddDate(0, 0, -1).Format(time.DateOnly)
		if n := t.AddDate(0, 0, 1).Format(time.DateOnly); n <= today {
			d.Next = n
		}
	}
	d.NotEnforced = notEnforcedLines(sum.Breaks.NotEnforced)
	vals := answerValues(sum.Opens)
	for j, a := range answers {
		d.Answers = append(d.Answers, answerRow{Key: a.Key, Label: a.Label, N: int(vals[j])})
	}
	var most int64
	for _, f := range sum.Feeds {
		most = max(most, f.Seconds)
	}
	for _, f := range sum.Feeds {
		if f.Seconds > 0 {
			d.FeedBars = append(d.FeedBars, feedBar{ID: f.ID, Text: fmtDur(f.Seconds), Pct: max(1, int(100*f.Seconds/most))})
		}
	}
	d.CheckinDue = v.Checkin.Due && v.Checkin.Date == sum.Date && sum.Reflection == ""
	v.CheckinHere = v.Checkin.Date == sum.Date
	v.Title = d.Heading
	v.Data = d
	return "today", nil
}

// today returns the date of the user's current day: it starts at the
// day_start setting (04:00 when it cannot be read).
func (s *Server) today(ctx context.Context) string {
	h, m := 4, 0
	if set, err := s.cfg.Settings.Settings(ctx); err == nil {
		if t, err := time.Parse("15:04", set.DayStart); err == nil {
			h, m = t.Hour(), t.Minute()
		}
	}
	now := s.now().In(s.loc)
	y, mo, d := now.Date()
	if now.Before(time.Date(y, mo, d, h, m, 0, 0, s.loc)) {
		d--
	}
	return time.Date(y, mo, d, 12, 0, 0, 0, s.loc).Format(time.DateOnly)
}

// feedChart is time per feed, most first (fs is already in that order).
func feedChart(id, title string, fs []api.FeedDay, empty string) HBarChart {
	c := HBarChart{ID: id, Title: title, Empty: empty}
	var parts []string
	for _, f := range fs {
		if f.Seconds <= 0 {
			continue
		}
		c.Bars = append(c.Bars, HBar{Label: f.ID, Value: float64(f.Seconds), Text: fmtDur(f.Seconds)})
		parts = append(parts, f.ID+" "+fmtDur(f.Seconds))
	}
	c.Desc = "Time with each feed in view: " + strings.Join(parts, ", ") + "."
	if len(parts) == 0 {
		c.Desc = empty
	}
	return c
}

func (s *Server) reflectionSave(w http.ResponseWriter, r *http.Request, sess session) {
	date := r.PostForm.Get("date")
	text := strings.TrimSpace(r.PostForm.Get("reflection"))
	back := "/today"
	if date != "" {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			s.show(w, r, sess, http.StatusBadRequest, s.todayPage, "date: want YYYY-MM-DD.", "")
			return
		}
		back += "?date=" + date
	}
	if n := utf8.RuneCountInString(text); n > maxReflection {
		s.show(w, r, sess, http.StatusBadRequest, s.todayPage, "Your reflection is longer than 2,000 characters; please shorten it a little.", "")
		return
	}
	if err := s.cfg.Summaries.SaveReflection(r.Context(), date, text); err != nil {
		s.show(w, r, sess, http.StatusBadRequest, s.todayPage, "Not saved: "+err.Error(), "")
		return
	}
	s.cfg.Checkin.Refresh()
	redirectDone(w, r, back, "reflection")
}

func (s *Server) checkinDismiss(w http.ResponseWriter, r *http.Request, sess session) {
	if err := s.cfg.Checkin.Dismiss(r.Context(), r.PostForm.Get("date")); err != nil {
		s.show(w, r, sess, http.StatusBadRequest, s.todayPage, "Not dismissed: "+err.Error(), "")
		return
	}
	redirectDone(w, r, "/today", "dismissed")
}

// notEnforcedLines sums the day's not-enforced periods per browser and
// reason, in the order they first appear.
func notEnforcedLines(ps []api.Period) []notEnforced {
	var out []notEnforced
	idx := map[[2]string]int{}
	for _, p := range ps {
		why := "no browser was connected, so nothing was blocked then"
		switch p.Reason {
		case api.NotConnected:
			why = "not connected to mindful"
		case api.LimitedAccess:
			why = "connected, without access to some sites"
		}
		browser := p.Browser
		if browser == "" && p.Reason != "" {
			browser = "a browser"
		}
		k := [2]string{p.Client, p.Reason}
		if i, ok := idx[k]; ok {
			out[i].Seconds += p.Seconds
			continue
		}
		idx[k] = len(out)
		out = append(out, notEnforced{Browser: browser, Why: why, Seconds: p.Seconds})
	}
	return out
}
