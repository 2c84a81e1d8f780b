package wsapi

// FailedHelloCounts reports how many failed hellos wait for their answer and
// how many were answered.
func (h *Hub) FailedHelloCounts() (waiting, answered int64) {
	return h.failing.Load(), h.answered.Load()
}

// StatesBroadcast counts the states the state loop computed and handed to
// the sockets.
func (h *Hub) StatesBroadcast() int64 { return h.states.Load() }
