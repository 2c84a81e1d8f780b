package client

import (
	"context"
	"net/http"

	"github.com/mindful-app/mindful/daemon/api"
)

// PairNative asks the daemon for a token for the extension described by
// req (the native-messaging host does this). The answer holds the token:
// hand it to the extension only, never to a log.
func (c *Client) PairNative(ctx context.Context, req api.NativePairRequest) (api.NativePairing, error) {
	var p api.NativePairing
	err := c.do(ctx, http.MethodPost, api.PathPairNative, req, &p)
	return p, err
}

// Shutdown asks the daemon to stop. It returns once the daemon has
// accepted; the daemon then shuts down cleanly on its own.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, api.PathShutdown, struct{}{}, nil)
}
