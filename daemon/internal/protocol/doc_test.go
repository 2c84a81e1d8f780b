package protocol_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/protocol"
)

// docPath is docs/protocol.md, relative to this package's directory (where
// go test runs).
var docPath = filepath.Join("..", "..", "..", "docs", "protocol.md")

// docExample is one ```json block of docs/protocol.md.
type docExample struct {
	line int // line of the opening fence, for messages
	text []byte
}

// docExamples returns every ```json fenced block of docs/protocol.md.
func docExamples(tb testing.TB) []docExample {
	tb.Helper()
	b, err := os.ReadFile(docPath)
	if err != nil {
		tb.Fatalf("read the protocol contract: %v", err)
	}
	var (
		out  []docExample
		cur  *docExample
		buf  bytes.Buffer
		line int
	)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line++
		l := sc.Text()
		trimmed := strings.TrimSpace(l)
		switch {
		case cur == nil && trimmed == "```json":
			cur = &docExample{line: line}
			buf.Reset()
		case cur != nil && trimmed == "```":
			cur.text = bytes.Clone(buf.Bytes())
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			buf.WriteString(l)
			buf.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if cur != nil {
		tb.Fatalf("%s:%d: ```json block is never closed", docPath, cur.line)
	}
	return out
}

// docNow is a time near the timestamps of the doc's examples, so that none
// of them is "from the future".
var docNow = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

// decodeStrict unmarshals body into dst and refuses fields dst does not have,
// so a doc example cannot carry a field that the code does not know.
func decodeStrict(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}

var errorCodes = []string{
	protocol.CodeBadJSON, protocol.CodeBadEnvelope, protocol.CodeUnsupportedVersion,
	protocol.CodeUnknownType, protocol.CodeInvalid, protocol.CodeNotAuthenticated,
	protocol.CodeUnauthorized, protocol.CodePairingUnavailable, protocol.CodeUnavailable,
}

// TestDocExamples decodes and validates every example of docs/protocol.md,
// the wire contract. By the doc's convention, a message id starting with "c-"
// is sent by the extension (client) and one starting with "d-" by the daemon;
// that tells apart the ping and pong examples of each side.
func TestDocExamples(t *testing.T) {
	examples := docExamples(t)
	if len(examples) < 10 {
		t.Fatalf("%s has %d ```json examples, want at least 10", docPath, len(examples))
	}
	seenClient := map[string]bool{}
	seenDaemon := map[string]bool{}
	for _, ex := range examples {
		env, perr := protocol.Decode(ex.text)
		name := "line" + strconv.Itoa(ex.line)
		if perr == nil {
			name += "_" + env.Type + "_" + env.ID
		}
		t.Run(name, func(t *testing.T) {
			if perr != nil {
				t.Fatalf("%s:%d: Decode: %v (field %q)\n%s", docPath, ex.line, perr, perr.Field, ex.text)
			}
			if env.V != protocol.Version {
				t.Errorf("V = %d, want %d", env.V, protocol.Version)
			}
			var fromClient bool
			switch {
			case strings.HasPrefix(env.ID, "c-"):
				fromClient = true
				if !slices.Contains(protocol.FromClient, env.Type) {
					t.Fatalf("%s:%d: id %q says the extension sends it, but type %q is not in FromClient %v", docPath, ex.line, env.ID, env.Type, protocol.FromClient)
				}
				seenClient[env.Type] = true
			case strings.HasPrefix(env.ID, "d-"):
				if !slices.Contains(protocol.FromDaemon, env.Type) {
					t.Fatalf("%s:%d: id %q says the daemon sends it, but type %q is not in FromDaemon %v", docPath, ex.line, env.ID, env.Type, protocol.FromDaemon)
				}
				seenDaemon[env.Type] = true
			default:
				t.Fatalf("%s:%d: example ids start with \"c-\" (from the extension) or \"d-\" (from the daemon), not %q", docPath, ex.line, env.ID)
			}
			if fromClient {
				checkClientBody(t, ex, env)
			} else {
				checkDaemonBody(t, ex, env)
			}
		})
	}
	for _, typ := range protocol.FromClient {
		if !seenClient[typ] {
			t.Errorf("%s has no example of %q sent by the extension (an id starting with \"c-\")", docPath, typ)
		}
	}
	for _, typ := range protocol.FromDaemon {
		if !seenDaemon[typ] {
			t.Errorf("%s has no example of %q sent by the daemon (an id starting with \"d-\")", docPath, typ)
		}
	}
}

func checkClientBody(t *testing.T, ex docExample, env protocol.Envelope) {
	t.Helper()
	switch env.Type {
	case protocol.TypePairRequest:
		p, err := protocol.DecodePairRequest(env.Body)
		if err != nil {
			t.Fatalf("%s:%d: DecodePairRequest: %v", docPath, ex.line, err)
		}
		if p.ClientID == "" || p.Browser == "" {
			t.Errorf("pair_request decoded without client_id or browser: %+v", p)
		}
		var strict protocol.PairRequest
		if err := decodeStrict(env.Body, &strict); err != nil {
			t.Errorf("%s:%d: pair_request body has a field the code does not know: %v", docPath, ex.line, err)
		}
	case protocol.TypeHello:
		h, err := protocol.DecodeHello(env.Body)
		if err != nil {
			t.Fatalf("%s:%d: DecodeHello: %v", docPath, ex.line, err)
		}
		if h.Token == "" || h.ClientID == "" {
			t.Errorf("hello decoded without token or client_id: %+v", h)
		}
		var strict protocol.Hello
		if err := decodeStrict(env.Body, &strict); err != nil {
			t.Errorf("%s:%d: hello body has a field the code does not know: %v", docPath, ex.line, err)
		}
	case protocol.TypeEvents:
		b, err := protocol.DecodeEvents(env.Body, docNow)
		if err != nil {
			t.Fatalf("%s:%d: DecodeEvents: %v", docPath, ex.line, err)
		}
		if len(b.Rejected) != 0 {
			t.Errorf("%s:%d: the events example should hold only valid events; rejected: %+v", docPath, ex.line, b.Rejected)
		}
		var raw struct {
			Events []protocol.Event `json:"events"`
		}
		if err := decodeStrict(env.Body, &raw); err != nil {
			t.Errorf("%s:%d: an event has a field the code does not know: %v", docPath, ex.line, err)
		}
		if len(b.Valid) != len(raw.Events) || len(b.Valid) == 0 {
			t.Errorf("%d valid events, want all %d of the example", len(b.Valid), len(raw.Events))
		}
		// The example should show every event type.
		types := map[string]bool{}
		for _, e := range b.Valid {
			types[e.Type] = true
		}
		for _, typ := range api.EventTypes {
			if !types[typ] {
				t.Errorf("%s:%d: the events example has no %q event", docPath, ex.line, typ)
			}
		}
	case protocol.TypeBreakStop:
		b, err := protocol.DecodeBreakStop(env.Body)
		if err != nil {
			t.Fatalf("%s:%d: DecodeBreakStop: %v", docPath, ex.line, err)
		}
		if b.Ticket == "" || b.Reason == "" {
			t.Errorf("break_stop decoded without ticket or reason: %+v", b)
		}
	case protocol.TypePing, protocol.TypePong, protocol.TypeBreakStopRequest:
		var e protocol.Empty
		if err := decodeStrict(env.Body, &e); err != nil {
			t.Errorf("%s:%d: %s body: %v", docPath, ex.line, env.Type, err)
		}
	default:
		t.Fatalf("no check for client message type %q; add one", env.Type)
	}
	if env.Type == protocol.TypePong && env.Re == "" {
		t.Errorf("%s:%d: a pong answers a ping, so it needs re", docPath, ex.line)
	}
}

func checkDaemonBody(t *testing.T, ex docExample, env protocol.Envelope) {
	t.Helper()
	var err error
	switch env.Type {
	case protocol.TypePairPending:
		var b protocol.PairPending
		err = decodeStrict(env.Body, &b)
		if err == nil && (len(b.Code) != 6 || strings.Trim(b.Code, "0123456789") != "" || b.ExpiresAt.IsZero()) {
			t.Errorf("pair_pending body %+v: want a 6-digit code and expires_at", b)
		}
	case protocol.TypePaired:
		var b protocol.Paired
		err = decodeStrict(env.Body, &b)
		if err == nil && (b.ClientID == "" || len(b.Token) != 64) {
			t.Errorf("paired body %+v: want client_id and a 64-digit token", b)
		}
	case protocol.TypeWelcome:
		var b protocol.Welcome
		err = decodeStrict(env.Body, &b)
		if err == nil && b.MaxBatch != protocol.MaxBatch {
			t.Errorf("welcome max_batch = %d, want protocol.MaxBatch = %d", b.MaxBatch, protocol.MaxBatch)
		}
	case protocol.TypeState:
		var b protocol.State
		err = decodeStrict(env.Body, &b)
		if err == nil && (len(b.Feeds) == 0 || b.Prompt.PauseSeconds <= 0 || len(b.Prompt.TimeboxesMinutes) == 0 || b.DayStart.IsZero()) {
			t.Errorf("state body %+v: want feeds, prompt settings and day_start", b)
		}
	case protocol.TypeBreakStopTicket:
		var b protocol.BreakStopTicket
		err = decodeStrict(env.Body, &b)
		if err == nil && (b.Ticket == "" || b.NotBefore.IsZero()) {
			t.Errorf("break_stop_ticket body %+v: want ticket and not_before", b)
		}
	case protocol.TypeBreakStopped:
		var b protocol.BreakStopped
		err = decodeStrict(env.Body, &b)
	case protocol.TypeAck:
		var b protocol.Ack
		err = decodeStrict(env.Body, &b)
		if err == nil && len(b.IDs) == 0 {
			t.Errorf("ack body has no ids")
		}
	case protocol.TypeError:
		var b protocol.Error
		err = decodeStrict(env.Body, &b)
		if err == nil && (!slices.Contains(errorCodes, b.Code) || b.Message == "") {
			t.Errorf("error body %+v: want a known code and a message", b)
		}
	case protocol.TypePing, protocol.TypePong:
		var b protocol.Empty
		err = decodeStrict(env.Body, &b)
	default:
		t.Fatalf("no check for daemon message type %q; add one", env.Type)
	}
	if err != nil {
		t.Errorf("%s:%d: %s body does not match protocol's type: %v", docPath, ex.line, env.Type, err)
	}
	if (env.Type == protocol.TypePong || env.Type == protocol.TypeAck) && env.Re == "" {
		t.Errorf("%s:%d: the daemon's %s answers a message, so it needs re", docPath, ex.line, env.Type)
	}
}
