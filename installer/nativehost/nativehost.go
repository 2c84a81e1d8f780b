// Package nativehost is mindful's native-messaging host, `mindful
// native-host`: the browser starts it for mindful's extension (and only for
// it: the host manifest lists exactly the extension's origin or add-on id),
// the extension asks it for a pairing, and the host gets a fresh token for
// that browser from the running daemon's control API and hands it back.
//
// Messages are framed as the browsers do it: a 4-byte length in native byte
// order, then that many bytes of UTF-8 JSON. The only output on stdout is
// such frames; the token appears in no command line, log or URL.
//
// The extension sends
//
//	{"type":"pair","client_id":"…","browser":"chromium","browser_version":"…","ext_version":"…","origin":"chrome-extension://…"}
//
// and gets {"ok":true,"addr":"127.0.0.1:17717","client_id":"…","token":"…"}
// or {"ok":false,"error":"not_running","message":"…"}.
package nativehost

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
	"github.com/mindful-app/mindful/installer"
)

// MaxIn is the largest message the host reads; a pairing request is tiny.
const MaxIn = 64 << 10

// maxOut is the browsers' limit for a message from a host (1 MB).
const maxOut = 1 << 20

// ReadMessage reads one framed message. It returns io.EOF when the browser
// closed stdin between messages.
func ReadMessage(r io.Reader) ([]byte, error) {
	var n uint32
	if err := binary.Read(r, binary.NativeEndian, &n); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errors.New("message length cut short")
		}
		return nil, err
	}
	if n > MaxIn {
		return nil, fmt.Errorf("message of %d bytes is larger than %d", n, MaxIn)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("message cut short: %w", err)
	}
	return b, nil
}

// WriteMessage writes v as one framed JSON message.
func WriteMessage(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(b) > maxOut {
		return fmt.Errorf("answer of %d bytes is larger than the browsers' %d", len(b), maxOut)
	}
	var hdr [4]byte
	binary.NativeEndian.PutUint32(hdr[:], uint32(len(b)))
	if _, err := w.Write(append(hdr[:], b...)); err != nil {
		return err
	}
	return nil
}

// Caller is who started the host, from the arguments the browser passed.
type Caller struct {
	// Family is "chromium" (Chrome, Chromium, Edge, Brave, …) or "firefox".
	Family string
	// Origin is the calling extension's origin as Chromium passes it,
	// "chrome-extension://ID/"; AddonID the add-on id Firefox passes.
	Origin, AddonID string
}

// ParseCaller reads the browser's arguments: Chromium passes the caller's
// origin (and on Windows --parent-window=N), Firefox the path of the host
// manifest and the add-on id. Only mindful's own extension is accepted;
// the browsers check this too, through the manifest.
func ParseCaller(args []string) (Caller, error) {
	if len(args) >= 1 && strings.HasPrefix(args[0], "chrome-extension://") {
		if args[0] != installer.ChromeOrigin {
			return Caller{}, fmt.Errorf("started for %s, which is not mindful's extension", args[0])
		}
		return Caller{Family: "chromium", Origin: args[0]}, nil
	}
	if len(args) >= 2 && strings.HasSuffix(args[0], ".json") {
		if args[1] != installer.FirefoxAddonID {
			return Caller{}, fmt.Errorf("started for add-on %q, which is not mindful", args[1])
		}
		return Caller{Family: "firefox", AddonID: args[1]}, nil
	}
	return Caller{}, errors.New("mindful native-host is started by the browser for mindful's extension, with the caller's origin (Chromium) or manifest path and add-on id (Firefox); it is not for typing")
}

// IsHostInvocation reports whether args (without the program name) are
// what a browser passes when it starts the host, so that the host manifest
// can name the mindful binary itself.
func IsHostInvocation(args []string) bool {
	return len(args) >= 1 && strings.HasPrefix(args[0], "chrome-extension://") ||
		len(args) >= 2 && strings.HasSuffix(args[0], ".json")
}

