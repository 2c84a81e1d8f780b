package e2e

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mindful-app/mindful/daemon/api"
)

const hostManifest = "org.mindful_app.mindful.json"

// nativeHome runs the built `mindful install --browsers LIST` into a fresh
// temp HOME (XDG config and data inside it) and returns its root and the
// environment that points there.
func nativeHome(t testing.TB, browsers string) (root string, env []string) {
	t.Helper()
	root = t.TempDir()
	env = []string{
		"HOME=" + filepath.Join(root, "home"),
		"XDG_CONFIG_HOME=" + filepath.Join(root, "config"),
		"XDG_DATA_HOME=" + filepath.Join(root, "data"),
	}
	cmd := exec.Command(binPath, "install", "--browsers", browsers)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mindful install: %v\n%s", err, out)
	}
	return root, env
}

// checkHostManifest reads an installed host manifest and checks that it
// starts the installed binary.
func checkHostManifest(t testing.TB, path, bin string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("mindful install did not write the host manifest: %v", err)
	}
	var m struct {
		Path string `json:"path"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Path != bin {
		t.Fatalf("host manifest %s starts %q (%v), want %s", path, m.Path, err, bin)
	}
	if st, err := os.Stat(bin); err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("installed binary %s: %v", bin, err)
	}
}

// waitNativePaired waits until exactly one browser is paired and connected,
// and checks that it paired through native messaging, with no code.
func waitNativePaired(t testing.TB, d *daemonProc, browser, origin string, started time.Time) api.Client {
	t.Helper()
	var c api.Client
	waitFor(t, browser+" to pair through native messaging and connect", 60*time.Second, func() bool {
		st := d.status()
		if len(st.Clients) == 1 && st.Clients[0].Connected {
			c = st.Clients[0]
			return true
		}
		return false
	})
	t.Logf("%s paired through native messaging and connected %s after it was started", browser, time.Since(started).Round(time.Millisecond))
	if c.Browser != browser || c.PairedVia != "native" {
		t.Fatalf("paired client %+v, want %s paired via native", c, browser)
	}
	p := d.pairing()
	if len(p.Pending) != 0 || len(p.Paired) != 1 || p.Paired[0].Origin != origin || p.Paired[0].PairedVia != "native" {
		t.Fatalf("pairing list %+v, want one %s client from %s and nothing pending", p, browser, origin)
	}
	log := d.log.String()
	if strings.Contains(log, "pairing requested") {
		t.Fatalf("a pairing code was asked for:\n%s", log)
	}
	if !strings.Contains(log, "via=native") {
		t.Fatalf("the daemon log does not show the native pairing:\n%s", log)
	}
	return c
}

// TestChromiumNativePairing: after `mindful install`, a real Chromium whose
// profile holds the installed host manifest pairs with no code typed, and
// `mindful uninstall` then stops the daemon and removes what install wrote.
func TestChromiumNativePairing(t *testing.T) {
	s := startSites(t)
	addr := freePort(t)
	root, env := nativeHome(t, "chromium")
	bin := filepath.Join(root, "home", ".local", "bin", "mindful")
	profile := filepath.Join(root, "config", "chromium") // Chromium's default profile under XDG_CONFIG_HOME
	manifest := filepath.Join(profile, "NativeMessagingHosts", hostManifest)
	checkHostManifest(t, manifest, bin)
	dataDir := filepath.Join(root, "data", "mindful")
	d := startDaemon(t, addr, dataDir)

	// The host inherits the browser's environment: it finds the daemon
	// there, as it would find the default one without.
	browserEnv := append(env, "MINDFUL_ADDR="+addr, "MINDFUL_DATA_DIR="+dataDir)
	started := time.Now()
	browser := startChromium(t, s, chromedp.UserDataDir(profile), chromedp.Env(browserEnv...))
	c := waitNativePaired(t, d, "chromium", extOrigin, started)

	popup := tab(t, browser)
	do(t, popup, chromedp.Navigate(extOrigin+"/src/pages/popup/popup.html"))
	poll[bool](t, popup, "popup to say connected", `document.querySelector('#state')?.dataset.state === 'connected'`, 15*time.Second)
	if code := eval[string](t, popup, `document.querySelector('#pair-code')?.textContent.trim() || ''`); code != "" {
		t.Fatalf("the popup shows a pairing code %q", code)
	}
	page := tab(t, browser)
	do(t, page, chromedp.Navigate("http://plain.test/after-native-pairing"))
	waitFor(t, "the visit to be stored", 30*time.Second, func() bool {
		evs := countEvents(d.events(), "tab_navigated", "plain.test")
		return len(evs) == 1 && evs[0].Client == c.ID
	})

	// Uninstall stops the daemon and removes exactly what install wrote.
	cmd := exec.Command(binPath, "uninstall")
	cmd.Env = append(os.Environ(), browserEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mindful uninstall: %v\n%s", err, out)
	}
	select {
	case <-d.Done():
		if err := d.Err(); err != nil {
			t.Fatalf("daemon exit after uninstall: %v\n%s", err, d.log)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("uninstall did not stop the daemon:\n%s\n%s", out, d.log)
	}
	if !strings.Contains(string(out), "stopped      the daemon at "+addr) {
		t.Fatalf("uninstall said:\n%s", out)
	}
	for _, p := range []string{bin, manifest, filepath.Join(root, "config", "autostart", "mindful.desktop"), filepath.Join(root, "config", "mindful", "install.json")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("uninstall left %s (%v)", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dataDir, "mindful.db")); err != nil {
		t.Errorf("uninstall without --purge removed the data: %v", err)
	}
}

// TestFirefoxNativePairing: the same in a real Firefox started with HOME at
// the temp home where `mindful install` wrote ~/.mozilla/native-messaging-hosts/.
func TestFirefoxNativePairing(t *testing.T) {
	s := startSites(t)
	addr := freePort(t)
	root, env := nativeHome(t, "firefox")
	bin := filepath.Join(root, "home", ".local", "bin", "mindful")
	checkHostManifest(t, filepath.Join(root, "home", ".mozilla", "native-messaging-hosts", hostManifest), bin)
	dataDir := filepath.Join(root, "data", "mindful")
	d := startDaemon(t, addr, dataDir)

	started := time.Now()
	f := startFirefox(t, s, ffOptions{Env: append(env, "MINDFUL_ADDR="+addr, "MINDFUL_DATA_DIR="+dataDir)})
	c := waitNativePaired(t, d, "firefox-esr", ffOrigin, started)

	page := f.tab(t)
	page.navigate(t, "http://plain.test/after-native-pairing")
	waitFor(t, "the visit to be stored", 30*time.Second, func() bool {
		evs := countEvents(d.events(), "tab_navigated", "plain.test")
		return len(evs) == 1 && evs[0].Client == c.ID
	})
}

// BenchmarkNativeHostPairing is one native pairing as a browser does it:
// start the host binary with the caller's origin, send the request frame,
// read the answer (the daemon stores a new client each time).
func BenchmarkNativeHostPairing(b *testing.B) {
	addr := freePort(b)
	dataDir := filepath.Join(b.TempDir(), "data")
	startDaemon(b, addr, dataDir)
	env := append(os.Environ(), "MINDFUL_ADDR="+addr, "MINDFUL_DATA_DIR="+dataDir)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := json.Marshal(map[string]string{
			"type": "pair", "client_id": fmt.Sprintf("bench-client-%08d", i), "browser": "chromium", "origin": extOrigin,
		})
		var in bytes.Buffer
		binary.Write(&in, binary.NativeEndian, uint32(len(req)))
		in.Write(req)
		cmd := exec.Command(binPath, extOrigin+"/")
		cmd.Env = env
		cmd.Stdin = &in
		out, err := cmd.Output()
		if err != nil || len(out) < 4 || !bytes.Contains(out, []byte(`"ok":true`)) {
			b.Fatalf("host answered %q (%v)", out, err)
		}
	}
}
