package clocktest

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	c := New(t0)
	done := make(chan struct{})
	go func() { c.Now(); close(done) }() // read from another goroutine, as services do
	c.Add(time.Hour)
	<-done
	if got := c.Now(); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("after Add: %v", got)
	}
	c.Add(-2 * time.Hour)
	if got := c.Now(); !got.Equal(t0.Add(-time.Hour)) {
		t.Errorf("after Add back: %v", got)
	}
	c.Set(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Errorf("after Set: %v", got)
	}
}
