// Package notify is a tiny publish/subscribe of "something changed": the
// daemon publishes after every change a client can see, and each watcher
// (the tray's status stream) gets at most one pending signal, so a slow
// watcher never blocks the daemon and never misses the latest state.
package notify

import "sync"

// Hub fans change signals out to subscribers.
type Hub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

// Subscribe returns a channel that receives a signal after changes, and a
// function that ends the subscription.
func (h *Hub) Subscribe() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan struct{}]struct{}{}
	}
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	return c, func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}
}

// Publish signals every subscriber; a subscriber with a signal pending
// keeps just that one.
func (h *Hub) Publish() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}
