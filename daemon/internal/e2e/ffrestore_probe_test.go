//go:build probe

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFirefoxRestoreProbe measures what Firefox's own session restore
// ("continue where you left off", browser.startup.page=3) brings back under
// the harness's remote agent, after each way the browser can end. A
// measurement that logs (docs/enforcement.md), not a test that asserts:
// CI=true go test -tags probe -run TestFirefoxRestoreProbe -v ./daemon/internal/e2e/
func TestFirefoxRestoreProbe(t *testing.T) {
	firefoxPath(t)
	s := startSites(t)
	if os.Getenv("PROBE_CACHE") == "" {
		s.setNoStore()
	}
	ends := []struct {
		name string
		end  func(t *testing.T, f *firefox)
	}{
		{"File > Quit", func(t *testing.T, f *firefox) { f.quitFromMenu(t) }},
		{"BiDi browser.close", func(t *testing.T, f *firefox) {
			f.call("browser.close", nil, nil)
			<-f.exited
			f.bidi.close()
			f.bidi = nil
			f.stopped = true
		}},
		{"SIGTERM", func(t *testing.T, f *firefox) {
			f.bidi.close()
			f.bidi = nil
			syscall.Kill(f.cmd.Process.Pid, syscall.SIGTERM)
			<-f.exited
			syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
			f.stopped = true
		}},
		{"SIGKILL", func(t *testing.T, f *firefox) {
			syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
			<-f.exited
			f.bidi.close()
			f.bidi = nil
			f.stopped = true
		}},
	}
	prefSets := map[string]map[string]any{
		"startup.page=3": {"browser.startup.page": 3},
		"startup.page=3, interval 1s, not on demand": {
			"browser.startup.page": 3, "browser.sessionstore.interval": 1000, "browser.sessionstore.restore_on_demand": false,
		},
		"startup.page=1, resume_from_crash, interval 1s, not on demand": {
			"browser.startup.page": 1, "browser.sessionstore.resume_from_crash": true, "browser.sessionstore.interval": 1000, "browser.sessionstore.restore_on_demand": false,
		},
	}
	for pname, prefs := range prefSets {
		for _, e := range ends {
			t.Run(pname+"/"+e.name, func(t *testing.T) {
				profile := t.TempDir()
				f := startFirefox(t, s, ffOptions{Profile: profile, Without: true, Prefs: prefs, Args: []string{"--remote-allow-system-access"}})
				a := f.tab(t)
				a.navigate(t, "https://www.youtube.com/watch?v=probe")
				b := f.tab(t)
				b.navigate(t, "https://old.reddit.com/r/golang/")
				time.Sleep(3 * time.Second) // let a session write happen (interval 1 s) where it is configured
				e.end(t, f)
				cp, _ := os.ReadFile(filepath.Join(profile, "sessionCheckpoints.json"))
				t.Logf("after %s: %s; checkpoints %s", e.name, sessionFiles(profile), cp)
				yt, old := s.requests("www.youtube.com"), s.requests("old.reddit.com")
				t0 := time.Now()
				f = startFirefox(t, s, ffOptions{Profile: profile, Without: true, Prefs: prefs, Args: []string{"--remote-allow-system-access"}})
				answered := time.Since(t0)
				var urls []string
				deadline := time.Now().Add(15 * time.Second)
				for time.Now().Before(deadline) {
					urls = ffTreeURLs(t, f)
					if strings.Contains(strings.Join(urls, " "), "old.reddit.com") {
						break
					}
					time.Sleep(200 * time.Millisecond)
				}
				for _, c := range ffTreeContexts(t, f) {
					p := &ffTab{f: f, id: c}
					v, err := ffTry[string](p, `location.href + ' ' + document.readyState + ' ' + document.title`)
					t.Logf("restored tab: %s %v", v, err)
				}
				t.Logf("RESULT %s / %s: answered %s; tabs %q; requests youtube %d, old.reddit %d", pname, e.name, answered.Round(time.Millisecond), urls,
					s.requests("www.youtube.com")-yt, s.requests("old.reddit.com")-old)
				cp, _ = os.ReadFile(filepath.Join(profile, "sessionCheckpoints.json"))
				t.Logf("checkpoints after relaunch: %s", cp)
			})
		}
	}
}

// ffTreeURLs are the addresses of Firefox's top-level browsing contexts.
func ffTreeURLs(t testing.TB, f *firefox) []string {
	var tree struct {
		Contexts []struct {
			URL string `json:"url"`
		} `json:"contexts"`
	}
	if err := f.call("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		t.Fatalf("getTree: %v", err)
	}
	var out []string
	for _, c := range tree.Contexts {
		out = append(out, c.URL)
	}
	return out
}

// ffTreeContexts are the ids of Firefox's top-level browsing contexts.
func ffTreeContexts(t testing.TB, f *firefox) []string {
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := f.call("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		t.Fatalf("getTree: %v", err)
	}
	var out []string
	for _, c := range tree.Contexts {
		out = append(out, c.Context)
	}
	return out
}

// sessionFiles says which session store files the profile holds and which
// addresses each names.
func sessionFiles(profile string) string {
	var b strings.Builder
	for _, rel := range []string{"sessionstore.jsonlz4", "sessionstore-backups/recovery.jsonlz4", "sessionstore-backups/recovery.baklz4", "sessionstore-backups/previous.jsonlz4", "sessionstore-backups/upgrade.jsonlz4-0"} {
		raw, err := os.ReadFile(filepath.Join(profile, rel))
		if err != nil {
			continue
		}
		js, err := mozlz4(raw)
		if err != nil {
			b.WriteString(rel + ": " + err.Error() + "; ")
			continue
		}
		var hosts []string
		for _, h := range []string{"www.youtube.com", "old.reddit.com"} {
			if strings.Contains(string(js), h) {
				hosts = append(hosts, h)
			}
		}
		state := ""
		if i := strings.Index(string(js), `"state":"`); i >= 0 {
			state = string(js[i : i+16])
		}
		b.WriteString(rel + " " + state + " names " + strings.Join(hosts, ",") + "; ")
	}
	if b.Len() == 0 {
		return "no session files"
	}
	return b.String()
}
