package e2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFirefoxSiteAccessWithdrawn: a Firefox user can take an add-on's site
// access away at any time (about:addons → Permissions). Here the extension
// loses www.reddit.com as the add-ons manager does it, through
// permissions.remove. The extension notices: its popup shows the "grant
// access" step naming the site, and the daemon shows this client as
// "limited" with the missing host, instead of silently enforcing nothing.
func TestFirefoxSiteAccessWithdrawn(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	f := startFirefox(t, s, ffOptions{})
	popup := pairFirefox(t, d, f)
	ffWaitRules(t, popup)

	// Full access to begin with: every host the manifest asks for was granted.
	waitAccess(t, d, "full", func(h []string) bool { return len(h) == 0 })
	if hidden := ffEval[bool](t, popup, `document.querySelector('#access').hidden`); !hidden {
		t.Fatal("the popup offers to grant access that the extension has")
	}

	removed := ffEval[bool](t, popup, `browser.permissions.remove({origins: ['*://www.reddit.com/*']})`)
	if !removed {
		t.Fatal("permissions.remove said no host permission was removed")
	}
	if ffEval[bool](t, popup, `browser.permissions.contains({origins: ['*://www.reddit.com/*']})`) {
		t.Fatal("www.reddit.com is still granted after permissions.remove")
	}

	t.Run("the popup shows the grant step", func(t *testing.T) {
		popup.reload(t)
		ffPoll[bool](t, popup, "the grant-access step", `!document.querySelector('#access').hidden && !!document.querySelector('#grant-access') && document.querySelector('#grant-access').offsetParent !== null`, 15*time.Second)
		if text := ffEval[string](t, popup, `document.querySelector('#access-text').textContent`); !strings.Contains(text, "www.reddit.com") {
			t.Fatalf("the grant step does not name the missing site: %q", text)
		}
	})

	t.Run("the daemon shows the client as limited", func(t *testing.T) {
		waitAccess(t, d, "limited", func(h []string) bool { return slices.Contains(h, "www.reddit.com") })
		c := d.status().Clients[0]
		if slices.Contains(c.MissingHosts, "www.facebook.com") {
			t.Fatalf("facebook reported missing too: %v", c.MissingHosts)
		}
		if !strings.Contains(string(d.cli("status")), "limited") {
			t.Fatalf("`mindful status` does not say limited:\n%s", d.cli("status"))
		}
	})
}

// TestFirefoxGrantAccessToAddedHost: a feed on a host the user adds (a
// Mastodon instance) is an optional permission. The popup's grant step asks
// for it from a real click, and once granted the feed is asked about before
// any request reaches it, from content scripts and rules the extension set
// up itself. (Firefox's permission doorhanger is browser chrome that BiDi
// cannot click; extensions.webextOptionalPermissionPrompts=false makes
// Firefox grant what the click asks for without showing it.)
func TestFirefoxGrantAccessToAddedHost(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	d.cli("prompts", "settings", "--pause", "1s")
	f := startFirefox(t, s, ffOptions{Prefs: map[string]any{"extensions.webextOptionalPermissionPrompts": false}})
	popup := pairFirefox(t, d, f)
	ffWaitRules(t, popup)

	addedHostLimited(t, d, firefoxTab{popup})

	popup.click(t, "#grant-access")
	ffPoll[bool](t, popup, "the grant step to go away", `document.querySelector('#access').hidden`, 20*time.Second)
	if !ffEval[bool](t, popup, `browser.permissions.contains({origins: ['*://mastodon.test/*']})`) {
		t.Fatal("mastodon.test is not granted after the click")
	}
	waitAccess(t, d, "full", func(h []string) bool { return len(h) == 0 })

	addedHostPrompted(t, &firefoxLaunch{}, firefoxTab{f.tab(t)}, s)
}
