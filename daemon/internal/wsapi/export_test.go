package wsapi

// FailedHelloCounts reports how many failed hellos wait for their answer and
// how many were answered.
func (h *Hub) FailedHelloCounts() (waiting, answered int64) {
	return h.failing.Load(), h.answered.Load()
}
