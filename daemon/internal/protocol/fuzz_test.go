package protocol_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// FuzzDecode feeds arbitrary frames to Decode and, when the envelope is
// good, its body to every body decoder. Nothing may panic, every error must
// say what is wrong, and what passes validation must keep the protocol's
// promises. The seeds are the examples of docs/protocol.md.
func FuzzDecode(f *testing.F) {
	for _, ex := range docExamples(f) {
		f.Add(ex.text)
	}
	f.Add([]byte(`{"v": 1, "type": "events", "id": "c-1", "body": {"events": [{"id": "e1xxxxxx", "ts": "2026-11-23T15:00:00Z", "type": "tab_navigated", "tab_id": 1, "window_id": 1, "domain": "", "url": "http://[::1]:80/a?b#c"}]}}`))
	f.Add([]byte(`{"v": "1", "type": "ping", "id": "c-1", "body": {}}`))
	f.Add([]byte(`{"v": 1, "type": "events", "id": "c-1", "body": {"events": [{"ts": "x", "tab_id": "y"}]}}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := protocol.Decode(data)
		checkErr(t, "Decode", err)
		if err != nil {
			return
		}
		if env.V != protocol.Version || env.Type == "" || env.ID == "" || len(env.ID) > protocol.MaxIDLen || len(env.Body) == 0 {
			t.Fatalf("Decode accepted a bad envelope: %+v", env)
		}

		evs, err := protocol.DecodeEvents(env.Body, docNow)
		checkErr(t, "DecodeEvents", err)
		if err == nil {
			if n := len(evs.Valid) + len(evs.Rejected); n == 0 || n > protocol.MaxBatch {
				t.Fatalf("DecodeEvents returned %d events", n)
			}
			seen := map[string]bool{}
			for _, e := range evs.Valid {
				if e.ID == "" || seen[e.ID] {
					t.Fatalf("valid event with an empty or duplicate id %q", e.ID)
				}
				seen[e.ID] = true
				if strings.ContainsAny(e.URL, "?#") {
					t.Fatalf("valid event keeps a query or fragment: %q", e.URL)
				}
				if e.Domain != "" && !hostName.MatchString(e.Domain) {
					t.Fatalf("valid event with a domain that is not a lower-case host name: %q", e.Domain)
				}
				if e.Time.IsZero() || e.Time.Location().String() != "UTC" {
					t.Fatalf("valid event time %v", e.Time)
				}
			}
			for _, r := range evs.Rejected {
				if r.ID == "" || r.Field == "" || r.Message == "" {
					t.Fatalf("rejected event without id, field or reason: %+v", r)
				}
			}
		}

		_, err = protocol.DecodeHello(env.Body)
		checkErr(t, "DecodeHello", err)
		_, err = protocol.DecodePairRequest(env.Body)
		checkErr(t, "DecodePairRequest", err)
	})
}

// hostName is what docs/protocol.md promises a domain is: a lower-case host
// name without port, or a bracketed IPv6 address.
var hostName = regexp.MustCompile(`^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$`)

func checkErr(t *testing.T, fn string, err *protocol.Error) {
	t.Helper()
	if err == nil {
		return
	}
	if err.Code == "" || err.Message == "" {
		t.Fatalf("%s returned an error without code or message: %#v", fn, err)
	}
	if err.Field != "" && !strings.HasPrefix(err.Message, err.Field+": ") {
		t.Fatalf("%s: message %q does not name field %q", fn, err.Message, err.Field)
	}
}
