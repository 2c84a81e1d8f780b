package nativehost

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
)

const token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func frame(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteMessage(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFraming(t *testing.T) {
	b := frame(t, map[string]string{"type": "pair"})
	if n := binary.NativeEndian.Uint32(b[:4]); int(n) != len(b)-4 || string(b[4:]) != `{"type":"pair"}` {
		t.Fatalf("frame %q", b)
	}
	got, err := ReadMessage(bytes.NewReader(b))
	if err != nil || string(got) != `{"type":"pair"}` {
		t.Fatalf("read back %q, %v", got, err)
	}
	if _, err := ReadMessage(bytes.NewReader(nil)); !errors.Is(err, io.EOF) {
		t.Fatalf("empty input: %v, want io.EOF", err)
	}
	var big [4]byte
	binary.NativeEndian.PutUint32(big[:], MaxIn+1)
	if _, err := ReadMessage(bytes.NewReader(big[:])); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Fatalf("oversized: %v", err)
	}
	if _, err := ReadMessage(bytes.NewReader(b[:len(b)-2])); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("truncated: %v", err)
	}
	if _, err := ReadMessage(bytes.NewReader(b[:2])); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("truncated length: %v", err)
	}
}

func TestParseCaller(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Caller
		err  string
	}{
		{[]string{"chrome-extension://lbcebegdchechefjbefnojockkfhgifo/"}, Caller{Family: "chromium", Origin: "chrome-extension://lbcebegdchechefjbefnojockkfhgifo/"}, ""},
		{[]string{"chrome-extension://lbcebegdchechefjbefnojockkfhgifo/", "--parent-window=0"}, Caller{Family: "chromium", Origin: "chrome-extension://lbcebegdchechefjbefnojockkfhgifo/"}, ""},
		{[]string{"/home/a/.mozilla/native-messaging-hosts/org.mindful_app.mindful.json", "mindful@mindful-app.org"}, Caller{Family: "firefox", AddonID: "mindful@mindful-app.org"}, ""},
		{[]string{"chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/"}, Caller{}, "not mindful's extension"},
		{[]string{"/x/org.mindful_app.mindful.json", "evil@example.org"}, Caller{}, "not mindful"},
		{nil, Caller{}, "not for typing"},
		{[]string{"--help"}, Caller{}, "not for typing"},
	} {
		got, err := ParseCaller(tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseCaller(%q) = %v, want error about %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseCaller(%q) = %+v, %v; want %+v", tc.args, got, err, tc.want)
		}
	}
	if !IsHostInvocation([]string{"chrome-extension://x/"}) || !IsHostInvocation([]string{"/a/b.json", "x@y"}) ||
		IsHostInvocation([]string{"status"}) || IsHostInvocation([]string{"install", "--dry-run"}) {
		t.Error("IsHostInvocation")
	}
}

var (
	chromium = Caller{Family: "chromium", Origin: "chrome-extension://lbcebegdchechefjbefnojockkfhgifo/"}
	firefox  = Caller{Family: "firefox", AddonID: "mindful@mindful-app.org"}
)

