// Package client is the Go client of the daemon's local control API
// (daemon/api). The CLI and the tray use it; neither touches the store or
// the WebSocket layer.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/datadir"
)

// ErrNotRunning means no daemon answered at the address.
var ErrNotRunning = errors.New("mindful daemon is not running")

// Client talks to one daemon.
type Client struct {
	addr  string
	token string
	hc    *http.Client
}

// New returns a client for the daemon at addr, authenticating with token.
func New(addr, token string) *Client {
	return &Client{addr: addr, token: token, hc: &http.Client{Timeout: 15 * time.Second}}
}

// Open returns a client for the daemon at addr using the control token from
// the data directory dir (already resolved).
func Open(addr, dir string) (*Client, error) {
	tok, err := datadir.ReadControlToken(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no control token in %s (has `mindful run` been started with this data dir? set --data-dir or MINDFUL_DATA_DIR to match)", ErrNotRunning, dir)
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("cannot read the control token in %s: run as the user who runs the daemon", dir)
	}
	if err != nil {
		return nil, err
	}
	return New(addr, tok), nil
}

// Addr is the daemon's address.
func (c *Client) Addr() string { return c.addr }

// Status returns the daemon's status.
func (c *Client) Status(ctx context.Context) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodGet, api.PathStatus, nil, &s)
	return s, err
}

// Events returns events at or after since (zero: all), at most limit
// (zero: the daemon's default).
func (c *Client) Events(ctx context.Context, since time.Time, limit int) ([]api.Event, error) {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("since", since.UTC().Format(time.RFC3339Nano))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	p := api.PathEvents
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	var evs []api.Event
	err := c.do(ctx, http.MethodGet, p, nil, &evs)
	return evs, err
}

// Pairing lists pending pairing requests and paired browsers.
func (c *Client) Pairing(ctx context.Context) (api.Pairing, error) {
	var p api.Pairing
	err := c.do(ctx, http.MethodGet, api.PathPairing, nil, &p)
	return p, err
}

// Approve approves the pairing request showing code.
func (c *Client) Approve(ctx context.Context, code string) (api.PairedClient, error) {
	var p api.PairedClient
	err := c.do(ctx, http.MethodPost, api.PathApprove, api.ApproveRequest{Code: code}, &p)
	return p, err
}

// Revoke unpairs the browser with this id (or unique id prefix) and returns
// its full id.
func (c *Client) Revoke(ctx context.Context, id string) (string, error) {
	var r api.RevokeRequest
	err := c.do(ctx, http.MethodPost, api.PathRevoke, api.RevokeRequest{ID: id}, &r)
	return r.ID, err
}

// APIError is an error answer from the daemon.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return e.Message }

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.addr+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var oe *net.OpError
		if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &oe) && oe.Op == "dial") {
			return fmt.Errorf("%w at %s (start it with `mindful run`)", ErrNotRunning, c.addr)
		}
		return fmt.Errorf("talk to daemon at %s: %w", c.addr, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("read answer from daemon: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var e api.Error
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return &APIError{Status: resp.StatusCode, Message: e.Error}
		}
		return &APIError{Status: resp.StatusCode, Message: fmt.Sprintf("daemon answered %s: %s", resp.Status, bytes.TrimSpace(b))}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("daemon answered with malformed JSON: %w", err)
	}
	return nil
}

// Feeds returns the effective feed catalog.
func (c *Client) Feeds(ctx context.Context) ([]api.Feed, error) {
	var fs []api.Feed
	err := c.do(ctx, http.MethodGet, api.PathFeeds, nil, &fs)
	return fs, err
}

// AddFeed adds a feed, or hosts/paths to an existing one.
func (c *Client) AddFeed(ctx context.Context, req api.FeedRequest) (api.Feed, error) {
	var f api.Feed
	err := c.do(ctx, http.MethodPost, api.PathFeeds, req, &f)
	return f, err
}

// SetFeedEnabled enables or disables a feed.
func (c *Client) SetFeedEnabled(ctx context.Context, id string, enabled bool) (api.Feed, error) {
	p := api.PathFeedDisable
	if enabled {
		p = api.PathFeedEnable
	}
	var f api.Feed
	err := c.do(ctx, http.MethodPost, p, api.FeedID{ID: id}, &f)
	return f, err
}

