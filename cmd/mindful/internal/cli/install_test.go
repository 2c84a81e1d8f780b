package cli

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/installer"
	"github.com/mindful-app/mindful/installer/nativehost"
)

// fakeHome points HOME, XDG_CONFIG_HOME and XDG_DATA_HOME into a temp dir,
// and the daemon address at a port nothing listens on.
func fakeHome(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(root, "data"))
	t.Setenv("MINDFUL_DATA_DIR", "")
	t.Setenv("MINDFUL_ADDR", "127.0.0.1:9")
	return root
}

func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestInstallUninstallCommands(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Linux install plan; the Windows plan: installer's TestInstallThenUninstallWindows and TestWindowsJourney")
	}
	root := fakeHome(t)
	code, out, errOut := run(t, "install", "--dry-run", "--browsers", "chromium,firefox")
	if code != 0 {
		t.Fatalf("install --dry-run: %d %s", code, errOut)
	}
	if got := files(t, root); len(got) != 0 {
		t.Fatalf("dry run wrote %v", got)
	}
	for _, p := range []string{"home/.local/bin/mindful", "config/autostart/mindful.desktop", "config/chromium/NativeMessagingHosts/org.mindful_app.mindful.json", "home/.mozilla/native-messaging-hosts/org.mindful_app.mindful.json", "config/mindful/install.json"} {
		if !strings.Contains(out, "would write  "+filepath.Join(root, p)) {
			t.Errorf("dry run does not name %s:\n%s", p, out)
		}
	}
	if strings.Contains(out, "google-chrome") {
		t.Errorf("dry run names a browser not asked for:\n%s", out)
	}

	if code, out, errOut = run(t, "install", "--browsers", "chromium,firefox"); code != 0 {
		t.Fatalf("install: %d %s", code, errOut)
	}
	if got := files(t, root); len(got) != 5 {
		t.Fatalf("install wrote %v", got)
	}
	if !strings.Contains(out, "mindful is installed") {
		t.Errorf("install said:\n%s", out)
	}
	st, err := os.Stat(filepath.Join(root, "home/.local/bin/mindful"))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("binary: %v %v", st, err)
	}
	code, out, _ = run(t, "install", "--browsers", "chromium,firefox")
	if code != 0 || strings.Count(out, "unchanged") != 5 || strings.Contains(out, "write ") {
		t.Fatalf("second install (%d):\n%s", code, out)
	}

	// The daemon has run once: there is data.
	os.MkdirAll(filepath.Join(root, "data", "mindful"), 0o700)
	os.WriteFile(filepath.Join(root, "data", "mindful", "mindful.db"), []byte("x"), 0o600)

	code, out, _ = run(t, "uninstall", "--dry-run", "--purge")
	if code != 0 || !strings.Contains(out, "absent       the daemon (not running)") || !strings.Contains(out, "would remove "+filepath.Join(root, "data", "mindful")) {
		t.Fatalf("uninstall --dry-run --purge (%d):\n%s", code, out)
	}
	if got := files(t, root); len(got) != 6 {
		t.Fatalf("dry run removed something: %v", got)
	}

	// --purge asks first; "no" leaves everything.
	stdin = strings.NewReader("n\n")
	t.Cleanup(func() { stdin = os.Stdin })
	code, out, errOut = run(t, "uninstall", "--purge")
	if code != 1 || !strings.Contains(out, "[y/N]") || !strings.Contains(errOut, "nothing removed") {
		t.Fatalf("uninstall --purge answered no (%d):\n%s\n%s", code, out, errOut)
	}
	if got := files(t, root); len(got) != 6 {
		t.Fatalf("a refused purge removed something: %v", got)
	}
	stdin = strings.NewReader("y\n")
	if code, out, errOut = run(t, "uninstall", "--purge"); code != 0 {
		t.Fatalf("uninstall --purge: %d %s\n%s", code, out, errOut)
	}
	if got := files(t, root); len(got) != 0 {
		t.Fatalf("left after uninstall --purge: %v", got)
	}
	for _, d := range []string{"data/mindful", "config/mindful"} {
		if _, err := os.Stat(filepath.Join(root, d)); !os.IsNotExist(err) {
			t.Errorf("%s is still there", d)
		}
	}
	// Again: nothing to do, and that is fine.
	if code, _, errOut = run(t, "uninstall", "--purge", "--yes"); code != 0 {
		t.Fatalf("second uninstall: %d %s", code, errOut)
	}
}

func TestInstallRefusesBadFlags(t *testing.T) {
	fakeHome(t)
	if code, _, errOut := run(t, "install", "--browsers", "safari"); code != 2 || !strings.Contains(errOut, `unknown browser "safari"`) {
		t.Fatalf("--browsers safari: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "install", "extra"); code != 2 || !strings.Contains(errOut, "unexpected argument") {
		t.Fatalf("install extra: %d %s", code, errOut)
	}
}

// TestNativeHostInvocation: started the way a browser starts it, the binary
// answers in native-messaging frames on stdout, and says plainly that the
// daemon is not running.
func TestNativeHostInvocation(t *testing.T) {
	fakeHome(t)
	var in bytes.Buffer
	nativehost.WriteMessage(&in, map[string]string{
		"type": "pair", "client_id": "0b6c1b9e-4f0a", "browser": "chromium", "origin": strings.TrimSuffix(installer.ChromeOrigin, "/"),
	})
	stdin = &in
	t.Cleanup(func() { stdin = os.Stdin })
	var stdout, stderr bytes.Buffer
	if code := Main([]string{installer.ChromeOrigin}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := nativehost.ReadMessage(&stdout)
	if err != nil {
		t.Fatalf("stdout is not one frame: %v (%q)", err, stdout.String())
	}
	var a nativehost.Answer
	if err := json.Unmarshal(b, &a); err != nil || a.OK || a.Error != "not_running" || !strings.Contains(a.Message, "mindful run") {
		t.Fatalf("answer %s (%v)", b, err)
	}
	if stdout.Len() != 0 {
		t.Fatalf("more on stdout: %q", stdout.String())
	}
	// Typed by hand, it explains itself instead.
	code, out, errOut := run(t, "native-host")
	if code != 1 || out != "" || !strings.Contains(errOut, "started by the browser") {
		t.Fatalf("native-host by hand: %d %q %s", code, out, errOut)
	}
	code, _, errOut = run(t, "chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/")
	if code != 1 || !strings.Contains(errOut, "not mindful's extension") {
		t.Fatalf("another extension: %d %s", code, errOut)
	}
}
