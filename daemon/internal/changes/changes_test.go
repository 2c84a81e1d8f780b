package changes

import (
	"slices"
	"testing"

	"github.com/mindful-app/mindful/daemon/api"
)

func TestSubscriptionGetsWhatItAsksFor(t *testing.T) {
	var b Bus
	all := b.Subscribe()
	brk := b.Subscribe(BreaksChanged{}, Imported{})
	b.Publish(FeedsChanged{})
	b.Publish(BreaksChanged{})
	b.Publish(CheckinChanged{Status: api.Checkin{Due: true, Date: "2026-12-07"}})
	b.Publish(BreaksChanged{})

	select {
	case <-all.Ready():
	default:
		t.Fatal("no signal after a publication")
	}
	want := []Change{FeedsChanged{}, BreaksChanged{}, CheckinChanged{Status: api.Checkin{Due: true, Date: "2026-12-07"}}, BreaksChanged{}}
	if got := all.Take(); !slices.Equal(got, want) {
		t.Errorf("every change: got %v, want %v", got, want)
	}
	if got := all.Take(); len(got) != 0 {
		t.Errorf("taken twice: %v", got)
	}
	if got := brk.Take(); !slices.Equal(got, []Change{BreaksChanged{}, BreaksChanged{}}) {
		t.Errorf("breaks only: got %v", got)
	}
}

func TestPublishNeverBlocks(t *testing.T) {
	var b Bus
	s := b.Subscribe()
	for range 10 * maxQueue {
		b.Publish(PromptAnswered{})
		b.Publish(EventsStored{})
	}
	if got := len(s.Take()); got > maxQueue+2 {
		t.Errorf("queued %d changes of two kinds; want at most %d", got, maxQueue+2)
	}
}

func TestClosedAndNil(t *testing.T) {
	var b Bus
	s := b.Subscribe()
	s.Close()
	b.Publish(FeedsChanged{})
	if got := s.Take(); len(got) != 0 {
		t.Errorf("a closed subscription got %v", got)
	}
	var nb *Bus
	nb.Publish(FeedsChanged{}) // no panic
	ns := nb.Subscribe()
	if ns.Ready() != nil || ns.Take() != nil {
		t.Error("a nil bus's subscription is not empty")
	}
	ns.Close()
}
