package guard_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon/internal/guard"
)

func TestHostAllowed(t *testing.T) {
	const port = "17717"
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1:17717", true},
		{"localhost:17717", true},
		{"LOCALHOST:17717", true},
		{"LocalHost:17717", true},
		{"[::1]:17717", true},
		{"127.0.0.1:17718", false},
		{"localhost:80", false},
		{"[::1]:1771", false},
		{"127.0.0.1", false},
		{"localhost", false},
		{"[::1]", false},
		{"::1:17717", false},
		{"evil.test:17717", false},
		{"127.0.0.1.nip.io:17717", false},
		{"localhost.evil.test:17717", false},
		{"0.0.0.0:17717", false},
		{"127.0.0.2:17717", false},
		{"[::ffff:127.0.0.1]:17717", false},
		{" 127.0.0.1:17717", false},
		{"127.0.0.1:17717 ", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := guard.HostAllowed(tt.host, port); got != tt.want {
				t.Errorf("HostAllowed(%q, %q) = %v, want %v", tt.host, port, got, tt.want)
			}
		})
	}
}

func TestOriginPolicyCheck(t *testing.T) {
	p := guard.DefaultOriginPolicy()
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"chrome-extension://" + guard.ChromeExtensionID, true},
		{"chrome-extension://" + strings.ToUpper(guard.ChromeExtensionID), true},
		{"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"chrome-extension://" + guard.ChromeExtensionID + "x", false},
		{"chrome-extension://" + guard.ChromeExtensionID + "/", false},
		{"chrome-extension://", false},
		{"moz-extension://6f1c1f0e-93a4-4c4e-9a57-1c0f3a1d2b7e", true},
		{"moz-extension://6F1C1F0E-93A4-4C4E-9A57-1C0F3A1D2B7E", true},
		{"moz-extension://notauuid", false},
		{"moz-extension://6f1c1f0e-93a4-4c4e-9a57-1c0f3a1d2b7", false},
		{"moz-extension://6f1c1f0e-93a4-4c4e-9a57-1c0f3a1d2b7e/", false},
		{"moz-extension://6f1c1f0e_93a4-4c4e-9a57-1c0f3a1d2b7e", false},
		{"moz-extension://6f1c1f0e-93a4-4c4e-9a57-1c0f3a1d2b7g", false},
		{"http://127.0.0.1:8080", false},
		{"http://localhost:17717", false},
		{"https://evil.example", false},
		{"HTTPS://EVIL.EXAMPLE", false},
		{"null", false},
		{"NULL", false},
		{"file://", false},
		{"file:///home/user/x.html", false},
		{"safari-web-extension://ABC", false},
		{"ws://127.0.0.1:17717", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			reason := p.Check(tt.origin)
			if got := reason == ""; got != tt.ok {
				t.Errorf("Check(%q) = %q; want allowed=%v", tt.origin, reason, tt.ok)
			}
		})
	}
}

func TestOriginPolicyChromeIDs(t *testing.T) {
	p := guard.OriginPolicy{ChromeIDs: []string{"abcdefghijklmnopabcdefghijklmnop"}}
	if r := p.Check("chrome-extension://abcdefghijklmnopabcdefghijklmnop"); r != "" {
		t.Errorf("admitted id refused: %s", r)
	}
	if r := p.Check("chrome-extension://" + guard.ChromeExtensionID); r == "" {
		t.Errorf("an id not in ChromeIDs was admitted")
	}
	if r := (guard.OriginPolicy{}).Check("chrome-extension://" + guard.ChromeExtensionID); r == "" {
		t.Errorf("an empty policy admitted a Chrome extension")
	}
}

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"[::1]", true},
		{"localhost", true},
		{"LOCALHOST", true},
		{"0.0.0.0", false},
		{"::", false},
		{"", false},
		{"192.168.1.1", false},
		{"10.0.0.1", false},
		{"::2", false},
		{"example.com", false},
		{"localhost.evil.test", false},
		{"127.0.0.1.nip.io", false},
		{"127.0.0.1:80", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := guard.IsLoopback(tt.host); got != tt.want {
				t.Errorf("IsLoopback(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}

func TestHostsMiddleware(t *testing.T) {
	const port = "17717"
	tests := []struct {
		host   string
		status int
		called bool
	}{
		{"127.0.0.1:17717", http.StatusTeapot, true},
		{"localhost:17717", http.StatusTeapot, true},
		{"[::1]:17717", http.StatusTeapot, true},
		{"evil.test:17717", http.StatusMisdirectedRequest, false},
		{"127.0.0.1:80", http.StatusMisdirectedRequest, false},
		{"127.0.0.1", http.StatusMisdirectedRequest, false},
		{strings.Repeat("a", 500) + ":17717", http.StatusMisdirectedRequest, false},
	}
	for _, tt := range tests {
		name := tt.host
		if len(name) > 40 {
			name = "long host"
		}
		t.Run(name, func(t *testing.T) {
			called := false
			h := guard.Hosts(port, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				w.WriteHeader(http.StatusTeapot)
			}))
			req := httptest.NewRequest(http.MethodGet, "/api/v1/status", nil)
			req.Host = tt.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status || called != tt.called {
				t.Errorf("status %d, handler called %v; want %d, %v", rec.Code, called, tt.status, tt.called)
			}
			if !tt.called {
				body, _ := io.ReadAll(rec.Body)
				if !strings.Contains(string(body), "http://127.0.0.1:"+port+"/") {
					t.Errorf("421 body %q does not say which address to use", body)
				}
				if len(body) > 300 {
					t.Errorf("421 body echoes the whole Host header (%d bytes)", len(body))
				}
			}
		})
	}
}

// The Chromium extension ID is derived from the manifest's public key: the
// first 128 bits of SHA-256 of the DER key, each hex digit mapped 0-f to a-p.
// The daemon pins the ID, so the two must agree.
func TestChromeExtensionIDMatchesManifestKey(t *testing.T) {
	path := filepath.Join("..", "..", "..", "extension", "manifests", "chrome.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the Chromium manifest: %v", err)
	}
	var m struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if m.Key == "" {
		t.Fatalf("%s has no \"key\"; without it Chromium gives the extension a random ID", path)
	}
	der, err := base64.StdEncoding.DecodeString(m.Key)
	if err != nil {
		t.Fatalf("%s: key is not base64: %v", path, err)
	}
	sum := sha256.Sum256(der)
	hx := hex.EncodeToString(sum[:])[:32]
	id := make([]byte, len(hx))
	for i := range len(hx) {
		c := hx[i]
		switch {
		case c >= '0' && c <= '9':
			id[i] = 'a' + (c - '0')
		default:
			id[i] = 'a' + 10 + (c - 'a')
		}
	}
	if string(id) != guard.ChromeExtensionID {
		t.Errorf("the manifest key gives extension ID %s, but guard.ChromeExtensionID is %s", id, guard.ChromeExtensionID)
	}
}
