package protocol_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		code  string
		field string
	}{
		{"not JSON", `hello`, protocol.CodeBadJSON, ""},
		{"truncated JSON", `{"v": 1, "type": "ping"`, protocol.CodeBadJSON, ""},
		{"JSON array", `[{"v": 1}]`, protocol.CodeBadJSON, ""},
		{"JSON null", `null`, protocol.CodeBadJSON, ""},
		{"JSON string", `"ping"`, protocol.CodeBadJSON, ""},
		{"missing v", `{"type": "ping", "id": "c-1", "body": {}}`, protocol.CodeBadEnvelope, "v"},
		{"v as string", `{"v": "1", "type": "ping", "id": "c-1", "body": {}}`, protocol.CodeBadEnvelope, "v"},
		{"v as non-numeric string", `{"v": "one", "type": "ping", "id": "c-1", "body": {}}`, protocol.CodeBadEnvelope, "v"},
		{"v as bool", `{"v": true, "type": "ping", "id": "c-1", "body": {}}`, protocol.CodeBadEnvelope, "v"},
		{"v null", `{"v": null, "type": "ping", "id": "c-1", "body": {}}`, protocol.CodeBadEnvelope, "v"},
		{"v=2", `{"v": 2, "type": "ping", "id": "c-1", "body": {}}`, protocol.CodeUnsupportedVersion, "v"},
		{"v=0", `{"v": 0, "type": "ping", "id": "c-1", "body": {}}`, protocol.CodeUnsupportedVersion, "v"},
		{"missing type", `{"v": 1, "id": "c-1", "body": {}}`, protocol.CodeBadEnvelope, "type"},
		{"empty type", `{"v": 1, "type": "", "id": "c-1", "body": {}}`, protocol.CodeBadEnvelope, "type"},
		{"type as number", `{"v": 1, "type": 3, "id": "c-1", "body": {}}`, protocol.CodeBadEnvelope, "type"},
		{"missing id", `{"v": 1, "type": "ping", "body": {}}`, protocol.CodeBadEnvelope, "id"},
		{"empty id", `{"v": 1, "type": "ping", "id": "", "body": {}}`, protocol.CodeBadEnvelope, "id"},
		{"id as number", `{"v": 1, "type": "ping", "id": 7, "body": {}}`, protocol.CodeBadEnvelope, "id"},
		{"id of 65 chars", `{"v": 1, "type": "ping", "id": "` + strings.Repeat("x", 65) + `", "body": {}}`, protocol.CodeBadEnvelope, "id"},
		{"re as number", `{"v": 1, "type": "pong", "id": "c-1", "re": 5, "body": {}}`, protocol.CodeBadEnvelope, "re"},
		{"missing body", `{"v": 1, "type": "ping", "id": "c-1"}`, protocol.CodeBadEnvelope, "body"},
		{"body as array", `{"v": 1, "type": "ping", "id": "c-1", "body": []}`, protocol.CodeBadEnvelope, "body"},
		{"body null", `{"v": 1, "type": "ping", "id": "c-1", "body": null}`, protocol.CodeBadEnvelope, "body"},
		{"body as string", `{"v": 1, "type": "ping", "id": "c-1", "body": "{}"}`, protocol.CodeBadEnvelope, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := protocol.Decode([]byte(tt.frame))
			if err == nil {
				t.Fatalf("Decode(%s) = %+v, nil; want a %s error", tt.frame, env, tt.code)
			}
			if err.Code != tt.code || err.Field != tt.field {
				t.Errorf("Decode(%s): code %q field %q, want code %q field %q (%v)", tt.frame, err.Code, err.Field, tt.code, tt.field, err)
			}
			if err.Message == "" {
				t.Errorf("error has no message")
			}
			if tt.field != "" && !strings.HasPrefix(err.Message, tt.field+": ") {
				t.Errorf("message %q does not start with the field %q", err.Message, tt.field)
			}
		})
	}
}

