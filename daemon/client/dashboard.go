package client

import (
	"context"
	"net/http"

	"github.com/mindful-app/mindful/daemon/api"
)

// DashboardLink mints a one-time login link to the dashboard's page
// ("" = today), for a day when date (YYYY-MM-DD) is set.
func (c *Client) DashboardLink(ctx context.Context, page, date string) (api.DashboardLink, error) {
	var l api.DashboardLink
	err := c.do(ctx, http.MethodPost, api.PathDashboardLink, api.DashboardLinkRequest{Page: page, Date: date}, &l)
	return l, err
}

// DismissCheckin says "not tonight" to the evening check-in of date ("" =
// the one due) and returns the new status.
func (c *Client) DismissCheckin(ctx context.Context, date string) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodPost, api.PathCheckinDismiss, api.CheckinDismissRequest{Date: date}, &s)
	return s, err
}
