//go:build probe

package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestChromiumRestoreProbe measures what Chromium's session restore brings
// back after a quit and after a kill, with --restore-last-session and with
// the setting "Continue where you left off" (session.restore_on_startup=1 in
// the profile's Preferences). A measurement that logs, not a test:
// CI=true go test -tags probe -run TestChromiumRestoreProbe -v ./daemon/internal/e2e/
func TestChromiumRestoreProbe(t *testing.T) {
	chromiumPath(t)
	s := startSites(t)
	s.setNoStore()
	for _, end := range []string{"quit", "kill", "kill twice", "kill after toggling"} {
		for _, how := range []string{"flag", "setting"} {
			t.Run(end+"/"+how, func(t *testing.T) {
				c := &chromiumLaunch{s: s, profile: filepath.Join(t.TempDir(), "profile")}
				c.start(t, false)
				if end == "kill after toggling" {
					// The setting on for one launch, then off for one.
					c.quit(t)
					c.start(t, true)
					c.quit(t)
					c.start(t, false)
				}
				if end == "kill twice" {
					// A crash before: the session after it started without a restore.
					first := c.open(t, "https://old.reddit.com/r/golang/comments/first/")
					first.poll(t, "the page", `location.hostname === 'old.reddit.com'`, 30*time.Second)
					c.sessionSaved(t, "https://old.reddit.com/r/golang/comments/first/")
					c.kill(t)
					c.start(t, false)
				}
				url := "https://old.reddit.com/r/golang/comments/probe-" + strings.ReplaceAll(end, " ", "-") + "-" + how + "/"
				tab := c.open(t, url)
				tab.poll(t, "the page", `location.hostname === 'old.reddit.com'`, 30*time.Second)
				c.sessionSaved(t, url)
				if end == "quit" {
					c.quit(t)
				} else {
					c.kill(t)
				}
				before := s.requests("old.reddit.com")
				if how == "setting" {
					c.start(t, true)
				} else {
					c.browser = startChromiumWith(t, s, extDir, chromedp.UserDataDir(c.profile), chromedp.Flag("restore-last-session", true))
					c.attached = nil
				}
				var urls []string
				deadline := time.Now().Add(15 * time.Second)
				for time.Now().Before(deadline) {
					urls = c.tabURLs(t)
					if strings.Contains(strings.Join(urls, " "), "probe-") {
						break
					}
					time.Sleep(200 * time.Millisecond)
				}
				t.Logf("RESULT %s/%s: tabs %q; requests %d", end, how, urls, s.requests("old.reddit.com")-before)
			})
		}
	}
}