func TestDecodeOK(t *testing.T) {
	frame := `{"v": 1, "type": "pong", "id": "c-10", "re": "d-17", "body": {"x": 1}, "future_field": true}`
	env, err := protocol.Decode([]byte(frame))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if env.V != 1 || env.Type != "pong" || env.ID != "c-10" || env.Re != "d-17" || string(env.Body) != `{"x": 1}` {
		t.Errorf("Decode = %+v", env)
	}
	id64 := strings.Repeat("x", 64)
	if _, err := protocol.Decode([]byte(`{"v": 1, "type": "ping", "id": "` + id64 + `", "body": {}}`)); err != nil {
		t.Errorf("a 64-character id is allowed: %v", err)
	}
}

// Decode keeps the id of an otherwise wrong envelope, so that the error reply
// can refer to it; but never an id that is itself wrong.
func TestDecodeKeepsIDForReply(t *testing.T) {
	tests := []struct {
		frame, id string
	}{
		{`{"v": 2, "type": "ping", "id": "c-1", "body": {}}`, "c-1"},
		{`{"v": 1, "id": "c-2", "body": {}}`, "c-2"},
		{`{"v": 1, "type": "ping", "id": "c-3"}`, "c-3"},
		{`{"v": 1, "type": "ping", "id": "` + strings.Repeat("y", 65) + `", "body": {}}`, ""},
		{`{"v": 1, "type": "ping", "id": "", "body": {}}`, ""},
	}
	for _, tt := range tests {
		env, err := protocol.Decode([]byte(tt.frame))
		if err == nil {
			t.Fatalf("Decode(%s) succeeded", tt.frame)
		}
		if env.ID != tt.id {
			t.Errorf("Decode(%s): ID %q, want %q", tt.frame, env.ID, tt.id)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	b, err := protocol.Encode(protocol.TypeAck, "d-1", "c-1", protocol.Ack{IDs: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	env, perr := protocol.Decode(b)
	if perr != nil {
		t.Fatalf("Decode(Encode(...)) = %v; frame %s", perr, b)
	}
	if env.Type != protocol.TypeAck || env.ID != "d-1" || env.Re != "c-1" {
		t.Errorf("round trip = %+v", env)
	}
	var ack protocol.Ack
	if err := json.Unmarshal(env.Body, &ack); err != nil || len(ack.IDs) != 1 || ack.IDs[0] != "a" {
		t.Errorf("body %s: %+v, %v", env.Body, ack, err)
	}
	// Empty encodes as {}, which Decode accepts as a body.
	b, err = protocol.Encode(protocol.TypePing, "d-2", "", protocol.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"re"`) {
		t.Errorf("empty re is encoded: %s", b)
	}
	if _, perr := protocol.Decode(b); perr != nil {
		t.Errorf("Decode(%s) = %v", b, perr)
	}
}

// Events for the tests below.
var (
	now = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

	evNavigated = `{"id": "ev-nav-0001", "ts": "2026-11-23T15:21:26.123Z", "type": "tab_navigated", "tab_id": 12, "window_id": 1, "domain": "www.reddit.com", "url": "https://www.reddit.com/r/golang/"}`
	evActivated = `{"id": "ev-act-0001", "ts": "2026-11-23T15:21:40.002Z", "type": "tab_activated", "tab_id": 7, "window_id": 1, "domain": "example.org"}`
	evClosed    = `{"id": "ev-clo-0001", "ts": "2026-11-23T15:22:05.500Z", "type": "tab_closed", "tab_id": 12, "window_id": 1, "domain": ""}`
	evFocus     = `{"id": "ev-foc-0001", "ts": "2026-11-23T15:22:06.000Z", "type": "window_focus", "window_id": -1}`
	evIdle      = `{"id": "ev-idl-0001", "ts": "2026-11-23T17:22:06+02:00", "type": "idle_state", "state": "idle"}`
)

func batch(events ...string) []byte {
	return []byte(`{"events": [` + strings.Join(events, ",") + `]}`)
}

func TestDecodeEventsValid(t *testing.T) {
	b, err := protocol.DecodeEvents(batch(evNavigated, evActivated, evClosed, evFocus, evIdle), now)
	if err != nil {
		t.Fatalf("DecodeEvents: %v", err)
	}
	if len(b.Rejected) != 0 {
		t.Errorf("rejected: %+v", b.Rejected)
	}
	wantIDs := []string{"ev-nav-0001", "ev-act-0001", "ev-clo-0001", "ev-foc-0001", "ev-idl-0001"}
	if len(b.Valid) != len(wantIDs) {
		t.Fatalf("%d valid events, want %d", len(b.Valid), len(wantIDs))
	}
	for i, e := range b.Valid {
		if e.ID != wantIDs[i] {
			t.Errorf("Valid[%d].ID = %q, want %q (order kept)", i, e.ID, wantIDs[i])
		}
		if e.Time.Location() != time.UTC {
			t.Errorf("Valid[%d].Time %v is not UTC", i, e.Time)
		}
	}
	nav := b.Valid[0]
	if want := time.Date(2026, 11, 23, 15, 21, 26, 123e6, time.UTC); !nav.Time.Equal(want) {
		t.Errorf("Time = %v, want %v", nav.Time, want)
	}
	if nav.TabID == nil || *nav.TabID != 12 || nav.WindowID == nil || *nav.WindowID != 1 {
		t.Errorf("tab/window ids: %+v", nav.Event)
	}
	if nav.URL != "https://www.reddit.com/r/golang/" || nav.Domain != "www.reddit.com" {
		t.Errorf("url/domain: %q %q", nav.URL, nav.Domain)
	}
	if f := b.Valid[3]; f.WindowID == nil || *f.WindowID != -1 {
		t.Errorf("window_focus window_id: %+v", f.Event)
	}
	if idle := b.Valid[4]; idle.State != "idle" || !idle.Time.Equal(time.Date(2026, 11, 23, 15, 22, 6, 0, time.UTC)) {
		t.Errorf("idle_state: %+v", idle)
	}
}

func TestDecodeEventsBatchSize(t *testing.T) {
	many := func(n int) []byte {
		evs := make([]string, n)
		for i := range evs {
			evs[i] = fmt.Sprintf(`{"id": "ev-%04d-xxxx", "ts": "2026-11-23T15:00:00Z", "type": "idle_state", "state": "active"}`, i)
		}
		return batch(evs...)
	}
	tests := []struct {
		name  string
		body  []byte
		ok    bool
		field string
	}{
		{"0 events", many(0), false, "events"},
		{"1 event", many(1), true, ""},
		{"200 events", many(200), true, ""},
		{"201 events", many(201), false, "events"},
		{"events missing", []byte(`{}`), false, "events"},
		{"events null", []byte(`{"events": null}`), false, "events"},
		{"events an object", []byte(`{"events": {}}`), false, "events"},
		{"events a string", []byte(`{"events": "x"}`), false, "events"},
		{"body an array", []byte(`[]`), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := protocol.DecodeEvents(tt.body, now)
			if tt.ok {
				if err != nil {
					t.Fatalf("DecodeEvents: %v", err)
				}
				if len(b.Valid) == 0 || len(b.Rejected) != 0 {
					t.Errorf("%d valid, %d rejected", len(b.Valid), len(b.Rejected))
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeEvents succeeded: %+v", b)
			}
			if err.Code != protocol.CodeInvalid || err.Field != tt.field {
				t.Errorf("code %q field %q, want %q %q (%v)", err.Code, err.Field, protocol.CodeInvalid, tt.field, err)
			}
			if len(b.Valid) != 0 || len(b.Rejected) != 0 {
				t.Errorf("an error returns no events, got %+v", b)
			}
		})
	}
}

// A bad event is rejected on its own, naming its field; the valid events
// around it are kept.
func TestDecodeEventsRejectsOneEvent(t *testing.T) {
	const bad = "ev-bad-0001"
	tests := []struct {
		name  string
		event string
		field string
	}{
		{"bad ts", `{"id": "ev-bad-0001", "ts": "yesterday", "type": "idle_state", "state": "idle"}`, "events[1].ts"},
		{"ts without zone", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00", "type": "idle_state", "state": "idle"}`, "events[1].ts"},
		{"missing ts", `{"id": "ev-bad-0001", "type": "idle_state", "state": "idle"}`, "events[1].ts"},
		{"ts in 1999", `{"id": "ev-bad-0001", "ts": "1999-12-31T23:59:59Z", "type": "idle_state", "state": "idle"}`, "events[1].ts"},
		{"ts 2 days ahead", `{"id": "ev-bad-0001", "ts": "2026-11-25T16:00:00Z", "type": "idle_state", "state": "idle"}`, "events[1].ts"},
		{"unknown type", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_exploded", "tab_id": 1, "window_id": 1}`, "events[1].type"},
		{"missing type", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "tab_id": 1, "window_id": 1}`, "events[1].type"},
		{"missing tab_id", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_activated", "window_id": 1, "domain": "example.org"}`, "events[1].tab_id"},
		{"missing window_id", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_closed", "tab_id": 1, "domain": "example.org"}`, "events[1].window_id"},
		{"window_focus without window_id", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "window_focus"}`, "events[1].window_id"},
		{"bad idle state", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "idle_state", "state": "asleep"}`, "events[1].state"},
		{"missing idle state", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "idle_state"}`, "events[1].state"},
		{"uppercase domain", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_activated", "tab_id": 1, "window_id": 1, "domain": "Example.org"}`, "events[1].domain"},
		{"domain with port", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_activated", "tab_id": 1, "window_id": 1, "domain": "example.org:8080"}`, "events[1].domain"},
		{"domain with path", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_activated", "tab_id": 1, "window_id": 1, "domain": "example.org/x"}`, "events[1].domain"},
		{"url host not the domain", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_navigated", "tab_id": 1, "window_id": 1, "domain": "example.org", "url": "https://evil.example/"}`, "events[1].url"},
		{"url not http", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_navigated", "tab_id": 1, "window_id": 1, "domain": "", "url": "chrome://settings/"}`, "events[1].url"},
		{"url without host", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_navigated", "tab_id": 1, "window_id": 1, "domain": "", "url": "/relative/path"}`, "events[1].url"},
		{"url host not a host name", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_navigated", "tab_id": 1, "window_id": 1, "domain": "", "url": "http://exa_mple.com/"}`, "events[1].url"},
		{"url host with a zone", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_navigated", "tab_id": 1, "window_id": 1, "domain": "", "url": "http://[fe80::1%25eth0]/"}`, "events[1].url"},
		{"tab_id a string", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_activated", "tab_id": "x", "window_id": 1}`, "events[1].tab_id"},
		{"window_id a float", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "window_focus", "window_id": 1.5}`, "events[1].window_id"},
		{"domain a number", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_activated", "tab_id": 1, "window_id": 1, "domain": 5}`, "events[1].domain"},
		{"access without state", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "access", "missing_hosts": []}`, "events[1].state"},
		{"access limited, nothing missing", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "access", "state": "limited", "missing_hosts": []}`, "events[1].missing_hosts"},
		{"access full, a host missing", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "access", "state": "full", "missing_hosts": ["x.com"]}`, "events[1].missing_hosts"},
		{"access host not a host", `{"id": "ev-bad-0001", "ts": "2026-11-23T15:00:00Z", "type": "access", "state": "limited", "missing_hosts": ["https://x.com/"]}`, "events[1].missing_hosts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := protocol.DecodeEvents(batch(evActivated, tt.event, evIdle), now)
			if err != nil {
				t.Fatalf("DecodeEvents: %v; want the bad event rejected on its own", err)
			}
			if len(b.Rejected) != 1 {
				t.Fatalf("rejected %+v, want exactly %s", b.Rejected, bad)
			}
			r := b.Rejected[0]
			if r.ID != bad || r.Field != tt.field {
				t.Errorf("rejected id %q field %q, want %q %q (%s)", r.ID, r.Field, bad, tt.field, r.Message)
			}
			if !strings.HasPrefix(r.Message, tt.field+": ") || len(r.Message) <= len(tt.field)+2 {
				t.Errorf("message %q should name the field and say why", r.Message)
			}
			if len(b.Valid) != 2 || b.Valid[0].ID != "ev-act-0001" || b.Valid[1].ID != "ev-idl-0001" {
				t.Errorf("valid siblings: %+v", b.Valid)
			}
		})
	}
}

func TestDecodeEventsTypeMismatchFirstEvent(t *testing.T) {
	ev := `{"id": "ev-bad-0002", "ts": "2026-11-23T15:00:00Z", "type": "tab_activated", "tab_id": "x", "window_id": 1}`
	b, err := protocol.DecodeEvents(batch(ev), now)
	if err != nil {
		t.Fatalf("DecodeEvents: %v", err)
	}
	if len(b.Rejected) != 1 || b.Rejected[0].Field != "events[0].tab_id" || b.Rejected[0].ID != "ev-bad-0002" {
		t.Errorf("rejected = %+v, want ev-bad-0002 at events[0].tab_id", b.Rejected)
	}
	if len(b.Valid) != 0 {
		t.Errorf("valid = %+v", b.Valid)
	}
}

// An event the extension cannot identify cannot be dropped from its queue, so
// it makes the whole message an error.
func TestDecodeEventsWithoutID(t *testing.T) {
	tests := []struct {
		name  string
		event string
		field string
	}{
		{"missing id", `{"ts": "2026-11-23T15:00:00Z", "type": "idle_state", "state": "idle"}`, "events[1].id"},
		{"empty id", `{"id": "", "ts": "2026-11-23T15:00:00Z", "type": "idle_state", "state": "idle"}`, "events[1].id"},
		{"id too long", `{"id": "` + strings.Repeat("a", 65) + `", "ts": "2026-11-23T15:00:00Z", "type": "idle_state", "state": "idle"}`, "events[1].id"},
		{"id with a control character", `{"id": "ev\u0007bell", "ts": "2026-11-23T15:00:00Z", "type": "idle_state", "state": "idle"}`, "events[1].id"},
		{"id a number", `{"id": 17, "ts": "2026-11-23T15:00:00Z", "type": "idle_state", "state": "idle"}`, "events[1].id"},
		{"missing id and a type mismatch", `{"ts": "2026-11-23T15:00:00Z", "type": "tab_closed", "tab_id": "x", "window_id": 1}`, "events[1].tab_id"},
		{"event not an object", `42`, "events[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := protocol.DecodeEvents(batch(evActivated, tt.event, evIdle), now)
			if err == nil {
				t.Fatalf("DecodeEvents succeeded: %+v", b)
			}
			if err.Code != protocol.CodeInvalid || err.Field != tt.field {
				t.Errorf("code %q field %q, want %q %q (%v)", err.Code, err.Field, protocol.CodeInvalid, tt.field, err)
			}
			if len(b.Valid)+len(b.Rejected) != 0 {
				t.Errorf("an error returns no events, got %+v", b)
			}
		})
	}
}

func TestDecodeEventsDuplicateIDs(t *testing.T) {
	dup := `{"id": "ev-act-0001", "ts": "2026-11-23T15:25:00.000Z", "type": "tab_activated", "tab_id": 9, "window_id": 2, "domain": "example.com"}`
	b, err := protocol.DecodeEvents(batch(evActivated, evIdle, evActivated, dup), now)
	if err != nil {
		t.Fatalf("DecodeEvents: %v", err)
	}
	if len(b.Rejected) != 0 {
		t.Errorf("rejected: %+v", b.Rejected)
	}
	if len(b.Valid) != 2 || b.Valid[0].ID != "ev-act-0001" || b.Valid[1].ID != "ev-idl-0001" {
		t.Fatalf("valid = %+v, want each id once", b.Valid)
	}
	if *b.Valid[0].TabID != 7 {
		t.Errorf("the first copy of an id wins; got tab %d", *b.Valid[0].TabID)
	}
}

func TestDecodeEventsURL(t *testing.T) {
	tests := []struct {
		name, domain, url   string
		wantURL, wantDomain string
	}{
		{"query and fragment stripped", "www.reddit.com", "https://www.reddit.com/r/golang/?utm_source=x&q=secret#comments", "https://www.reddit.com/r/golang/", "www.reddit.com"},
		{"fragment only", "example.org", "http://example.org/a#b", "http://example.org/a", "example.org"},
		{"user info stripped", "example.org", "https://user:pass@example.org/p", "https://example.org/p", "example.org"},
		{"port kept in url", "example.org", "https://example.org:8443/x?y=1", "https://example.org:8443/x", "example.org"},
		{"upper-case url host", "example.org", "https://EXAMPLE.org/x", "https://EXAMPLE.org/x", "example.org"},
		{"domain taken from url", "", "https://news.example.com/a?b", "https://news.example.com/a", "news.example.com"},
		{"ipv6 host", "[::1]", "http://[::1]:8080/x?y", "http://[::1]:8080/x", "[::1]"},
		{"ipv6 domain from url", "", "http://[::1]/", "http://[::1]/", "[::1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := map[string]any{
				"id": "ev-url-0001", "ts": "2026-11-23T15:00:00Z", "type": "tab_navigated",
				"tab_id": 1, "window_id": 1, "domain": tt.domain, "url": tt.url,
			}
			j, _ := json.Marshal(map[string]any{"events": []any{ev}})
			b, err := protocol.DecodeEvents(j, now)
			if err != nil {
				t.Fatalf("DecodeEvents: %v", err)
			}
			if len(b.Valid) != 1 {
				t.Fatalf("rejected: %+v", b.Rejected)
			}
			if got := b.Valid[0].URL; got != tt.wantURL {
				t.Errorf("URL = %q, want %q", got, tt.wantURL)
			}
			if got := b.Valid[0].Domain; got != tt.wantDomain {
				t.Errorf("Domain = %q, want %q", got, tt.wantDomain)
			}
		})
	}
}

func TestDecodeEventsTimeRange(t *testing.T) {
	tests := []struct {
		ts string
		ok bool
	}{
		{"1999-06-01T00:00:00Z", false},
		{"2019-12-31T23:59:59.999Z", false},
		{"2020-01-01T00:00:00Z", true},
		{"2026-11-24T15:59:59Z", true},  // just under now + 24h
		{"2026-11-25T16:00:00Z", false}, // now + 2 days
		{"2026-11-24T16:00:01Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.ts, func(t *testing.T) {
			ev := `{"id": "ev-ts-00001", "ts": "` + tt.ts + `", "type": "idle_state", "state": "active"}`
			b, err := protocol.DecodeEvents(batch(ev), now)
			if err != nil {
				t.Fatalf("DecodeEvents: %v", err)
			}
			if got := len(b.Valid) == 1; got != tt.ok {
				t.Errorf("accepted = %v, want %v (rejected %+v)", got, tt.ok, b.Rejected)
			}
			if !tt.ok && (len(b.Rejected) != 1 || b.Rejected[0].Field != "events[0].ts") {
				t.Errorf("rejected = %+v, want events[0].ts", b.Rejected)
			}
		})
	}
}

const (
	goodToken    = "9b7e4c0d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"
	goodClientID = "6f1c1f0e-93a4-4c4e-9a57-1c0f3a1d2b7e"
)

func helloBody(token, clientID, browser string) []byte {
	b, _ := json.Marshal(map[string]string{
		"token": token, "client_id": clientID, "browser": browser,
		"browser_version": "156.0", "ext_version": "0.1.0",
	})
	return b
}

func TestDecodeHello(t *testing.T) {
	tests := []struct {
		name  string
		body  []byte
		field string // "" means valid
	}{
		{"valid", helloBody(goodToken, goodClientID, "firefox"), ""},
		{"every browser: unknown", helloBody(goodToken, goodClientID, "unknown"), ""},
		{"token missing", helloBody("", goodClientID, "chrome"), "token"},
		{"token upper-case", helloBody(strings.ToUpper(goodToken), goodClientID, "chrome"), "token"},
		{"token 63 digits", helloBody(goodToken[:63], goodClientID, "chrome"), "token"},
		{"token 65 digits", helloBody(goodToken+"0", goodClientID, "chrome"), "token"},
		{"token not hex", helloBody(strings.Repeat("g", 64), goodClientID, "chrome"), "token"},
		{"token with newline", helloBody(goodToken[:63]+"\n", goodClientID, "chrome"), "token"},
		{"unknown browser", helloBody(goodToken, goodClientID, "netscape"), "browser"},
		{"browser missing", helloBody(goodToken, goodClientID, ""), "browser"},
		{"browser upper-case", helloBody(goodToken, goodClientID, "Chrome"), "browser"},
		{"client_id missing", helloBody(goodToken, "", "chrome"), "client_id"},
		{"client_id too short", helloBody(goodToken, "abc", "chrome"), "client_id"},
		{"client_id too long", helloBody(goodToken, strings.Repeat("a", 65), "chrome"), "client_id"},
		{"client_id with slash", helloBody(goodToken, "6f1c1f0e/93a4", "chrome"), "client_id"},
		{"client_id with control char", helloBody(goodToken, "6f1c1f0e\x0093a4", "chrome"), "client_id"},
		{"client_id a number", []byte(`{"token": "` + goodToken + `", "client_id": 12345678, "browser": "chrome"}`), "client_id"},
		{"browser an array", []byte(`{"token": "` + goodToken + `", "client_id": "` + goodClientID + `", "browser": ["chrome"]}`), "browser"},
		{"token a number", []byte(`{"token": 5, "client_id": "` + goodClientID + `", "browser": "chrome"}`), "token"},
		{"browser_version control char", []byte(`{"token": "` + goodToken + `", "client_id": "` + goodClientID + `", "browser": "chrome", "browser_version": "1\u001b[2J"}`), "browser_version"},
		{"ext_version too long", []byte(`{"token": "` + goodToken + `", "client_id": "` + goodClientID + `", "browser": "chrome", "ext_version": "` + strings.Repeat("1", 65) + `"}`), "ext_version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := protocol.DecodeHello(tt.body)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("DecodeHello: %v", err)
				}
				if h.Token != goodToken || h.ClientID != goodClientID || h.BrowserVersion != "156.0" {
					t.Errorf("DecodeHello = %+v", h)
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeHello succeeded: %+v", h)
			}
			if err.Code != protocol.CodeInvalid || err.Field != tt.field {
				t.Errorf("code %q field %q, want %q %q (%v)", err.Code, err.Field, protocol.CodeInvalid, tt.field, err)
			}
		})
	}
}

func TestDecodePairRequest(t *testing.T) {
	for _, br := range protocol.Browsers {
		body, _ := json.Marshal(map[string]string{"client_id": goodClientID, "browser": br})
		p, err := protocol.DecodePairRequest(body)
		if err != nil {
			t.Errorf("browser %q: %v", br, err)
			continue
		}
		if p.Browser != br || p.ClientID != goodClientID {
			t.Errorf("DecodePairRequest = %+v", p)
		}
	}
	tests := []struct {
		name, body, field string
	}{
		{"unknown browser", `{"client_id": "` + goodClientID + `", "browser": "mosaic"}`, "browser"},
		{"bad client_id", `{"client_id": "no spaces allowed", "browser": "chrome"}`, "client_id"},
		{"client_id a number", `{"client_id": 12345678, "browser": "chrome"}`, "client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := protocol.DecodePairRequest([]byte(tt.body))
			if err == nil {
				t.Fatalf("DecodePairRequest succeeded: %+v", p)
			}
			if err.Code != protocol.CodeInvalid || err.Field != tt.field {
				t.Errorf("code %q field %q, want %q %q (%v)", err.Code, err.Field, protocol.CodeInvalid, tt.field, err)
			}
		})
	}
}
