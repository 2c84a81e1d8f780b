package control

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
)

func endsAt(w schedule.Window) *time.Time {
	if breaks.OpenEnded(w) {
		return nil
	}
	t := w.End.UTC()
	return &t
}

func (s *Server) breakStatus(ctx context.Context) (api.BreakStatus, *api.NextBreak, error) {
	active, next, err := s.Breaks.Now(ctx)
	if err != nil {
		return api.BreakStatus{}, nil, err
	}
	var bs api.BreakStatus
	if active != nil {
		bs = api.BreakStatus{Active: true, Name: active.Name, Locked: active.Locked}
		last := schedule.Window{End: active.End}
		bs.EndsAt = endsAt(last)
	}
	var nb *api.NextBreak
	if next != nil {
		nb = &api.NextBreak{Name: next.Name, StartsAt: next.Start.UTC(), EndsAt: endsAt(*next), Locked: next.Locked}
	}
	return bs, nb, nil
}

func apiRule(r schedule.Rule) api.Rule {
	return api.Rule{ID: r.ID, Name: r.Name, Kind: r.Kind, Start: r.Start, End: r.End, Locked: r.Locked, Sites: r.Sites, Enabled: r.Enabled}
}

func (s *Server) breakList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	bs, nb, err := s.breakStatus(ctx)
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	rules, err := s.Breaks.Rules(ctx)
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	used, limit, err := s.Breaks.EarlyEndsThisWeek(ctx)
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	reason, _ := s.Breaks.Reason(ctx)
	now := s.Now()
	ws, err := s.Breaks.Windows(ctx, now, now.Add(breaks.Horizon))
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	out := api.Breaks{Active: bs, Next: nb, Schedule: []api.Rule{}, Upcoming: []api.NextBreak{}, EarlyEndsThisWeek: used, EarlyEndsPerWeek: limit, Reason: reason}
	for _, r := range rules {
		out.Schedule = append(out.Schedule, apiRule(r))
	}
	for _, x := range ws {
		out.Upcoming = append(out.Upcoming, api.NextBreak{Name: x.Name, StartsAt: x.Start.UTC(), EndsAt: endsAt(x), Locked: x.Locked})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) breakStart(w http.ResponseWriter, r *http.Request) {
	var req api.BreakStartRequest
	if !readJSON(w, r, &req) {
		return
	}
	var until time.Time
	if req.Until != nil {
		until = *req.Until
	}
	if _, err := s.Breaks.StartUntil(r.Context(), req.For, until, req.Name, req.Locked); err != nil {
		writeBreakErr(w, err)
		return
	}
	s.status(w, r)
}

func (s *Server) breakStopRequest(w http.ResponseWriter, r *http.Request) {
	t, err := s.Breaks.RequestStop(r.Context())
	if err != nil {
		writeBreakErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, api.StopTicket{Ticket: t.ID, NotBefore: t.NotBefore.UTC(), Name: t.Period.Name, EndsAt: endsAt(schedule.Window{End: t.Period.End})})
}

func (s *Server) breakStop(w http.ResponseWriter, r *http.Request) {
	var req api.StopRequest
	if !readJSON(w, r, &req) {
		return
	}
	if _, err := s.Breaks.Stop(r.Context(), req.Ticket, req.Reason); err != nil {
		writeBreakErr(w, err)
		return
	}
	s.status(w, r)
}

func (s *Server) breakSettings(w http.ResponseWriter, r *http.Request) {
	var req api.BreakSettings
	if !readJSON(w, r, &req) {
		return
	}
	per := -1
	if req.EarlyEndsPerWeek != nil {
		if per = *req.EarlyEndsPerWeek; per < 0 {
			writeErr(w, http.StatusBadRequest, "early_ends_per_week: must not be negative")
			return
		}
	}
	if err := s.Breaks.SetSettings(r.Context(), req.Reason, per); err != nil {
		writeBreakErr(w, err)
		return
	}
	s.breakList(w, r)
}

func (s *Server) scheduleList(w http.ResponseWriter, r *http.Request) {
	rules, err := s.Breaks.Rules(r.Context())
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	out := []api.Rule{}
	for _, x := range rules {
		out = append(out, apiRule(x))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) scheduleAdd(w http.ResponseWriter, r *http.Request) {
	var req api.Rule
	if !readJSON(w, r, &req) {
		return
	}
	rule, err := s.Breaks.AddRule(r.Context(), schedule.Rule{Name: req.Name, Kind: req.Kind, Start: req.Start, End: req.End, Locked: req.Locked, Sites: req.Sites})
	if err != nil {
		writeBreakErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, apiRule(rule))
}

func (s *Server) scheduleRemove(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID int64 `json:"id"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if err := s.Breaks.RemoveRule(r.Context(), req.ID); err != nil {
		writeBreakErr(w, err)
		return
	}
	s.scheduleList(w, r)
}

func writeBreakErr(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, breaks.ErrInvalid):
		writeErr(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, breaks.ErrNoRule), errors.Is(err, breaks.ErrNoBreak), errors.Is(err, breaks.ErrBadTicket):
		writeErr(w, http.StatusNotFound, err.Error())
	case errors.Is(err, breaks.ErrLocked), errors.Is(err, breaks.ErrCap), errors.Is(err, breaks.ErrTooSoon):
		writeErr(w, http.StatusConflict, err.Error())
	default:
		writeErr(w, http.StatusServiceUnavailable, err.Error())
	}
}
