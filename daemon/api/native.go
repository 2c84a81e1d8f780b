package api

// Paths for the installer and the native-messaging host.
const (
	// PathPairNative pairs a browser through the native-messaging host
	// (`mindful native-host`): the browser starts the host only for
	// mindful's own extension, and the host proves it is the trusted side
	// with the control token.
	PathPairNative = "/api/v1/pairing/native"
	// PathShutdown stops the daemon (`mindful uninstall`).
	PathShutdown = "/api/v1/shutdown"
)

// NativePairRequest is the body of POST /api/v1/pairing/native: who the
// extension is, as in its pair_request, plus its origin, to which the token
// is bound (chrome-extension://ID or moz-extension://UUID, no slash).
type NativePairRequest struct {
	ClientID       string `json:"client_id"`
	Browser        string `json:"browser"`
	BrowserVersion string `json:"browser_version"`
	ExtVersion     string `json:"ext_version"`
	Origin         string `json:"origin"`
}

// NativePairing answers POST /api/v1/pairing/native: the daemon's address
// and the new client's token. The token is shown once, here; the daemon
// keeps only its hash.
type NativePairing struct {
	Addr      string `json:"addr"`
	ClientID  string `json:"client_id"`
	Token     string `json:"token"`
	PairedVia string `json:"paired_via"`
}

// Shutdown answers POST /api/v1/shutdown.
type Shutdown struct {
	Stopping bool `json:"stopping"`
}
