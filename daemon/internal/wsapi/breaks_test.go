package wsapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/breaks"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

type fakeBreaks struct {
	stopped string
}

func (f *fakeBreaks) RequestStop(context.Context) (breaks.Ticket, error) {
	return breaks.Ticket{ID: "tick-1", NotBefore: time.Date(2026, 11, 23, 15, 0, 10, 0, time.UTC),
		Period: schedule.Period{Name: "Focus", End: time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)}}, nil
}

func (f *fakeBreaks) Stop(_ context.Context, ticket, reason string) (schedule.Period, error) {
	if ticket != "tick-1" {
		return schedule.Period{}, breaks.ErrBadTicket
	}
	f.stopped = reason
	return schedule.Period{Name: "Focus"}, nil
}

func TestBreakStopOverTheSocket(t *testing.T) {
	fb := &fakeBreaks{}
	e := newEnv(t, func(c *wsapi.Config) { c.Breaks = fb })
	w, _ := e.pair(chromeOrigin, "client-break-1")

	id := w.send(protocol.TypeBreakStopRequest, protocol.Empty{})
	tk := w.expect(protocol.TypeBreakStopTicket)
	var body protocol.BreakStopTicket
	decode(t, tk.Body, &body)
	if tk.Re != id || body.Ticket != "tick-1" || body.Name != "Focus" || body.End == nil {
		t.Fatalf("ticket %s %+v", tk.Re, body)
	}
	// No reason: refused by name, nothing stopped.
	w.send(protocol.TypeBreakStop, map[string]any{"ticket": "tick-1", "reason": " "})
	if er := w.expectError(protocol.CodeInvalid); er.Field != "reason" {
		t.Fatalf("field %q", er.Field)
	}
	w.send(protocol.TypeBreakStop, map[string]any{"ticket": "wrong", "reason": "a reason"})
	w.expectError(protocol.CodeRefused)
	if fb.stopped != "" {
		t.Fatal("stopped without a valid request")
	}
	id = w.send(protocol.TypeBreakStop, map[string]any{"ticket": "tick-1", "reason": "my sister called"})
	if p := w.expect(protocol.TypeBreakStopped); p.Re != id {
		t.Fatalf("re %q", p.Re)
	}
	if fb.stopped != "my sister called" {
		t.Fatalf("reason %q", fb.stopped)
	}
}

func TestBreakEventsStored(t *testing.T) {
	e := newEnv(t, nil)
	w, _ := e.pair(chromeOrigin, "client-break-2")
	w.send(protocol.TypeEvents, map[string]any{"events": []any{
		ev("a1", api.EventBreakAttempt, map[string]any{"domain": "www.reddit.com", "break_key": "adhoc:1", "tab_id": 3, "window_id": 1}),
		ev("n1", api.EventBreakNote, map[string]any{"break_key": "adhoc:1", "note": "the Go release thread"}),
		ev("n2", api.EventBreakNote, map[string]any{"break_key": "adhoc:1"}),
	}})
	var a protocol.Ack
	decode(t, w.expect(protocol.TypeAck).Body, &a)
	if len(a.IDs) != 2 || len(a.Rejected) != 1 || a.Rejected[0].Field != "events[2].note" {
		t.Fatalf("ack %+v", a)
	}
	evs := storedEvents(t, e)
	if evs[0].BreakKey != "adhoc:1" || evs[0].Domain != "www.reddit.com" || evs[1].Note != "the Go release thread" {
		t.Fatalf("stored %+v", evs)
	}
}
