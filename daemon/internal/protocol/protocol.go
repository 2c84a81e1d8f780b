// Package protocol defines mindful's WebSocket wire protocol, version 1:
// the envelope, every message body, and decoding that names the offending
// field when a message is wrong. It does no I/O, so it can be fuzzed.
// docs/protocol.md is the contract; its examples are decoded by the tests.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Version is the protocol version this package speaks.
const Version = 1

// Limits.
const (
	MaxMessageBytes = 65536 // a larger frame closes the socket (1009)
	MaxBatch        = 200   // events per "events" message
	MaxIDLen        = 64
)

// Message types.
const (
	TypePairRequest = "pair_request"
	TypeHello       = "hello"
	TypeEvents      = "events"
	TypePing        = "ping"
	TypePong        = "pong"
	TypePairPending = "pair_pending"
	TypePaired      = "paired"
	TypeWelcome     = "welcome"
	TypeAck         = "ack"
	TypeError       = "error"
	TypeState       = "state"

	TypeBreakStopRequest = "break_stop_request"
	TypeBreakStop        = "break_stop"
	TypeBreakStopTicket  = "break_stop_ticket"
	TypeBreakStopped     = "break_stopped"
)

// FromClient and FromDaemon list the types each side may send.
var (
	FromClient = []string{TypeBreakStop, TypeBreakStopRequest, TypeEvents, TypeHello, TypePairRequest, TypePing, TypePong}
	FromDaemon = []string{TypeAck, TypeBreakStopped, TypeBreakStopTicket, TypeError, TypePaired, TypePairPending, TypePing, TypePong, TypeState, TypeWelcome}
)

// Error codes (docs/protocol.md, "Errors").
const (
	CodeBadJSON            = "bad_json"
	CodeBadEnvelope        = "bad_envelope"
	CodeUnsupportedVersion = "unsupported_version"
	CodeUnknownType        = "unknown_type"
	CodeInvalid            = "invalid"
	CodeNotAuthenticated   = "not_authenticated"
	CodeUnauthorized       = "unauthorized"
	CodePairingUnavailable = "pairing_unavailable"
	CodeUnavailable        = "unavailable"
	CodeRefused            = "refused"
)

// Close codes (docs/protocol.md, "Close codes").
const (
	CloseUnauthorized = 4001
	CloseAuthTimeout  = 4002
	CloseRevoked      = 4003
	ClosePingTimeout  = 4008
)

// Envelope is one frame.
type Envelope struct {
	V    int             `json:"v"`
	Type string          `json:"type"`
	ID   string          `json:"id"`
	Re   string          `json:"re,omitempty"`
	Body json.RawMessage `json:"body"`
}

// Error is a protocol error: what goes into an "error" message body.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errf(code, field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	return &Error{Code: code, Message: msg, Field: field}
}

// Decode parses and checks an envelope. The body is left raw; decode it with
// the type's Decode function. Re is kept so a reply can refer to it, even
// when the envelope is otherwise wrong.
func Decode(data []byte) (Envelope, *Error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return Envelope{}, errf(CodeBadJSON, "", "frame is not a JSON object")
	}
	var env Envelope
	if id, ok := raw["id"]; ok {
		_ = json.Unmarshal(id, &env.ID)
	}
	vRaw, ok := raw["v"]
	if !ok {
		return env, errf(CodeBadEnvelope, "v", "missing")
	}
	// json.Number also takes a JSON string ("1") and null, so check the
	// token is a number first.
	var v json.Number
	if b := bytes.TrimSpace(vRaw); len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return env, errf(CodeBadEnvelope, "v", "must be a number")
	}
	if err := json.Unmarshal(vRaw, &v); err != nil {
		return env, errf(CodeBadEnvelope, "v", "must be a number")
	}
	if v.String() != "1" {
		return env, errf(CodeUnsupportedVersion, "v", "version %s is not supported; this daemon speaks %d", v.String(), Version)
	}
	env.V = Version
	if err := stringField(raw, "type", &env.Type, true); err != nil {
		return env, err
	}
	if err := stringField(raw, "id", &env.ID, true); err != nil {
		env.ID = ""
		return env, err
	}
	if len(env.ID) > MaxIDLen {
		id := env.ID
		env.ID = ""
		return env, errf(CodeBadEnvelope, "id", "longer than %d characters (%d)", MaxIDLen, len(id))
	}
	if err := stringField(raw, "re", &env.Re, false); err != nil {
		return env, err
	}
	body, ok := raw["body"]
	if !ok {
		return env, errf(CodeBadEnvelope, "body", "missing")
	}
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		return env, errf(CodeBadEnvelope, "body", "must be an object")
	}
	env.Body = body
	return env, nil
}

func stringField(raw map[string]json.RawMessage, name string, dst *string, required bool) *Error {
	v, ok := raw[name]
	if !ok {
		if required {
			return errf(CodeBadEnvelope, name, "missing")
		}
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return errf(CodeBadEnvelope, name, "must be a string")
	}
	if required && *dst == "" {
		return errf(CodeBadEnvelope, name, "must not be empty")
	}
	return nil
}

// Encode builds a frame.
func Encode(typ, id, re string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Envelope{V: Version, Type: typ, ID: id, Re: re, Body: b})
}

// decodeBody unmarshals a body into dst, turning type mismatches into an
// "invalid" error that names the field under prefix.
func decodeBody(body []byte, dst any, prefix string) *Error {
	err := json.Unmarshal(body, dst)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := joinField(prefix, wireField(te.Field))
		return errf(CodeInvalid, field, "must be a %s, not %s", jsonKind(te.Type.Kind().String()), te.Value)
	}
	return errf(CodeInvalid, prefix, "%v", err)
}

// wireField turns encoding/json's path of a type error into the wire name:
// encoding/json puts the Go names of embedded structs into the path
// ("ClientInfo.client_id"), and wire names are all lower case.
func wireField(f string) string {
	parts := strings.Split(f, ".")
	out := parts[:0]
	for _, p := range parts {
		if p != "" && p[0] >= 'A' && p[0] <= 'Z' {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

func joinField(prefix, f string) string {
	switch {
	case prefix == "":
		return f
	case f == "":
		return prefix
	}
	return prefix + "." + f
}

// under puts e under prefix, an element of a batch ("events[2]"): its field
// and the field its message starts with become prefix.field, or prefix
// when e names no field.
func (e *Error) under(prefix string) *Error {
	if e.Field == "" {
		e.Message = prefix + ": " + e.Message
	} else {
		e.Message = prefix + "." + e.Message
	}
	e.Field = joinField(prefix, e.Field)
	return e
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "int", "int64", "int32", "float64":
		return "number"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	case "bool":
		return "boolean"
	}
	return k
}

// checkText validates a short free-text identifier field.
func checkText(field, v string, required bool, max int) *Error {
	if v == "" {
		if required {
			return errf(CodeInvalid, field, "missing")
		}
		return nil
	}
	if len(v) > max {
		return errf(CodeInvalid, field, "longer than %d bytes", max)
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return errf(CodeInvalid, field, "contains control characters")
	}
	return nil
}
