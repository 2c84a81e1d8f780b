package daemon_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/daemontest"
	"github.com/mindful-app/mindful/daemon/datadir"
)

// TestDashboardWiring runs the real daemon and checks that the dashboard is
// mounted at / behind the same Host check as the API and the socket, that a
// link from the control API logs in, and that the status has the check-in.
func TestDashboardWiring(t *testing.T) {
	d := daemontest.Options{Logger: slog.New(slog.DiscardHandler)}.Start(t)
	ctx := t.Context()
	base := "http://" + d.Addr
	port := d.Addr[strings.LastIndex(d.Addr, ":")+1:]
	// Clients and the native-messaging host find a daemon on a port of
	// its own choosing through the address it writes.
	if got := datadir.ReadAddr(d.DataDir); got != d.Addr {
		t.Errorf("%s in the data dir says %q, want %q", datadir.AddrFile, got, d.Addr)
	}

	get := func(c *http.Client, path, host string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	noRedirect := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	plain := noRedirect()

	// The Host check covers the dashboard's pages, its login and its
	// stylesheet, before any of them runs.
	for _, p := range []string{"/", "/today", "/login?token=x", "/static/style.css", "/settings"} {
		for _, host := range []string{"evil.test:" + port, "evil.test", "127.0.0.1:1"} {
			if resp, _ := get(plain, p, host); resp.StatusCode != http.StatusMisdirectedRequest {
				t.Errorf("GET %s with Host %s: %d, want 421", p, host, resp.StatusCode)
			}
		}
	}
	resp, body := get(plain, "/", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "mindful dashboard") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("GET / : %d %q\n%s", resp.StatusCode, resp.Header, body)
	}
	// The API is still the API.
	if resp, _ := get(plain, "/api/v1/status", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /api/v1/status without a token: %d", resp.StatusCode)
	}

	cl := d.Client(t)
	link, err := cl.DashboardLink(ctx, "feeds", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link.URL, base+"/login?token=") || link.ExpiresAt.Before(time.Now()) {
		t.Fatalf("link %+v", link)
	}
	if _, err := cl.DashboardLink(ctx, "secrets", ""); err == nil || !strings.Contains(err.Error(), "today, history") {
		t.Fatalf("link to an unknown page: %v", err)
	}
	browser := noRedirect()
	resp, _ = get(browser, strings.TrimPrefix(link.URL, base), "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/feeds" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := get(browser, "/feeds", ""); resp.StatusCode != 200 || !strings.Contains(body, "reddit") {
		t.Fatalf("feeds after login: %d\n%s", resp.StatusCode, body)
	}

	if _, err := cl.DismissCheckin(ctx, "not-a-date"); err == nil {
		t.Fatal("dismissing a malformed date succeeded")
	}
	if _, err := cl.DismissCheckin(ctx, "2026-11-23"); err != nil {
		t.Fatalf("dismiss: %v", err)
	}
}
