package e2e

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// firefoxLaunch drives launchJourney (launch_test.go) in Firefox: mindful
// installed for good from the .xpi at the first start, the profile kept.
// Tabs come back through Firefox's own session restore.
type firefoxLaunch struct {
	s       *sites
	profile string
	f       *firefox
	started bool
}

func (c *firefoxLaunch) origin() string { return ffOrigin }

// start launches Firefox. With restore the profile says "Open previous
// windows and tabs" (browser.startup.page=3, what a user picks in the
// settings), which restores the last session after a quit and after a
// crash alike, and loads every restored tab at once
// (browser.sessionstore.restore_on_demand=false: the hardest case; by
// default only the selected tab loads at start, the others when selected).
// The session is written every second instead of every 15 s, so a kill
// soon after a change loses less (sessionSaved waits for it).
// --remote-allow-system-access lets quit use File > Quit.
func (c *firefoxLaunch) start(t testing.TB, restore bool) {
	t.Helper()
	opt := ffOptions{Profile: c.profile, Installed: c.started, XPI: !c.started,
		Args:  []string{"--remote-allow-system-access"},
		Prefs: map[string]any{"browser.sessionstore.interval": 1000}}
	if restore {
		opt.Prefs["browser.startup.page"] = 3
		opt.Prefs["browser.sessionstore.restore_on_demand"] = false
	}
	c.f = startFirefox(t, c.s, opt)
	c.started = true
}

func (c *firefoxLaunch) pair(t testing.TB, d *daemonProc) {
	t.Helper()
	popup := pairFirefox(t, d, c.f)
	ffPoll[bool](t, popup, "the extension's decided rules",
		`browser.declarativeNetRequest.getSessionRules().then(r => r.some(x => x.action.type === 'redirect'))`, 30*time.Second)
}

func (c *firefoxLaunch) waitState(t testing.TB, what, cond string) {
	t.Helper()
	page := c.f.tab(t)
	page.openExt(t, "/src/pages/options/options.html")
	ffWaitState(t, page, what, cond)
}

type firefoxTab struct{ p *ffTab }

func (c *firefoxLaunch) open(t testing.TB, url string) launchTab {
	t.Helper()
	p := c.f.tab(t)
	if err := c.f.call("browsingContext.navigate", map[string]any{"context": p.id, "url": url, "wait": "none"}, nil); err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
	return firefoxTab{p}
}

func (c *firefoxLaunch) tabURLs(t testing.TB) []string {
	t.Helper()
	var tree struct {
		Contexts []struct {
			URL string `json:"url"`
		} `json:"contexts"`
	}
	if err := c.f.call("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		t.Fatalf("getTree: %v", err)
	}
	var out []string
	for _, ctx := range tree.Contexts {
		out = append(out, ctx.URL)
	}
	return out
}

// quit ends Firefox as a user's File > Quit does.
func (c *firefoxLaunch) quit(t testing.TB) {
	t.Helper()
	c.f.quitFromMenu(t)
}

func (c *firefoxLaunch) kill(t testing.TB) {
	t.Helper()
	f := c.f
	syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
	<-f.exited
	if f.bidi != nil {
		f.bidi.close()
		f.bidi = nil
	}
	f.stopped = true
}

func (c *firefoxLaunch) restoresAfterKill() string { return "" }

func (c *firefoxLaunch) tabs(t testing.TB) []launchTab {
	t.Helper()
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := c.f.call("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		t.Fatalf("getTree: %v", err)
	}
	var out []launchTab
	for _, ctx := range tree.Contexts {
		out = append(out, firefoxTab{&ffTab{f: c.f, id: ctx.Context}})
	}
	return out
}

// sessionSaved waits until the session Firefox keeps for a crash
// (sessionstore-backups/recovery.jsonlz4) names every url.
func (c *firefoxLaunch) sessionSaved(t testing.TB, urls ...string) {
	t.Helper()
	file := filepath.Join(c.profile, "sessionstore-backups", "recovery.jsonlz4")
	waitFor(t, "Firefox to save the session with "+strings.Join(urls, " "), 30*time.Second, func() bool {
		raw, err := os.ReadFile(file)
		if err != nil {
			return false
		}
		js, err := mozlz4(raw)
		if err != nil {
			return false
		}
		for _, u := range urls {
			if !strings.Contains(string(js), u) {
				return false
			}
		}
		return true
	})
}

func (p firefoxTab) poll(t testing.TB, what, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		v, err := ffTry[any](p.p, expr)
		if err == nil && truthy(v) {
			return
		}
		if time.Now().After(deadline) {
			page, _ := ffTry[string](p.p, pageSummary)
			t.Fatalf("timed out after %s waiting for %s (%s); last error: %v; the tab: %s", timeout, what, expr, err, page)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p firefoxTab) check(expr string) bool {
	v, err := ffTry[any](p.p, expr)
	return err == nil && truthy(v)
}

func (p firefoxTab) summary() string {
	v, _ := ffTry[string](p.p, pageSummary)
	return v
}

func TestFirefoxLaunch(t *testing.T) {
	firefoxPath(t)
	profile := t.TempDir()
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(addonRecord(profile))
		}
	})
	launchJourney(t, func(s *sites) launchDriver { return &firefoxLaunch{s: s, profile: profile} })
}

