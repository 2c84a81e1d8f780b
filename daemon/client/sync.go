package client

import (
	"context"
	"net/http"

	"github.com/mindful-app/mindful/daemon/api"
)

// SyncStatus returns sharing between devices: this device, every device
// seen, and any problem.
func (c *Client) SyncStatus(ctx context.Context) (api.SyncStatus, error) {
	var s api.SyncStatus
	err := c.do(ctx, http.MethodGet, api.PathSync, nil, &s)
	return s, err
}

// SyncEnable starts sharing through a synced folder.
func (c *Client) SyncEnable(ctx context.Context, req api.SyncEnableRequest) (api.SyncStatus, error) {
	var s api.SyncStatus
	err := c.do(ctx, http.MethodPost, api.PathSyncEnable, req, &s)
	return s, err
}

// SyncDisable stops sharing.
func (c *Client) SyncDisable(ctx context.Context) (api.SyncStatus, error) {
	var s api.SyncStatus
	err := c.do(ctx, http.MethodPost, api.PathSyncDisable, struct{}{}, &s)
	return s, err
}