// PausePrompts pauses prompts until t and returns the new status.
func (c *Client) PausePrompts(ctx context.Context, until time.Time) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodPost, api.PathPromptsPause, api.PauseRequest{Until: until}, &s)
	return s, err
}

// ResumePrompts ends a pause of prompts and returns the new status.
func (c *Client) ResumePrompts(ctx context.Context) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodPost, api.PathPromptsResume, struct{}{}, &s)
	return s, err
}

// PromptSettings returns the prompt settings.
func (c *Client) PromptSettings(ctx context.Context) (api.PromptSettings, error) {
	var p api.PromptSettings
	err := c.do(ctx, http.MethodGet, api.PathPromptSettings, nil, &p)
	return p, err
}

// SetPromptSettings changes the fields that are set.
func (c *Client) SetPromptSettings(ctx context.Context, p api.PromptSettings) (api.PromptSettings, error) {
	var out api.PromptSettings
	err := c.do(ctx, http.MethodPost, api.PathPromptSettings, p, &out)
	return out, err
}

// Breaks returns the running, next and scheduled breaks.
func (c *Client) Breaks(ctx context.Context) (api.Breaks, error) {
	var b api.Breaks
	err := c.do(ctx, http.MethodGet, api.PathBreaks, nil, &b)
	return b, err
}

// StartBreak starts an on-demand break and returns the new status.
func (c *Client) StartBreak(ctx context.Context, req api.BreakStartRequest) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodPost, api.PathBreakStart, req, &s)
	return s, err
}

// RequestStop asks to end the running break early; StopBreak completes it
// after the ticket's NotBefore.
func (c *Client) RequestStop(ctx context.Context) (api.StopTicket, error) {
	var t api.StopTicket
	err := c.do(ctx, http.MethodPost, api.PathBreakStopAsk, struct{}{}, &t)
	return t, err
}

// StopBreak ends the running break early with the user's reason.
func (c *Client) StopBreak(ctx context.Context, ticket, reason string) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodPost, api.PathBreakStop, api.StopRequest{Ticket: ticket, Reason: reason}, &s)
	return s, err
}

// SetBreakSettings changes the fields that are set.
func (c *Client) SetBreakSettings(ctx context.Context, b api.BreakSettings) (api.Breaks, error) {
	var out api.Breaks
	err := c.do(ctx, http.MethodPost, api.PathBreakSettings, b, &out)
	return out, err
}

// Schedule returns the scheduled breaks.
func (c *Client) Schedule(ctx context.Context) ([]api.Rule, error) {
	var rs []api.Rule
	err := c.do(ctx, http.MethodGet, api.PathSchedule, nil, &rs)
	return rs, err
}

// AddSchedule adds a scheduled break.
func (c *Client) AddSchedule(ctx context.Context, r api.Rule) (api.Rule, error) {
	var out api.Rule
	err := c.do(ctx, http.MethodPost, api.PathSchedule, r, &out)
	return out, err
}

// RemoveSchedule deletes a scheduled break.
func (c *Client) RemoveSchedule(ctx context.Context, id int64) ([]api.Rule, error) {
	var rs []api.Rule
	err := c.do(ctx, http.MethodPost, api.PathScheduleRemove, map[string]int64{"id": id}, &rs)
	return rs, err
}

// Watch calls fn with the daemon's status at once and after every change
// until ctx ends or the connection breaks (it then returns the error).
func (c *Client) Watch(ctx context.Context, fn func(api.Status)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.addr+api.PathWatch, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "text/event-stream")
	hc := &http.Client{} // no timeout: the stream is long-lived
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("%w at %s (start it with `mindful run`)", ErrNotRunning, c.addr)
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return &APIError{Status: resp.StatusCode, Message: string(bytes.TrimSpace(b))}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "status":
			var st api.Status
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &st); err != nil {
				return fmt.Errorf("malformed status from daemon: %w", err)
			}
			fn(st)
		case line == "":
			event = ""
		}
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		return err
	}
	return ctx.Err()
}
