// Package clocktest is the daemon's one fake clock for tests: a time that
// the test sets and moves, and that the code under test reads through the
// func() time.Time its Config takes (pass Clock.Now).
//
//	clk := clocktest.New(time.Date(2026, 11, 23, 15, 0, 0, 0, berlin))
//	svc := breaks.New(breaks.Config{Now: clk.Now, ...})
//	clk.Add(10 * time.Minute)
//
// A test whose time never moves needs no Clock: func() time.Time { return t }
// says it best.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a settable clock, safe for concurrent use: the code under test
// may read it from its own goroutines while the test moves it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a Clock that reads t until it is set or moved.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock by d (back, when d is negative).
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
