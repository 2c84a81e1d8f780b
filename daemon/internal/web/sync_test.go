package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

type fakeSync struct {
	st   api.SyncStatus
	reqs []api.SyncEnableRequest
}

func (f *fakeSync) Status(context.Context) (api.SyncStatus, error) { return f.st, nil }

func (f *fakeSync) Enable(_ context.Context, req api.SyncEnableRequest) (api.SyncStatus, error) {
	if !strings.HasPrefix(req.Dir, "/") {
		return f.st, errors.New("invalid: dir: \"" + req.Dir + "\" is not an absolute path")
	}
	f.reqs = append(f.reqs, req)
	f.st.Enabled, f.st.Dir, f.st.Encrypted = true, req.Dir, req.Encrypt || req.Key != ""
	st := f.st
	if req.Encrypt {
		st.KeyCode = "K7QP3-M9XTA-4HWZ2-RC6VN-8JDEF"
	}
	return st, nil
}

func (f *fakeSync) Disable(context.Context) (api.SyncStatus, error) {
	f.st.Enabled = false
	return f.st, nil
}

func TestSettingsSync(t *testing.T) {
	r := newRig(t)
	fs := &fakeSync{st: api.SyncStatus{Device: api.SyncDevice{ID: "k3jq7x2mbn4pd5ra", Name: "desktop"}, Devices: []api.SyncDevice{}, Problems: []string{}}}
	r.srv.cfg.Sync = fs
	tok := r.login("settings")
	_, body := r.get("/settings")
	if !strings.Contains(body, `id="sync-state">Off`) || !strings.Contains(body, "k3jq7x2mbn4pd5ra") {
		t.Fatalf("settings page without sharing:\n%s", body)
	}
	// Forms need the CSRF token.
	if resp, _ := r.post("/sync/enable", url.Values{"dir": {"/sync"}, "encryption": {"new"}}); resp.StatusCode != http.StatusForbidden || len(fs.reqs) != 0 {
		t.Fatalf("enable without CSRF: %d, %d requests", resp.StatusCode, len(fs.reqs))
	}
	// A bad folder names the field and keeps what was typed.
	resp, body := r.post("/sync/enable", url.Values{"csrf": {tok}, "dir": {"relative/path"}, "encryption": {"keep"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "dir: &#34;relative/path&#34; is not an absolute path") || !strings.Contains(body, `value="relative/path"`) {
		t.Fatalf("bad folder: %d\n%s", resp.StatusCode, body)
	}
	// A key code from the other computer is required when chosen.
	if resp, body := r.post("/sync/enable", url.Values{"csrf": {tok}, "dir": {"/sync"}, "encryption": {"code"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "type the key code") {
		t.Fatalf("missing code: %d", resp.StatusCode)
	}
	// A new key: its code is shown once, in the answer, never in a URL.
	resp, body = r.post("/sync/enable", url.Values{"csrf": {tok}, "dir": {"/sync"}, "name": {"laptop"}, "encryption": {"new"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="sync-key-code">K7QP3-M9XTA-4HWZ2-RC6VN-8JDEF`) {
		t.Fatalf("new key: %d\n%s", resp.StatusCode, body)
	}
	if got := fs.reqs[len(fs.reqs)-1]; !got.Encrypt || got.Name != "laptop" || got.Dir != "/sync" {
		t.Fatalf("enable request %+v", got)
	}
	// Other devices, a stale one, problems.
	seen := r.clock.Now().Add(-3 * time.Hour)
	fs.st.Devices = []api.SyncDevice{{ID: "abcdefghijklmnop", Name: "laptop", LastWritten: &seen, EventsToday: 7, Stale: true}}
	fs.st.Problems = []string{"laptop: last seen 3 h ago"}
	_, body = r.get("/settings")
	for _, want := range []string{"On, through <code>/sync</code>, encrypted", `class="stale"`, "3 h ago", "<td>7</td>", "laptop: last seen 3 h ago"} {
		if !strings.Contains(body, want) {
			t.Fatalf("settings page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "K7QP3") {
		t.Fatal("the key code is shown again")
	}
	resp, _ = r.post("/sync/enable", url.Values{"csrf": {tok}, "dir": {"/sync"}, "encryption": {"code"}, "key": {"k7qp3 m9xta 4hwz2 rc6vn 8jdef"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/settings?done=sync-on" || fs.reqs[len(fs.reqs)-1].Key == "" {
		t.Fatalf("enable with a code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := r.post("/sync/disable", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusSeeOther || fs.st.Enabled {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
}

func TestTodayByDevice(t *testing.T) {
	r := newRig(t)
	seen := r.clock.Now().Add(-3 * time.Hour)
	r.f.days["2026-11-23"] = api.Summary{Date: "2026-11-23", Opens: api.Opens{Total: 5, Habit: 5}, Feeds: []api.FeedDay{}, Needs: []api.NeedOpen{}, Notes: []api.Note{},
		Devices: []api.SummaryDevice{{Name: "this computer", Opens: 2}, {ID: "abcdefghijklmnop", Name: "laptop", Opens: 3, LastSeen: &seen, Stale: true}}}
	r.login("today")
	_, body := r.get("/today")
	for _, want := range []string{`id="opens-by-device"`, `this computer: <span class="n">2</span>`, `laptop: <span class="n">3</span> <span class="stale">(last seen 3 h ago)</span>`} {
		if !strings.Contains(body, want) {
			t.Fatalf("today page lacks %q", want)
		}
	}
	delete(r.f.days, "2026-11-23")
	if _, body := r.get("/today"); strings.Contains(body, "opens-by-device") {
		t.Fatal("a day that is not shared shows a device breakdown")
	}
}
