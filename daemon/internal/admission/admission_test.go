package admission_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon/internal/admission"
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
			if got := admission.HostAllowed(tt.host, port); got != tt.want {
				t.Errorf("HostAllowed(%q, %q) = %v, want %v", tt.host, port, got, tt.want)
			}
		})
	}
}

func TestOriginPolicyCheck(t *testing.T) {
	p := admission.DefaultOriginPolicy()
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"chrome-extension://" + admission.ChromeExtensionID, true},
		{"chrome-extension://" + strings.ToUpper(admission.ChromeExtensionID), true},
		{"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"chrome-extension://" + admission.ChromeExtensionID + "x", false},
		{"chrome-extension://" + admission.ChromeExtensionID + "/", false},
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
	p := admission.OriginPolicy{ChromeIDs: []string{"abcdefghijklmnopabcdefghijklmnop"}}
	if r := p.Check("chrome-extension://abcdefghijklmnopabcdefghijklmnop"); r != "" {
		t.Errorf("admitted id refused: %s", r)
	}
	if r := p.Check("chrome-extension://" + admission.ChromeExtensionID); r == "" {
		t.Errorf("an id not in ChromeIDs was admitted")
	}
	if r := (admission.OriginPolicy{}).Check("chrome-extension://" + admission.ChromeExtensionID); r == "" {
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
			if got := admission.IsLoopback(tt.host); got != tt.want {
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
			h := admission.Hosts(port, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	if string(id) != admission.ChromeExtensionID {
		t.Errorf("the manifest key gives extension ID %s, but admission.ChromeExtensionID is %s", id, admission.ChromeExtensionID)
	}
}

// An absolute URL in the request line makes net/http take the host from the
// URL and drop the Host header, so a rebinding page's Host header would
// never be seen: such request lines are refused whatever the hosts say.
// This goes through a real server, since only the server's parser shows it.
func TestHostsAbsoluteURL(t *testing.T) {
	var port string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admission.Hosts(port, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTeapot)
		})).ServeHTTP(w, r)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ = strings.Cut(addr, ":")
	tests := []struct {
		target, host string
		status       int
	}{
		{"/api/v1/status", addr, http.StatusTeapot},
		{"/api/v1/status", "evil.example", http.StatusMisdirectedRequest},
		{"http://" + addr + "/api/v1/status", "evil.example", http.StatusMisdirectedRequest},
		{"http://evil.example/api/v1/status", addr, http.StatusMisdirectedRequest},
		{"http://" + addr + "/api/v1/status", addr, http.StatusMisdirectedRequest},
		{"HTTP://" + addr + "/ws", "evil.example", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		t.Run(tt.target+" Host "+tt.host, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", tt.target, tt.host)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestSameOrigin(t *testing.T) {
	const o = "moz-extension://0b6c4d2e-1f3a-4b5c-8d7e-9f0a1b2c3d4e"
	if !admission.SameOrigin(o, strings.ToUpper(o)) || admission.SameOrigin(o, o+"x") || admission.SameOrigin(o, "") {
		t.Fatal("SameOrigin must ignore case, as OriginPolicy.Check does, and nothing else")
	}
	if admission.DefaultOriginPolicy().Check(strings.ToUpper(o)) != "" {
		t.Fatal("the policy refuses an upper-case origin it would take in lower case")
	}
}
