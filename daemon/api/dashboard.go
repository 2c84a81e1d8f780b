package api

import "time"

// PathDashboardLink is POST: mint a one-time login link for the dashboard
// (`mindful dashboard`, the tray's "Open dashboard" and "Today's
// reflection"). PathCheckinDismiss is POST: "not tonight" for the evening
// check-in of a day.
const (
	PathDashboardLink  = "/api/v1/dashboard/link"
	PathCheckinDismiss = "/api/v1/checkin/dismiss"
)

// DashboardLinkRequest is the body of POST /api/v1/dashboard/link. Page is
// one of today, history, breaks, feeds, settings, data ("" = today); Date
// (YYYY-MM-DD, Today only) opens the page for that day, e.g. the date of a
// due check-in.
type DashboardLinkRequest struct {
	Page string `json:"page,omitempty"`
	Date string `json:"date,omitempty"`
}

// DashboardLink answers POST /api/v1/dashboard/link. URL logs a browser in
// once, until ExpiresAt (2 minutes); then it lands on the page with the
// secret gone from the address bar.
type DashboardLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Checkin is the evening check-in in the status: Due is true from the
// check-in time (settings checkin_time, default 21:00) until the day's
// reflection is saved or the check-in is dismissed. A check-in that the
// daemon could not offer at its time (the computer was off or asleep) is
// due at the next start or wake-up, until the next day's check-in time.
// Date is the day it asks about (YYYY-MM-DD); empty when not due.
type Checkin struct {
	Due  bool   `json:"due"`
	Date string `json:"date,omitempty"`
}

// CheckinDismissRequest is the body of POST /api/v1/checkin/dismiss.
type CheckinDismissRequest struct {
	Date string `json:"date"`
}
