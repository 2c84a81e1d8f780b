package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// pairFirefox pairs the extension in f with d (pairWith) and returns the
// popup tab, which stays open.
func pairFirefox(t testing.TB, d *daemonProc, f *firefox) *ffTab {
	t.Helper()
	return pairWith(t, d, &firefoxLaunch{f: f}).(firefoxTab).p
}

// firefoxClient returns the status of the one Firefox client.
func firefoxClient(t testing.TB, d *daemonProc) (id string, connected bool) {
	t.Helper()
	st := d.status()
	for _, c := range st.Clients {
		if strings.HasPrefix(c.Browser, "firefox") {
			return c.ID, c.Connected
		}
	}
	t.Fatalf("no Firefox client in status: %+v", st.Clients)
	return "", false
}

// TestFirefoxAndChromiumTwoClients: a Chromium and a Firefox on the same
// machine pair with the same daemon and are two clients, each named by its
// browser, each with its own extension origin.
func TestFirefoxAndChromiumTwoClients(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	pairChromium(t, d, startChromium(t, s))
	pairFirefox(t, d, startFirefox(t, s, ffOptions{}))
	st := d.status()
	got := map[string]bool{}
	for _, c := range st.Clients {
		got[c.Browser] = c.Connected
	}
	if len(st.Clients) != 2 || !got["chromium"] || !got["firefox-esr"] {
		t.Fatalf("clients %+v, want a connected chromium and a connected firefox-esr", st.Clients)
	}
	origins := map[string]bool{}
	for _, p := range d.pairing().Paired {
		origins[p.Origin] = true
	}
	if !origins[extOrigin] || !origins[ffOrigin] {
		t.Fatalf("paired origins %v, want %s and %s", origins, extOrigin, ffOrigin)
	}
	var raw map[string]any
	if err := json.Unmarshal(d.cli("status", "--json"), &raw); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(raw["clients"])
	if !strings.Contains(string(b), `"browser":"firefox-esr"`) {
		t.Fatalf("`mindful status --json` clients: %s", b)
	}
}

// TestFirefoxXPIInstalledForGood: the zipped build, unsigned, installs as a
// permanent add-on in Firefox ESR with xpinstall.signatures.required=false
// (the README's way to keep it) and pairs like the temporary one.
func TestFirefoxXPIInstalledForGood(t *testing.T) {
	s := startSites(t)
	d := startDaemon(t, freePort(t), filepath.Join(t.TempDir(), "data"))
	f := startFirefox(t, s, ffOptions{XPI: true})
	popup := pairFirefox(t, d, f)
	ffWaitRules(t, popup)
	page := f.tab(t)
	page.navigate(t, "https://www.reddit.com/")
	ffOnPrompt(t, page, "reddit")
	if n := s.requests("www.reddit.com"); n != 0 {
		t.Fatalf("%d requests reached the feed before the answer", n)
	}
}
