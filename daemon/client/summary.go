package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"

	"github.com/mindful-app/mindful/daemon/api"
)

// Summary returns the summary of one day (YYYY-MM-DD; "" = today).
func (c *Client) Summary(ctx context.Context, date string) (api.Summary, error) {
	var s api.Summary
	p := api.PathSummary
	if date != "" {
		p += "?" + url.Values{"date": {date}}.Encode()
	}
	err := c.do(ctx, http.MethodGet, p, nil, &s)
	return s, err
}

// SummaryDays returns the summaries of the days from..to, oldest first.
func (c *Client) SummaryDays(ctx context.Context, from, to string) ([]api.Summary, error) {
	var out []api.Summary
	err := c.do(ctx, http.MethodGet, api.PathSummary+"?"+url.Values{"from": {from}, "to": {to}}.Encode(), nil, &out)
	return out, err
}

// SummaryWeek returns the 7 days ending with date ("" = today).
func (c *Client) SummaryWeek(ctx context.Context, date string) (api.Week, error) {
	var w api.Week
	q := url.Values{"week": {"1"}}
	if date != "" {
		q.Set("date", date)
	}
	err := c.do(ctx, http.MethodGet, api.PathSummary+"?"+q.Encode(), nil, &w)
	return w, err
}

// SaveReflection stores the evening reflection of a day ("" = today) and
// returns the day's summary.
func (c *Client) SaveReflection(ctx context.Context, date, text string) (api.Summary, error) {
	var s api.Summary
	err := c.do(ctx, http.MethodPost, api.PathReflection, api.ReflectionRequest{Date: date, Text: text}, &s)
	return s, err
}

// Settings returns the user's general settings.
func (c *Client) Settings(ctx context.Context) (api.Settings, error) {
	var s api.Settings
	err := c.do(ctx, http.MethodGet, api.PathSettings, nil, &s)
	return s, err
}

// SetSettings stores all of set and returns the settings as stored.
func (c *Client) SetSettings(ctx context.Context, set api.Settings) (api.Settings, error) {
	var s api.Settings
	err := c.do(ctx, http.MethodPost, api.PathSettings, set, &s)
	return s, err
}

// DeleteAll deletes everything the daemon stores about the user. It has no
// time limit of its own (rebuilding a large database takes a while): ctx
// bounds it.
func (c *Client) DeleteAll(ctx context.Context) error {
	slow := *c
	slow.hc = &http.Client{Transport: c.hc.Transport}
	return slow.do(ctx, http.MethodPost, api.PathDeleteAll, api.DeleteAllRequest{Confirm: api.DeleteAllConfirm}, nil)
}

// Export streams everything stored, as "json" or "csv", to w. It has no
// time limit of its own (a year of data is large): ctx bounds it.
func (c *Client) Export(ctx context.Context, w io.Writer, format string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.addr+api.PathExport+"?"+url.Values{"format": {format}}.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	hc := &http.Client{Transport: c.hc.Transport}
	resp, err := hc.Do(req)
	if err != nil {
		var oe *net.OpError
		if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &oe) && oe.Op == "dial") {
			return fmt.Errorf("%w at %s (start it with `mindful run`)", ErrNotRunning, c.addr)
		}
		return fmt.Errorf("talk to daemon at %s: %w", c.addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		var e api.Error
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return &APIError{Status: resp.StatusCode, Message: e.Error}
		}
		return &APIError{Status: resp.StatusCode, Message: fmt.Sprintf("daemon answered %s: %s", resp.Status, bytes.TrimSpace(b))}
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