// addonRecord says what the profile's add-on database (extensions.json)
// holds for mindful, and when the add-on startup data was written: after a
// failed case, whether Firefox ran the add-on at all (docs/enforcement.md,
// open).
func addonRecord(profile string) string {
	stamp := func(name string) string {
		fi, err := os.Stat(filepath.Join(profile, name))
		if err != nil {
			return name + ": " + err.Error()
		}
		return name + ": written " + fi.ModTime().UTC().Format("15:04:05.000")
	}
	out := []string{stamp("addonStartup.json.lz4"), stamp("extensions.json")}
	raw, err := os.ReadFile(filepath.Join(profile, "extensions.json"))
	if err != nil {
		return strings.Join(out, "; ")
	}
	var db struct {
		Addons []map[string]any `json:"addons"`
	}
	if err := json.Unmarshal(raw, &db); err != nil {
		return strings.Join(append(out, "extensions.json: "+err.Error()), "; ")
	}
	found := false
	for _, a := range db.Addons {
		if a["id"] != ffExtID {
			continue
		}
		found = true
		rec := map[string]any{}
		for _, k := range []string{"active", "userDisabled", "appDisabled", "softDisabled", "seen", "location", "foreignInstall", "installDate", "updateDate"} {
			rec[k] = a[k]
		}
		b, _ := json.Marshal(rec)
		out = append(out, "mindful in extensions.json: "+string(b))
	}
	if !found {
		out = append(out, "mindful is not in extensions.json")
	}
	return strings.Join(out, "; ")
}

// quitFromMenu quits Firefox as File > Quit does (goQuitApplication in the
// browser window: quit-application-requested, then an attempted quit, and
// session store's final write). The browser must run with
// --remote-allow-system-access, which lets BiDi reach the window's chrome.
// BiDi's own browser.close closes every tab first, and Firefox then saves a
// session with nothing open; SIGTERM ends it without the final write.
func (f *firefox) quitFromMenu(t testing.TB) {
	t.Helper()
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := f.call("browsingContext.getTree", map[string]any{"moz:scope": "chrome", "maxDepth": 0}, &tree); err != nil {
		t.Fatalf("the browser window's chrome (is --remote-allow-system-access set?): %v", err)
	}
	if len(tree.Contexts) == 0 {
		t.Fatal("no browser window to quit from")
	}
	// The quit runs after the answer, so the call returns before the
	// connection goes.
	err := f.call("script.evaluate", map[string]any{
		"expression":   `setTimeout(() => goQuitApplication({sourceEvent: {target: {id: 'menu_FileQuitItem'}}}), 0), true`,
		"target":       map[string]any{"context": tree.Contexts[0].Context},
		"awaitPromise": false,
	}, nil)
	if err != nil {
		t.Fatalf("File > Quit: %v", err)
	}
	select {
	case <-f.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("firefox did not quit within 60 s of File > Quit")
	}
	if f.bidi != nil {
		f.bidi.close()
		f.bidi = nil
	}
	syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL) // whatever of its group outlived it
	f.stopped = true
}

// mozlz4 decodes Firefox's mozLz40 container (magic, 4-byte size, one LZ4
// block), in which it keeps the session.
func mozlz4(raw []byte) (out []byte, err error) {
	defer func() {
		if recover() != nil { // a block cut short (a file being written)
			out, err = nil, errors.New("truncated LZ4 block")
		}
	}()
	if len(raw) < 12 || string(raw[:8]) != "mozLz40\x00" {
		return nil, errors.New("not mozLz40")
	}
	n := binary.LittleEndian.Uint32(raw[8:12])
	src, dst := raw[12:], make([]byte, 0, n)
	for i := 0; i < len(src); {
		tok := src[i]
		i++
		lit := int(tok >> 4)
		if lit == 15 {
			for {
				c := src[i]
				i++
				lit += int(c)
				if c != 255 {
					break
				}
			}
		}
		dst = append(dst, src[i:i+lit]...)
		i += lit
		if i >= len(src) {
			break
		}
		off := int(src[i]) | int(src[i+1])<<8
		i += 2
		ml := int(tok&15) + 4
		if tok&15 == 15 {
			for {
				c := src[i]
				i++
				ml += int(c)
				if c != 255 {
					break
				}
			}
		}
		for k := 0; k < ml; k++ {
			dst = append(dst, dst[len(dst)-off])
		}
	}
	return dst, nil
}
