package control

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/auth"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
	"github.com/mindful-app/mindful/daemon/internal/wsapi"
)

// pairNative is POST /api/v1/pairing/native: the native-messaging host
// (`mindful native-host`) asks for a token for the extension that started
// it. The client is stored exactly as after an approved pairing code, with
// paired_via "native"; the answer carries the token once.
func (s *Server) pairNative(w http.ResponseWriter, r *http.Request) {
	var req api.NativePairRequest
	if !readJSON(w, r, &req) {
		return
	}
	// The same checks as a pair_request on the socket.
	body, _ := json.Marshal(protocol.ClientInfo{
		ClientID: req.ClientID, Browser: req.Browser, BrowserVersion: req.BrowserVersion, ExtVersion: req.ExtVersion,
	})
	if _, perr := protocol.DecodePairRequest(body); perr != nil {
		msg := perr.Message
		if perr.Field != "" {
			msg = perr.Field + ": " + msg
		}
		writeErr(w, http.StatusBadRequest, msg)
		return
	}
	c, token, err := s.Hub.PairNative(r.Context(), auth.Pending{
		ClientID: req.ClientID, Browser: req.Browser, BrowserVersion: req.BrowserVersion,
		ExtVersion: req.ExtVersion, Origin: req.Origin,
	})
	if err != nil {
		code := http.StatusServiceUnavailable
		if errors.Is(err, wsapi.ErrOrigin) {
			code = http.StatusBadRequest
		}
		writeErr(w, code, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, api.NativePairing{Addr: s.Addr, ClientID: c.ID, Token: token, PairedVia: c.PairedVia})
}

// shutdown is POST /api/v1/shutdown: it answers, then stops the daemon.
func (s *Server) shutdown(w http.ResponseWriter, r *http.Request) {
	if s.Shutdown == nil {
		writeErr(w, http.StatusNotImplemented, "this daemon cannot be stopped through the API")
		return
	}
	writeJSON(w, http.StatusOK, api.Shutdown{Stopping: true})
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	s.Shutdown()
}
