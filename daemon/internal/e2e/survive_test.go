//go:build probe

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mindful-app/mindful/installer/extpack"
)

// probeExtension writes a small extension that sets and reads every kind of
// state an extension can keep: dynamic and session rules, the enabled static
// rulesets, storage.local and storage.session. browser is chrome or firefox.
func probeExtension(t testing.TB, browser string) string {
	t.Helper()
	dir := t.TempDir()
	man := map[string]any{
		"manifest_version": 3, "name": "survive probe", "version": "1.0",
		"permissions":      []string{"declarativeNetRequest", "storage"},
		"host_permissions": []string{"<all_urls>"},
		"declarative_net_request": map[string]any{"rule_resources": []any{
			map[string]any{"id": "on", "enabled": true, "path": "on.json"},
			map[string]any{"id": "off", "enabled": false, "path": "off.json"},
		}},
		"web_accessible_resources": []any{map[string]any{"resources": []string{"page.html"}, "matches": []string{"<all_urls>"}}},
	}
	if browser == "chrome" {
		var over map[string]any
		b, _ := os.ReadFile(filepath.Join(repo, "extension", "manifests", "chrome.json"))
		json.Unmarshal(b, &over)
		man["key"] = over["key"]
		man["background"] = map[string]any{"service_worker": "bg.js"}
	} else {
		man["background"] = map[string]any{"scripts": []string{"bg.js"}}
		man["browser_specific_settings"] = map[string]any{"gecko": map[string]any{"id": ffExtID}}
	}
	mb, _ := json.Marshal(man)
	rule := func(host string) string {
		return `[{"id":1,"priority":1,"action":{"type":"block"},"condition":{"requestDomains":["` + host + `"],"resourceTypes":["main_frame"]}}]`
	}
	files := map[string]string{
		"manifest.json": string(mb),
		"on.json":       rule("on.test"),
		"off.json":      rule("off.test"),
		"bg.js":         `globalThis.started = Date.now();`,
		"page.html":     `<!doctype html><meta charset="utf-8"><title>probe</title><script src="page.js"></script>`,
		"page.js": `
const api = globalThis.browser ?? globalThis.chrome;
const dnr = api.declarativeNetRequest;
const rule = (host) => ({id: 1, priority: 1, action: {type: 'block'}, condition: {requestDomains: [host], resourceTypes: ['main_frame']}});
window.probeSet = async (tag) => {
  await dnr.updateDynamicRules({removeRuleIds: [1], addRules: [rule('dyn-' + tag + '.test')]});
  await dnr.updateSessionRules({removeRuleIds: [1], addRules: [rule('ses-' + tag + '.test')]});
  await dnr.updateEnabledRulesets({enableRulesetIds: ['off'], disableRulesetIds: ['on']});
  await api.storage.local.set({tag});
  await api.storage.session.set({tag});
  return true;
};
window.probeGet = async () => ({
  dynamic: (await dnr.getDynamicRules()).map((r) => r.condition.requestDomains[0]),
  session: (await dnr.getSessionRules()).map((r) => r.condition.requestDomains[0]),
  enabled: await dnr.getEnabledRulesets(),
  local: (await api.storage.local.get('tag')).tag ?? null,
  session_storage: (await api.storage.session.get('tag')).tag ?? null,
});
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type probeState struct {
	Dynamic        []string `json:"dynamic"`
	Session        []string `json:"session"`
	Enabled        []string `json:"enabled"`
	Local          *string  `json:"local"`
	SessionStorage *string  `json:"session_storage"`
}

// TestSurviveProbe measures what survives a quit and a SIGKILL, for the
// table in docs/enforcement.md. A measurement that logs, not a test that
// asserts, so it is built only with the probe tag:
//
//	CI=true go test -tags probe -run TestSurviveProbe -v ./daemon/internal/e2e/
func TestSurviveProbe(t *testing.T) {
	s := startSites(t)
	waits := []time.Duration{time.Second, 15 * time.Second}
	t.Run("chromium", func(t *testing.T) {
		ext := probeExtension(t, "chrome")
		page := extOrigin + "/page.html"
		for _, how := range []string{"quit", "kill"} {
			for _, wait := range waits {
				profile := filepath.Join(t.TempDir(), "profile")
				b := startChromiumWith(t, s, ext, chromedp.UserDataDir(profile))
				p := tab(t, b)
				do(t, p, chromedp.Navigate(page))
				poll[bool](t, p, "probe page", `typeof window.probeSet === 'function'`, 10*time.Second)
				eval[bool](t, p, `probeSet('x')`)
				before := eval[probeState](t, p, `probeGet()`)
				time.Sleep(wait)
				proc := chromedp.FromContext(b).Browser.Process()
				if how == "kill" {
					proc.Signal(syscall.SIGKILL)
					proc.Wait()
				} else {
					chromedp.Cancel(b)
				}
				b2 := startChromiumWith(t, s, ext, chromedp.UserDataDir(profile))
				p2 := tab(t, b2)
				do(t, p2, chromedp.Navigate(page))
				poll[bool](t, p2, "probe page", `typeof window.probeGet === 'function'`, 10*time.Second)
				after := eval[probeState](t, p2, `probeGet()`)
				bj, _ := json.Marshal(before)
				aj, _ := json.Marshal(after)
				t.Logf("chromium %s after %s: before %s after %s", how, wait, bj, aj)
				chromedp.Cancel(b2)
			}
		}
	})
	t.Run("firefox", func(t *testing.T) {
		dir := probeExtension(t, "firefox")
		for _, how := range []string{"quit", "kill"} {
			for _, wait := range waits {
				profile := t.TempDir()
				xpi := filepath.Join(t.TempDir(), "probe.xpi")
				if err := extpack.Zip(dir, xpi); err != nil {
					t.Fatal(err)
				}
				f := startFirefox(t, s, ffOptions{Profile: profile, Installed: true})
				var inst struct {
					Extension string `json:"extension"`
				}
				if err := f.call("webExtension.install", map[string]any{"extensionData": map[string]any{"type": "archivePath", "path": xpi}, "moz:permanent": true}, &inst); err != nil {
					t.Fatal(err)
				}
				p := f.tab(t)
				p.navigate(t, "http://plain.test/x")
				ffEval[any](t, p, `location.assign('`+ffOrigin+`/page.html')`)
				ffPoll[bool](t, p, "probe page", `typeof window.probeSet === 'function'`, 15*time.Second)
				ffEval[bool](t, p, `probeSet('x')`)
				before := ffEval[probeState](t, p, `probeGet()`)
				time.Sleep(wait)
				if how == "kill" {
					syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
					<-f.exited
					f.bidi.close()
					f.bidi = nil
					f.stopped = true
				} else {
					f.stop()
				}
				f2 := startFirefox(t, s, ffOptions{Profile: profile, Installed: true})
				p2 := f2.tab(t)
				p2.navigate(t, "http://plain.test/x")
				ffEval[any](t, p2, `location.assign('`+ffOrigin+`/page.html')`)
				ffPoll[bool](t, p2, "probe page", `typeof window.probeGet === 'function'`, 15*time.Second)
				after := ffEval[probeState](t, p2, `probeGet()`)
				bj, _ := json.Marshal(before)
				aj, _ := json.Marshal(after)
				t.Logf("firefox %s after %s: before %s after %s", how, wait, bj, aj)
				f2.stop()
			}
		}
	})
}
