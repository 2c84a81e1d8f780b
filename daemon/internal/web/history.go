package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// Ranges the history offers, in days.
var historyRanges = []int{30, 90}

var breakSeries = []Series{
	{Key: "kept", Label: "Kept"},
	{Key: "early", Label: "Ended early"},
}

type historyData struct {
	Days       int
	Ranges     []int
	From, To   string
	Opens      StackedChart
	FeedTime   HBarChart
	Breaks     StackedChart
	Rows       []historyRow // newest first, for the table
	TotalOpens int
	AvgOpens   string
	Kept       int
	Planned    int
	EndedEarly int
	FeedSecs   int64
}

type historyRow struct {
	Date    string
	O       api.Opens
	Seconds int64
	Kept    int
	Planned int
}

func (s *Server) historyPage(ctx context.Context, r *http.Request, v *view) (string, error) {
	n := 30
	if r.URL.Query().Get("days") == "90" {
		n = 90
	}
	today := s.today(ctx)
	end, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return "history", fmt.Errorf("today's date %q: %w", today, err)
	}
	from := end.AddDate(0, 0, -(n - 1)).Format(time.DateOnly)
	days, err := s.cfg.Summaries.Days(ctx, from, today)
	if err != nil {
		return "history", err
	}
	v.Title = fmt.Sprintf("History: the last %d days", n)
	v.Data = history(days, n, from, today)
	return "history", nil
}

// history builds the page's charts from the days, oldest first.
func history(days []api.Summary, n int, from, to string) historyData {
	h := historyData{Days: n, Ranges: historyRanges, From: from, To: to}
	h.Opens = StackedChart{
		ID: "opens", Title: fmt.Sprintf("Feed opens per day, last %d days", n),
		YLabel: "opens", Series: answers, Empty: "No feed opens in these days.",
	}
	h.Breaks = StackedChart{
		ID: "breaks", Title: fmt.Sprintf("Breaks per day, last %d days", n),
		YLabel: "breaks", Series: breakSeries, Empty: "No breaks in these days.",
	}
	perFeed := map[string]int64{}
	for _, d := range days {
		x := shortDay(d.Date)
		h.Opens.X = append(h.Opens.X, x)
		h.Opens.Values = append(h.Opens.Values, answerValues(d.Opens))
		h.Breaks.X = append(h.Breaks.X, x)
		h.Breaks.Values = append(h.Breaks.Values, []float64{float64(d.Breaks.Kept), float64(d.Breaks.EndedEarly)})
		h.TotalOpens += d.Opens.Total
		h.Kept += d.Breaks.Kept
		h.Planned += d.Breaks.Planned
		h.EndedEarly += d.Breaks.EndedEarly
		h.FeedSecs += d.SecondsOnFeeds
		for _, f := range d.Feeds {
			perFeed[f.ID] += f.Seconds
		}
		h.Rows = append(h.Rows, historyRow{Date: d.Date, O: d.Opens, Seconds: d.SecondsOnFeeds, Kept: d.Breaks.Kept, Planned: d.Breaks.Planned})
	}
	for i, j := 0, len(h.Rows)-1; i < j; i, j = i+1, j-1 {
		h.Rows[i], h.Rows[j] = h.Rows[j], h.Rows[i]
	}
	if len(days) > 0 {
		h.AvgOpens = fmtNum(float64(int(float64(h.TotalOpens)/float64(len(days))*10+0.5)) / 10)
	}
	h.Opens.Desc = fmt.Sprintf("%d feed opens from %s to %s, stacked by answer: habit, habit continued, need, left during the pause. The table below has every number.", h.TotalOpens, day(from), day(to))
	h.Breaks.Desc = fmt.Sprintf("%d of %d breaks kept, %d ended early, from %s to %s.", h.Kept, h.Planned, h.EndedEarly, day(from), day(to))
	var fs []api.FeedDay
	for id, secs := range perFeed {
		fs = append(fs, api.FeedDay{ID: id, Seconds: secs})
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].Seconds != fs[j].Seconds {
			return fs[i].Seconds > fs[j].Seconds
		}
		return fs[i].ID < fs[j].ID
	})
	h.FeedTime = feedChart("feedtime", fmt.Sprintf("Time on each feed, last %d days", n), fs, "No time on feeds in these days.")
	return h
}
