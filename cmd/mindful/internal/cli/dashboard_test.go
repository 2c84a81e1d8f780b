package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/datadir"
)

// fakeDashboardDaemon answers POST /api/v1/dashboard/link like the daemon
// and records what was asked.
func fakeDashboardDaemon(t *testing.T) (addr string, asked func() []api.DashboardLinkRequest) {
	t.Helper()
	dataDir, _ := isolate(t)
	tok, err := datadir.ControlToken(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reqs []api.DashboardLinkRequest
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != api.PathDashboardLink || r.Header.Get("Authorization") != "Bearer "+tok {
			http.Error(w, `{"error":"unexpected request"}`, http.StatusBadRequest)
			return
		}
		var req api.DashboardLinkRequest
		json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		reqs = append(reqs, req)
		mu.Unlock()
		json.NewEncoder(w).Encode(api.DashboardLink{URL: "http://" + r.Host + "/login?token=SECRET-" + req.Page, ExpiresAt: time.Now().Add(2 * time.Minute)})
	}))
	t.Cleanup(ts.Close)
	addr = strings.TrimPrefix(ts.URL, "http://")
	t.Setenv("MINDFUL_ADDR", addr)
	return addr, func() []api.DashboardLinkRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]api.DashboardLinkRequest(nil), reqs...)
	}
}

func TestDashboardPrint(t *testing.T) {
	addr, asked := fakeDashboardDaemon(t)
	code, out, errOut := run(t, "dashboard", "--print", "--page", "history")
	if code != 0 || out != "http://"+addr+"/login?token=SECRET-history\n" {
		t.Fatalf("dashboard --print: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got := asked(); len(got) != 1 || got[0].Page != "history" {
		t.Fatalf("asked %+v", got)
	}
	// The default page is today.
	if code, out, _ := run(t, "dashboard", "--print"); code != 0 || !strings.HasSuffix(out, "SECRET-today\n") {
		t.Fatalf("default page: %d %q", code, out)
	}
}

func TestDashboardBadPage(t *testing.T) {
	_, asked := fakeDashboardDaemon(t)
	code, _, errOut := run(t, "dashboard", "--page", "secrets")
	if code != 2 || !strings.Contains(errOut, `--page "secrets"`) || !strings.Contains(errOut, "today, history, breaks, feeds, settings, data") {
		t.Fatalf("bad page: exit %d, stderr %q", code, errOut)
	}
	if len(asked()) != 0 {
		t.Fatal("a link was minted for a bad page")
	}
}

func TestDashboardOpensBrowser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the opener on this system is not xdg-open")
	}
	addr, _ := fakeDashboardDaemon(t)
	bin := t.TempDir()
	got := filepath.Join(t.TempDir(), "opened")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + got + ".tmp && mv " + got + ".tmp " + got + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin:/bin")
	code, out, errOut := run(t, "dashboard", "--page", "data")
	if code != 0 || !strings.Contains(out, "Opening the dashboard") || strings.Contains(out, "SECRET") {
		t.Fatalf("dashboard: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(got)
		if err == nil {
			if string(b) != "http://"+addr+"/login?token=SECRET-data" {
				t.Fatalf("xdg-open got %q", b)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("xdg-open was not run within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDashboardWithoutOpener(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux can lack an opener")
	}
	addr, _ := fakeDashboardDaemon(t)
	t.Setenv("PATH", t.TempDir())
	code, out, errOut := run(t, "dashboard")
	if code != 0 || out != "http://"+addr+"/login?token=SECRET-today\n" || !strings.Contains(errOut, "no xdg-open") || !strings.Contains(errOut, "works once") {
		t.Fatalf("no opener: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