func TestServe(t *testing.T) {
	okPair := func(got *[]api.NativePairRequest) Pairer {
		return func(_ context.Context, r api.NativePairRequest) (api.NativePairing, error) {
			*got = append(*got, r)
			return api.NativePairing{Addr: "127.0.0.1:17717", ClientID: r.ClientID, Token: token, PairedVia: "native"}, nil
		}
	}
	for _, tc := range []struct {
		name   string
		caller Caller
		req    string
		pair   func(*[]api.NativePairRequest) Pairer
		want   Answer
	}{
		{"chromium", chromium, `{"type":"pair","client_id":"c-1234567","browser":"chromium","browser_version":"156","ext_version":"0.1.0","origin":"chrome-extension://lbcebegdchechefjbefnojockkfhgifo"}`, okPair,
			Answer{OK: true, Addr: "127.0.0.1:17717", ClientID: "c-1234567", Token: token}},
		{"firefox", firefox, `{"type":"pair","client_id":"c-1234567","browser":"firefox-esr","origin":"moz-extension://7b0c1f52-3c5e-4d1a-9f6e-2a4b8c9d0e11"}`, okPair,
			Answer{OK: true, Addr: "127.0.0.1:17717", ClientID: "c-1234567", Token: token}},
		{"chromium caller, other origin", chromium, `{"type":"pair","client_id":"c-1234567","browser":"chromium","origin":"chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh"}`, okPair,
			Answer{Error: "refused"}},
		{"chromium caller, firefox origin", chromium, `{"type":"pair","client_id":"c-1234567","browser":"chromium","origin":"moz-extension://7b0c1f52-3c5e-4d1a-9f6e-2a4b8c9d0e11"}`, okPair,
			Answer{Error: "refused"}},
		{"chromium caller says firefox", chromium, `{"type":"pair","client_id":"c-1234567","browser":"firefox","origin":"chrome-extension://lbcebegdchechefjbefnojockkfhgifo"}`, okPair,
			Answer{Error: "refused"}},
		{"firefox caller, chrome origin", firefox, `{"type":"pair","client_id":"c-1234567","browser":"firefox","origin":"chrome-extension://lbcebegdchechefjbefnojockkfhgifo"}`, okPair,
			Answer{Error: "refused"}},
		{"wrong type", chromium, `{"type":"token"}`, okPair, Answer{Error: "bad_request"}},
		{"not json", chromium, `[1,2`, okPair, Answer{Error: "bad_request"}},
		{"daemon not running", chromium, `{"type":"pair","client_id":"c-1234567","browser":"chromium","origin":"chrome-extension://lbcebegdchechefjbefnojockkfhgifo"}`,
			func(*[]api.NativePairRequest) Pairer {
				return func(context.Context, api.NativePairRequest) (api.NativePairing, error) {
					return api.NativePairing{}, fmt.Errorf("%w at 127.0.0.1:17717", client.ErrNotRunning)
				}
			}, Answer{Error: "not_running"}},
		{"daemon refuses", chromium, `{"type":"pair","client_id":"x","browser":"chromium","origin":"chrome-extension://lbcebegdchechefjbefnojockkfhgifo"}`,
			func(*[]api.NativePairRequest) Pairer {
				return func(context.Context, api.NativePairRequest) (api.NativePairing, error) {
					return api.NativePairing{}, &client.APIError{Status: 400, Message: "client_id: must be 8–64 letters"}
				}
			}, Answer{Error: "bad_request", Message: "client_id: must be 8–64 letters"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls []api.NativePairRequest
			var in bytes.Buffer
			var n [4]byte
			binary.NativeEndian.PutUint32(n[:], uint32(len(tc.req)))
			in.Write(n[:])
			in.WriteString(tc.req)
			var out, logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			if err := Serve(t.Context(), &in, &out, tc.caller, tc.pair(&calls), log); err != nil {
				t.Fatal(err)
			}
			b, err := ReadMessage(&out)
			if err != nil {
				t.Fatal(err)
			}
			var a Answer
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&a); err != nil {
				t.Fatal(err)
			}
			if out.Len() != 0 {
				t.Fatalf("more than one answer on stdout: %q", out.Bytes())
			}
			if tc.want.Message == "" {
				if !a.OK && a.Message == "" {
					t.Errorf("error answer without a message: %+v", a)
				}
				a.Message = ""
			}
			if a != tc.want {
				t.Errorf("answer %+v, want %+v", a, tc.want)
			}
			if tc.want.OK && (len(calls) != 1 || calls[0].ClientID != "c-1234567" || calls[0].Origin == "") {
				t.Errorf("daemon asked %+v", calls)
			}
			if !tc.want.OK && tc.name != "daemon not running" && tc.name != "daemon refuses" && len(calls) != 0 {
				t.Errorf("refused request reached the daemon: %+v", calls)
			}
			if strings.Contains(logs.String(), token) {
				t.Errorf("the token is in the log: %s", logs.String())
			}
			if logs.Len() == 0 {
				t.Error("nothing logged")
			}
		})
	}
}
