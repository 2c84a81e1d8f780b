package e2e

// A small WebDriver BiDi client, enough to drive Debian's firefox-esr
// without geckodriver: commands over one WebSocket, their answers matched by
// id, events handed to one callback. It knows only the commands the Firefox
// tests use.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// bidiError is an error answer from the browser ("no such frame", ...).
type bidiError struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *bidiError) Error() string { return e.Code + ": " + e.Message }

type bidiAnswer struct {
	result json.RawMessage
	err    error
}

// bidi is one WebDriver BiDi session.
type bidi struct {
	conn    *websocket.Conn
	wmu     sync.Mutex // one writer at a time
	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan bidiAnswer
	onEvent func(method string, params json.RawMessage)
	closed  chan struct{}
	readErr error
}

// dialBiDi connects to a BiDi endpoint (ws://127.0.0.1:PORT/session).
func dialBiDi(ctx context.Context, url string, onEvent func(string, json.RawMessage)) (*bidi, error) {
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	conn.SetReadLimit(64 << 20) // screenshots are big
	b := &bidi{conn: conn, pending: map[int64]chan bidiAnswer{}, onEvent: onEvent, closed: make(chan struct{})}
	go b.read()
	return b, nil
}

func (b *bidi) read() {
	defer close(b.closed)
	for {
		_, data, err := b.conn.ReadMessage()
		if err != nil {
			b.mu.Lock()
			b.readErr = err
			for id, ch := range b.pending {
				ch <- bidiAnswer{err: fmt.Errorf("bidi connection lost: %w", err)}
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var msg struct {
			Type   string          `json:"type"`
			ID     *int64          `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			Result json.RawMessage `json:"result"`
			bidiError
		}
		if err := json.Unmarshal(data, &msg); err != nil {
			continue
		}
		switch {
		case msg.ID != nil:
			b.mu.Lock()
			ch := b.pending[*msg.ID]
			delete(b.pending, *msg.ID)
			b.mu.Unlock()
			if ch == nil {
				continue
			}
			if msg.Type == "error" {
				e := msg.bidiError
				ch <- bidiAnswer{err: &e}
			} else {
				ch <- bidiAnswer{result: msg.Result}
			}
		case msg.Type == "event" && b.onEvent != nil:
			b.onEvent(msg.Method, msg.Params)
		}
	}
}

// call sends one command and waits for its answer; result may be nil.
func (b *bidi) call(ctx context.Context, method string, params any, result any) error {
	if params == nil {
		params = struct{}{}
	}
	ch := make(chan bidiAnswer, 1)
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return fmt.Errorf("%s: bidi connection lost: %w", method, b.readErr)
	}
	b.nextID++
	id := b.nextID
	b.pending[id] = ch
	b.mu.Unlock()
	frame, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return err
	}
	b.wmu.Lock()
	err = b.conn.WriteMessage(websocket.TextMessage, frame)
	b.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case a := <-ch:
		if a.err != nil {
			return fmt.Errorf("%s: %w", method, a.err)
		}
		if result != nil {
			return json.Unmarshal(a.result, result)
		}
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (b *bidi) close() {
	b.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	b.conn.Close()
	<-b.closed
}

// remoteValue is a BiDi script.RemoteValue.
type remoteValue struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// scriptResult is the answer of script.evaluate / script.callFunction.
type scriptResult struct {
	Type             string      `json:"type"` // "success" or "exception"
	Result           remoteValue `json:"result"`
	ExceptionDetails struct {
		Text      string      `json:"text"`
		Exception remoteValue `json:"exception"`
	} `json:"exceptionDetails"`
}

// errScript is a JavaScript exception thrown by an evaluated expression.
var errScript = errors.New("script threw")

// evalJSON evaluates expr (an expression, awaited if it is a promise) in
// target and returns its value as JSON: the page serialises it, so any
// JSON-able value comes back whole. undefined comes back as null.
func (b *bidi) evalJSON(ctx context.Context, target map[string]any, expr string) (json.RawMessage, error) {
	var r scriptResult
	err := b.call(ctx, "script.evaluate", map[string]any{
		"expression":      "(async () => { const v = await (" + expr + "\n); return v === undefined ? 'null' : JSON.stringify(v); })()",
		"target":          target,
		"awaitPromise":    true,
		"resultOwnership": "none",
	}, &r)
	if err != nil {
		return nil, err
	}
	if r.Type == "exception" {
		return nil, fmt.Errorf("%w: %s", errScript, strings.TrimSpace(r.ExceptionDetails.Text))
	}
	if r.Result.Type != "string" {
		return nil, fmt.Errorf("evaluate returned a %s, not JSON", r.Result.Type)
	}
	var s string
	if err := json.Unmarshal(r.Result.Value, &s); err != nil {
		return nil, err
	}
	return json.RawMessage(s), nil
}
