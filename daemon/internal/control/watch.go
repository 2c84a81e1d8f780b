package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

// today counts today's answers.
func (s *Server) today(ctx context.Context) (api.Today, error) {
	t, since, err := s.State.Today(ctx)
	if err != nil {
		return api.Today{}, err
	}
	return api.Today{
		FeedOpens: t.FeedOpens, Habit: t.Habit, HabitContinued: t.HabitContinued, Need: t.Need,
		LeftDuringPause: t.LeftDuringPause, Since: since,
	}, nil
}

// watch streams the status as server-sent events: once at once, then after
// every change, and at least every 30 s (which also keeps the clock-derived
// fields such as a break's time left fresh).
func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeErr(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	changed := s.Changes.Subscribe() // every change: the status shows them all
	defer changed.Close()
	// The stream lives on past the server's read and write timeouts: the
	// read deadline would cancel the request's context, the write deadline
	// would cut the next event. Each event gets its own write deadline.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		st, err := s.Status(r.Context())
		if err != nil {
			fmt.Fprintf(w, "event: error\ndata: %q\n\n", err.Error())
		} else {
			b, _ := json.Marshal(st)
			fmt.Fprintf(w, "event: status\ndata: %s\n\n", b)
		}
		fl.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-changed.Ready():
			changed.Take()
		case <-tick.C:
		}
	}
}
