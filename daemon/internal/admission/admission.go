// Package admission decides which requests reach the daemon at all, before
// anything else runs: the Host header (against DNS rebinding) and the
// Origin header (against web pages). Both are pure functions plus one
// middleware. (The control API's own token check is control's authorize.)
package admission

import (
	"net"
	"net/http"
	"strings"
)

// ChromeExtensionID is the pinned ID of mindful's Chromium extension; the
// manifest's "key" field fixes it. A test checks the two agree.
const ChromeExtensionID = "lbcebegdchechefjbefnojockkfhgifo"

// AllowedHosts returns the Host header values accepted for a daemon listening
// on port: the loopback names with that exact port.
func AllowedHosts(port string) []string {
	return []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port}
}

// HostAllowed reports whether host (a Host header) names this daemon.
// Anything else, such as a rebinding domain that resolves to 127.0.0.1, is
// refused.
func HostAllowed(host, port string) bool {
	h := strings.ToLower(host)
	for _, a := range AllowedHosts(port) {
		if h == a {
			return true
		}
	}
	return false
}

// OriginPolicy decides which WebSocket origins may connect.
type OriginPolicy struct {
	// ChromeIDs are the admitted chrome-extension:// IDs.
	ChromeIDs []string
}

// DefaultOriginPolicy admits the pinned Chromium extension and any Firefox
// extension (Firefox gives each install a random UUID, so the token, bound to
// the origin it was paired from, is what identifies the extension there).
func DefaultOriginPolicy() OriginPolicy {
	return OriginPolicy{ChromeIDs: []string{ChromeExtensionID}}
}

// Check returns "" if origin may open a socket, or the reason it may not.
// A missing Origin (a non-browser local client) is allowed: it still needs a
// token. Web origins, "null" (sandboxed frames, file: pages) and other
// extensions are refused.
func (p OriginPolicy) Check(origin string) string {
	if origin == "" {
		return ""
	}
	o := strings.ToLower(origin)
	switch {
	case o == "null":
		return "opaque origin \"null\" is not allowed"
	case strings.HasPrefix(o, "chrome-extension://"):
		id := strings.TrimPrefix(o, "chrome-extension://")
		for _, a := range p.ChromeIDs {
			if id == a {
				return ""
			}
		}
		return "extension " + origin + " is not mindful"
	case strings.HasPrefix(o, "moz-extension://"):
		if uuidLike(strings.TrimPrefix(o, "moz-extension://")) {
			return ""
		}
		return "malformed moz-extension origin"
	case strings.HasPrefix(o, "http://"), strings.HasPrefix(o, "https://"):
		return "web pages may not talk to mindful (origin " + origin + ")"
	}
	return "origin " + origin + " is not allowed"
}

func uuidLike(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// IsLoopback reports whether host (an IP or "localhost") is a loopback
// address. The daemon refuses to bind anything else.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Hosts wraps h so that requests whose Host header does not name this
// daemon get 421 Misdirected Request, before any handler runs. port returns
// the port the daemon is listening on.
//
// A request line with an absolute URL ("GET http://127.0.0.1:PORT/ HTTP/1.1")
// is refused too, whatever its host: net/http takes the host from the URL
// and drops the Host header before a handler runs (RFC 9112 §3.2.2), so the
// header could not be checked, and no browser or mindful client sends that
// form to a server that is not a proxy.
func Hosts(port string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if AbsoluteForm(r) {
			http.Error(w, "mindful: a request line with an absolute URL ("+quote(r.RequestURI)+") is not allowed; send the path and Host: 127.0.0.1:"+port+" to http://127.0.0.1:"+port+"/", http.StatusMisdirectedRequest)
			return
		}
		if !HostAllowed(r.Host, port) {
			http.Error(w, "mindful: Host header "+quote(r.Host)+" is not allowed; use http://127.0.0.1:"+port+"/", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// AbsoluteForm reports whether r's request line carried an absolute URL
// (scheme and host) instead of a path.
func AbsoluteForm(r *http.Request) bool {
	u := strings.ToLower(r.RequestURI)
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "ws://") || strings.HasPrefix(u, "wss://") || (r.URL != nil && r.URL.Host != "" && r.Method != http.MethodConnect)
}

// SameOrigin is the one rule by which two origins are compared: origins
// (scheme and host, and an extension's id) do not depend on case, as the
// Origin policy does not.
func SameOrigin(a, b string) bool { return strings.EqualFold(a, b) }

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return "\"" + s + "\""
}