// Request is a message from the extension.
type Request struct {
	Type           string `json:"type"`
	ClientID       string `json:"client_id"`
	Browser        string `json:"browser"`
	BrowserVersion string `json:"browser_version"`
	ExtVersion     string `json:"ext_version"`
	Origin         string `json:"origin"`
}

// Answer is the host's reply.
type Answer struct {
	OK       bool   `json:"ok"`
	Addr     string `json:"addr,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Token    string `json:"token,omitempty"`
	Error    string `json:"error,omitempty"` // not_running, bad_request, refused, failed
	Message  string `json:"message,omitempty"`
}

// Pairer gets a token from the daemon: (*client.Client).PairNative.
type Pairer func(ctx context.Context, req api.NativePairRequest) (api.NativePairing, error)

// Serve answers the extension's messages on in/out until in ends. log gets
// one line per request, never the token.
func Serve(ctx context.Context, in io.Reader, out io.Writer, caller Caller, pair Pairer, log *slog.Logger) error {
	for {
		b, err := ReadMessage(in)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			WriteMessage(out, Answer{Error: "bad_request", Message: err.Error()})
			return err
		}
		a := handle(ctx, b, caller, pair)
		if a.OK {
			log.Info("native pairing", "browser", caller.Family, "client", a.ClientID, "addr", a.Addr)
		} else {
			log.Warn("native pairing refused", "browser", caller.Family, "error", a.Error, "message", a.Message)
		}
		if err := WriteMessage(out, a); err != nil {
			return err
		}
	}
}

func handle(ctx context.Context, b []byte, caller Caller, pair Pairer) Answer {
	var req Request
	if err := json.Unmarshal(b, &req); err != nil {
		return Answer{Error: "bad_request", Message: "not a JSON object: " + err.Error()}
	}
	if req.Type != "pair" {
		return Answer{Error: "bad_request", Message: fmt.Sprintf("type: want \"pair\", not %q", req.Type)}
	}
	// The origin the token will be bound to must be the caller's.
	switch caller.Family {
	case "chromium":
		if req.Origin != strings.TrimSuffix(caller.Origin, "/") {
			return Answer{Error: "refused", Message: fmt.Sprintf("origin: %q is not the caller %s", req.Origin, caller.Origin)}
		}
		if strings.HasPrefix(req.Browser, "firefox") || req.Browser == "gecko" {
			return Answer{Error: "refused", Message: "browser: a Chromium-family browser started the host, not " + req.Browser}
		}
	case "firefox":
		if !strings.HasPrefix(req.Origin, "moz-extension://") || strings.TrimPrefix(req.Origin, "moz-extension://") == "" {
			return Answer{Error: "refused", Message: fmt.Sprintf("origin: Firefox started the host, so want moz-extension://UUID, not %q", req.Origin)}
		}
		if !strings.HasPrefix(req.Browser, "firefox") && req.Browser != "gecko" {
			return Answer{Error: "refused", Message: "browser: Firefox started the host, not " + req.Browser}
		}
	default:
		return Answer{Error: "refused", Message: "unknown caller"}
	}
	p, err := pair(ctx, api.NativePairRequest{
		ClientID: req.ClientID, Browser: req.Browser, BrowserVersion: req.BrowserVersion,
		ExtVersion: req.ExtVersion, Origin: req.Origin,
	})
	var ae *client.APIError
	switch {
	case errors.Is(err, client.ErrNotRunning):
		return Answer{Error: "not_running", Message: "mindful is not running: start it (mindful run), then pair again"}
	case errors.As(err, &ae) && ae.Status == 400:
		return Answer{Error: "bad_request", Message: ae.Message}
	case err != nil:
		return Answer{Error: "failed", Message: err.Error()}
	}
	return Answer{OK: true, Addr: p.Addr, ClientID: p.ClientID, Token: p.Token}
}
