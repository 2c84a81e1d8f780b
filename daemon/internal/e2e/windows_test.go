package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/daemontest/proc"
	"github.com/mindful-app/mindful/installer"
	"github.com/mindful-app/mindful/installer/nativehost"
	"github.com/mindful-app/mindful/installer/winpkg"
)

// The Windows journey runs the real cross-built mindful.exe under Debian's
// Wine 8 in a private prefix, under a private X server (Wine draws its
// system tray there). See docs/building.md for what it proves and what it
// cannot.

// wineVersion is stamped into the exe under test.
const wineVersion = "9.9.9"

// wineEnv is a private Wine prefix holding the cross-built exe.
type wineEnv struct {
	t       *testing.T
	wine    string // the loader: wine, wine64 or /usr/lib/wine/wine64
	server  string // wineserver
	prefix  string
	env     []string
	exe     string // the cross-built exe (a Unix path; Wine maps it)
	profile string // the Windows user's profile folder (a Unix path)
	winUser string // its name
}

// findWine returns Wine's loader and server, or "" where there is none.
func findWine() (loader, server string) {
	for _, c := range []string{"wine", "wine64", "/usr/lib/wine/wine64"} {
		if p, err := exec.LookPath(c); err == nil {
			loader = p
			break
		}
	}
	for _, c := range []string{"wineserver", "/usr/lib/wine/wineserver"} {
		if p, err := exec.LookPath(c); err == nil {
			server = p
			break
		}
	}
	return loader, server
}

// needWineTools fails (in CI) or skips the test when a tool is missing.
func needWineTools(t *testing.T) (loader, server string) {
	t.Helper()
	loader, server = findWine()
	var missing []string
	if loader == "" || server == "" {
		missing = append(missing, "wine64")
	}
	for tool, pkg := range map[string]string{"x86_64-w64-mingw32-gcc": "gcc-mingw-w64-x86-64", "wixl": "wixl", "Xvfb": "xvfb", "xwininfo": "x11-utils", "import": "imagemagick"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, pkg)
		}
	}
	if len(missing) > 0 {
		msg := "the Windows journey needs " + strings.Join(missing, " ") + " (.ci/deps.sh test installs them)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return loader, server
}

// newWine cross-builds mindful.exe, makes a Wine prefix with the
// ProcessPrng stand-in in its system32, and starts a private X server.
func newWine(t *testing.T) *wineEnv {
	t.Helper()
	loader, server := needWineTools(t)
	dir := t.TempDir()
	w := &wineEnv{t: t, wine: loader, server: server, prefix: filepath.Join(dir, "prefix"), exe: filepath.Join(dir, "mindful.exe")}

	start := time.Now()
	build := exec.Command("go", "build", "-trimpath", "-ldflags",
		"-H windowsgui -X github.com/mindful-app/mindful/daemon/version.Version="+wineVersion, "-o", w.exe, "./cmd/mindful")
	build.Dir = repo
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cross-build mindful.exe: %v\n%s", err, out)
	}
	t.Logf("cross-built mindful.exe in %s", time.Since(start).Round(time.Millisecond))
	dll := filepath.Join(dir, "bcryptprimitives.dll")
	cc := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", dll,
		filepath.Join(repo, "daemon", "internal", "e2e", "testdata", "bcryptprimitives.c"), "-ladvapi32")
	if out, err := cc.CombinedOutput(); err != nil {
		t.Fatalf("build the ProcessPrng stand-in: %v\n%s", err, out)
	}

	display := proc.Xvfb(t)
	w.env = append(os.Environ(), "WINEPREFIX="+w.prefix, "WINEDEBUG=-all", "DISPLAY="+display,
		// No Mono or Gecko installer dialogs, no desktop menu entries.
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d")
	t.Cleanup(func() {
		// End every process of the prefix (explorer, services, ours).
		k := exec.Command(w.server, "-k")
		k.Env = w.env
		k.Run()
		k = exec.Command(w.server, "-w")
		k.Env = w.env
		k.Run()
	})
	start = time.Now()
	if out, err := w.run(120*time.Second, "wineboot", "-i"); err != nil {
		t.Fatalf("wineboot -i: %v\n%s", err, out)
	}
	// One wineserver for the rest of the test: otherwise it ends a few
	// seconds after each program, and the next one starts it (and Wine's
	// services) again. (-p does nothing to a running server: end that one.)
	// Its output is left unread: the server lives on with it.
	for _, arg := range []string{"-k", "-w", "-p"} {
		ws := exec.Command(w.server, arg)
		ws.Env = w.env
		if err := ws.Run(); err != nil && arg == "-p" {
			t.Fatalf("wineserver -p: %v", err)
		}
	}
	// The first program starts Wine's services, which live on holding its
	// stdout and stderr: give that one none.
	warm := exec.Command(w.wine, "cmd", "/c", "exit")
	warm.Env = w.env
	if err := warm.Run(); err != nil {
		t.Fatalf("start Wine's services: %v", err)
	}
	t.Logf("made the Wine prefix in %s", time.Since(start).Round(time.Millisecond))
	sys32 := filepath.Join(w.prefix, "drive_c", "windows", "system32")
	b, err := os.ReadFile(dll)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sys32, "bcryptprimitives.dll"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	users, err := os.ReadDir(filepath.Join(w.prefix, "drive_c", "users"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.IsDir() && u.Name() != "Public" {
			w.winUser = u.Name()
		}
	}
	if w.winUser == "" {
		t.Fatal("the Wine prefix has no user profile")
	}
	w.profile = filepath.Join(w.prefix, "drive_c", "users", w.winUser)
	return w
}

// run runs a Windows program in the prefix and returns its output.
func (w *wineEnv) run(timeout time.Duration, args ...string) (string, error) {
	var out syncBuf
	err := w.runIO(nil, &out, &out, timeout, args...)
	return out.String(), err
}

// runIO runs a Windows program in the prefix with the given stdio.
func (w *wineEnv) runIO(stdin io.Reader, stdout, stderr io.Writer, timeout time.Duration, args ...string) error {
	cmd := exec.Command(w.wine, args...)
	cmd.Env = w.env
	cmd.Stdin = stdin
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 10 * time.Second // a child of Wine's may hold the pipes
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("wine %s: no exit within %s", strings.Join(args, " "), timeout)
	}
}

// winPath is the Unix path of a path under the user's profile, given as
// it is under C:\users\NAME.
func (w *wineEnv) path(rel ...string) string {
	return filepath.Join(append([]string{w.profile}, rel...)...)
}

// regQuery returns a string value under HKCU ("" name: the key's default).
func (w *wineEnv) regQuery(key, name string) (string, bool) {
	args := []string{"reg", "query", `HKCU\` + key}
	if name == "" {
		args = append(args, "/ve")
	} else {
		args = append(args, "/v", name)
	}
	out, err := w.run(60*time.Second, args...)
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(out, "\n") {
		if _, v, ok := strings.Cut(line, "REG_SZ"); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// winProc is a long-running Windows program in the prefix.
type winProc struct {
	cmd    *exec.Cmd
	log    *syncBuf
	exited chan error
}

func (w *wineEnv) start(args ...string) *winProc {
	w.t.Helper()
	p := &winProc{cmd: exec.Command(w.wine, args...), log: &syncBuf{}, exited: make(chan error, 1)}
	p.cmd.Env = append(w.env, "MINDFUL_LOG=debug")
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	p.cmd.WaitDelay = 10 * time.Second
	if err := p.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	w.t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
		}
		if w.t.Failed() {
			w.t.Logf("%s log:\n%s", strings.Join(args, " "), p.log)
		}
	})
	return p
}

// waitLog waits until the program has logged want.
func (p *winProc) waitLog(t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.log.String(), want) {
		select {
		case err := <-p.exited:
			p.exited <- err
			t.Fatalf("exited (%v) before logging %q:\n%s", err, want, p.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %s:\n%s", want, timeout, p.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitExit waits for the program to end and checks it ended well.
func (p *winProc) waitExit(t *testing.T, why string) {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err
		if err != nil {
			t.Fatalf("exit after %s: %v\n%s", why, err, p.log)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("still running 60 s after %s:\n%s", why, p.log)
	}
}

// rssKB is the resident set of a process, from /proc.
func rssKB(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// snapshot lists every file and folder under root.
func snapshot(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != root {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// trayIconColours are the discs of tray/icons.go: normal, paused, break,
// attention.
var trayIconColours = [][3]int{{0x0F, 0x9F, 0x8F}, {0xE0, 0x8E, 0x0B}, {0x43, 0x38, 0xCA}, {0xDC, 0x26, 0x26}}

// trayShot screenshots Wine's system-tray window and reports whether one of
// mindful's icons is drawn in it (a pixel of one of their disc colours).
func (w *wineEnv) trayShot(t *testing.T, file string) bool {
	t.Helper()
	cmd := exec.Command("xwininfo", "-root", "-tree")
	cmd.Env = w.env
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	m := regexp.MustCompile(`(0x[0-9a-f]+) "Wine System Tray"`).FindStringSubmatch(string(out))
	if m == nil {
		return false
	}
	shot := exec.Command("import", "-window", m[1], file)
	shot.Env = w.env
	if err := shot.Run(); err != nil {
		return false
	}
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return false
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for _, c := range trayIconColours {
				d := abs(int(r>>8)-c[0]) + abs(int(g>>8)-c[1]) + abs(int(bl>>8)-c[2])
				if d < 24 {
					return true
				}
			}
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestWindowsJourney is the Windows user's journey under Wine, with the
// real cross-built GUI mindful.exe: it starts with its tray icon and
// refuses a second daemon; the Linux Chromium's extension pairs with it and
// a prompt answer is stored; a close message stops it cleanly; `install`
// writes the registry values; the installed native host pairs; `uninstall`
// run from the installed copy leaves nothing behind; the MSI installs and
// uninstalls with msiexec; the Windows-aware unit tests pass; log-off stops
// a daemon without a tray cleanly.
func TestWindowsJourney(t *testing.T) {
	journey := time.Now()
	w := newWine(t)
	before := snapshot(t, w.profile)

	out, err := w.run(60*time.Second, w.exe, "version")
	if err != nil || strings.TrimSpace(out) != "mindful "+wineVersion {
		t.Fatalf("mindful.exe version: %q (%v), want mindful %s", out, err, wineVersion)
	}

	// The daemon, with its tray icon, in the default data dir.
	addr := freePort(t)
	daemon := w.start(w.exe, "run", "--addr", addr)
	daemon.waitLog(t, "mindful daemon listening", 90*time.Second)
	winData := `C:\users\` + w.winUser + `\AppData\Local\mindful`
	if !strings.Contains(daemon.log.String(), "data_dir="+winData) {
		t.Fatalf("daemon does not use %s:\n%s", winData, daemon.log)
	}
	daemon.waitLog(t, "tray icon shown", 60*time.Second)
	dataDir := w.path("AppData", "Local", "mindful")

	t.Run("a second daemon is refused", func(t *testing.T) {
		out, err := w.run(60*time.Second, w.exe, "run", "--no-tray", "--addr", freePort(t))
		if err == nil || !strings.Contains(out, "already running") {
			t.Fatalf("second daemon: %v\n%s", err, out)
		}
	})

	t.Run("the tray shows its icon", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "wine-tray.png")
		if dir := os.Getenv("MINDFUL_SCREENSHOT_DIR"); dir != "" {
			file = filepath.Join(dir, "screenshot-wine-tray.png")
		}
		waitFor(t, "mindful's icon in Wine's system tray", 30*time.Second, func() bool { return w.trayShot(t, file) })
	})

	// The daemon is idle now: note its resident set (Wine's loader is the
	// process: wine execs into it).
	t.Logf("idle RSS of mindful.exe run (with the tray) under Wine: %s", rssKB(daemon.cmd.Process.Pid))

	t.Run("Chromium pairs and a prompt answer is stored", func(t *testing.T) {
		d := daemonAt(t, addr, dataDir)
		d.cli("prompts", "settings", "--pause", "1s")
		s := startSites(t)
		browser := startChromium(t, s)
		popup := pairChromium(t, d, browser)
		waitRules(t, popup)
		page := tab(t, browser)
		do(t, page, chromedp.Navigate("https://www.facebook.com/"))
		onPrompt(t, page, "facebook")
		afterPause(t, page)
		do(t, page, chromedp.Click("#habit"))
		waitFor(t, "the habit answer to be stored by the Windows daemon", 30*time.Second, func() bool { return len(prompts(d, "facebook")) == 1 })
		if p := prompts(d, "facebook")[0]; p.Answer != "habit" {
			t.Fatalf("stored prompt %+v, want habit", p)
		}
	})

	// A close message (taskkill without /F) stops it cleanly.
	if out, err := w.run(60*time.Second, "taskkill", "/im", "mindful.exe"); err != nil {
		t.Fatalf("taskkill: %v\n%s", err, out)
	}
	daemon.waitExit(t, "taskkill")
	for _, want := range []string{"stopping on=WM_CLOSE", "msg=stopped"} {
		if !strings.Contains(daemon.log.String(), want) {
			t.Fatalf("daemon log lacks %q:\n%s", want, daemon.log)
		}
	}

	// install writes the files and the registry values.
	out, err = w.run(60*time.Second, w.exe, "install")
	if err != nil {
		t.Fatalf("mindful.exe install: %v\n%s", err, out)
	}
	installed := `C:\users\` + w.winUser + `\AppData\Local\Programs\mindful\mindful.exe`
	if v, ok := w.regQuery(installer.RunKey, installer.RunValue); !ok || v != `"`+installed+`" run` {
		t.Fatalf(`HKCU\%s %s = %q (%v), want "%s" run`, installer.RunKey, installer.RunValue, v, ok, installed)
	}
	for _, b := range installer.Browsers {
		v, ok := w.regQuery(installer.WindowsHostKey(b), "")
		if !ok || !strings.HasPrefix(v, `C:\users\`+w.winUser+`\AppData\Local\Programs\mindful\native-messaging\`) || !strings.HasSuffix(v, ".json") {
			t.Errorf(`HKCU\%s (Default) = %q (%v)`, installer.WindowsHostKey(b), v, ok)
		}
	}

	t.Run("the installed native host pairs", func(t *testing.T) {
		addr2 := freePort(t)
		d2 := w.start(installed, "run", "--no-tray", "--addr", addr2)
		d2.waitLog(t, "mindful daemon listening", 90*time.Second)
		var req bytes.Buffer
		if err := nativehost.WriteMessage(&req, map[string]string{
			"type": "pair", "client_id": "wine-native-client", "browser": "chromium",
			"browser_version": "1", "ext_version": "0.1.0", "origin": extOrigin,
		}); err != nil {
			t.Fatal(err)
		}
		// As Chrome starts it on Windows: the origin, then the window.
		var stdout, stderr syncBuf
		if err := w.runIO(&req, &stdout, &stderr, 60*time.Second, installed, extOrigin+"/", "--parent-window=0"); err != nil {
			t.Fatalf("native host: %v\n%s", err, stderr.String())
		}
		msg, err := nativehost.ReadMessage(strings.NewReader(stdout.String()))
		if err != nil {
			t.Fatalf("native host answered %q: %v\n%s", stdout.String(), err, stderr.String())
		}
		var ans struct {
			OK    bool   `json:"ok"`
			Addr  string `json:"addr"`
			Token string `json:"token"`
		}
		if err := json.Unmarshal(msg, &ans); err != nil || !ans.OK || ans.Addr != addr2 || ans.Token == "" {
			t.Fatalf("native host answered %s (%v), want ok with %s and a token", msg, err, addr2)
		}
		d := daemonAt(t, addr2, dataDir)
		p := d.pairing()
		if !slices.ContainsFunc(p.Paired, func(c api.PairedClient) bool {
			return c.ID == "wine-native-client" && c.PairedVia == "native" && c.Browser == "chromium"
		}) {
			t.Fatalf("the Windows daemon lists no client paired via native messaging: %+v", p)
		}

		// uninstall, run from the installed copy, stops the daemon and
		// removes everything, the running exe included.
		out, err := w.run(120*time.Second, installed, "uninstall", "--purge", "--yes")
		if err != nil {
			t.Fatalf("uninstall: %v\n%s", err, out)
		}
		if !strings.Contains(out, "stopped      the daemon at "+addr2) {
			t.Fatalf("uninstall did not stop the daemon:\n%s", out)
		}
		d2.waitExit(t, "uninstall")
	})

	t.Run("uninstall leaves nothing", func(t *testing.T) {
		progs := w.path("AppData", "Local", "Programs")
		waitFor(t, "the installed copy to go", 60*time.Second, func() bool {
			_, err := os.Stat(filepath.Join(progs, "mindful"))
			return os.IsNotExist(err)
		})
		for _, v := range []struct{ key, name string }{{installer.RunKey, installer.RunValue}} {
			if got, ok := w.regQuery(v.key, v.name); ok {
				t.Errorf(`HKCU\%s %s is left: %q`, v.key, v.name, got)
			}
		}
		for _, b := range installer.Browsers {
			if got, ok := w.regQuery(installer.WindowsHostKey(b), ""); ok {
				t.Errorf(`HKCU\%s is left: %q`, installer.WindowsHostKey(b), got)
			}
		}
		// The copy in %TEMP% deletes itself as it exits.
		waitFor(t, "the remover copy in %TEMP% to go", 60*time.Second, func() bool {
			return !slices.ContainsFunc(snapshot(t, w.profile), func(p string) bool { return strings.Contains(p, "mindful-remove-") })
		})
		after := snapshot(t, w.profile)
		var extra []string
		for _, p := range after {
			// %LOCALAPPDATA%\Programs is Windows' shared folder for per-user
			// programs (FOLDERID_UserProgramFiles); it stays, empty.
			if !slices.Contains(before, p) && p != filepath.Join("AppData", "Local", "Programs") {
				extra = append(extra, p)
			}
		}
		if len(extra) > 0 {
			t.Fatalf("left behind in the user's profile:\n%s", strings.Join(extra, "\n"))
		}
	})

	t.Run("the MSI installs and uninstalls", func(t *testing.T) {
		r, err := winpkg.Build(winpkg.Options{Exe: w.exe, Version: wineVersion, OutDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := w.run(180*time.Second, "msiexec", "/i", r.MSI, "/qn"); err != nil {
			t.Fatalf("msiexec /i: %v\n%s", err, out)
		}
		dir := w.path("AppData", "Local", "Programs", "mindful")
		lnk := w.path("AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "mindful.lnk")
		for _, f := range []string{filepath.Join(dir, "mindful.exe"), filepath.Join(dir, installer.HostName+".chromium.json"), filepath.Join(dir, installer.HostName+".firefox.json"), lnk} {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("the MSI did not install %s: %v", f, err)
			}
		}
		if v, ok := w.regQuery(installer.RunKey, installer.RunValue); !ok || v != `"`+installed+`" run` {
			t.Errorf("MSI: Run value %q (%v)", v, ok)
		}
		for _, b := range installer.Browsers {
			if v, ok := w.regQuery(installer.WindowsHostKey(b), ""); !ok || !strings.HasSuffix(v, ".json") {
				t.Errorf("MSI: host key for %s = %q (%v)", b, v, ok)
			}
		}
		// The installed host manifest starts the installed exe.
		out, err := w.run(60*time.Second, filepath.Join(dir, "mindful.exe"), "version")
		if err != nil || !strings.Contains(out, wineVersion) {
			t.Errorf("installed mindful.exe version: %q (%v)", out, err)
		}

		if out, err := w.run(180*time.Second, "msiexec", "/x", r.MSI, "/qn"); err != nil {
			t.Fatalf("msiexec /x: %v\n%s", err, out)
		}
		for _, f := range []string{dir, lnk} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("msiexec /x left %s (%v)", f, err)
			}
		}
		if v, ok := w.regQuery(installer.RunKey, installer.RunValue); ok {
			t.Errorf("msiexec /x left the Run value %q", v)
		}
		for _, b := range installer.Browsers {
			if v, ok := w.regQuery(installer.WindowsHostKey(b), ""); ok {
				t.Errorf("msiexec /x left the host key for %s: %q", b, v)
			}
		}
	})
	t.Run("unit tests under Wine", func(t *testing.T) {
		// The packages whose tests know Windows. TestEnsureMakesItPrivate
		// needs file access lists, which Wine 8 does not keep (the list
		// itself is checked by TestPrivateACL).
		for _, pkg := range []struct{ dir, skip string }{
			{"daemon/datadir", "TestEnsureMakesItPrivate"},
			{"daemon/internal/instance", ""},
			{"installer", ""},
		} {
			exe := filepath.Join(t.TempDir(), filepath.Base(pkg.dir)+".test.exe")
			build := exec.Command("go", "test", "-c", "-o", exe, "./"+pkg.dir)
			build.Dir = repo
			build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go test -c ./%s: %v\n%s", pkg.dir, err, out)
			}
			args := []string{exe, "-test.v"}
			if pkg.skip != "" {
				args = append(args, "-test.skip", pkg.skip)
			}
			cmd := exec.Command(w.wine, args...)
			cmd.Env = w.env
			cmd.Dir = filepath.Join(repo, pkg.dir) // tests read testdata from there
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%s's tests under Wine: %v\n%s", pkg.dir, err, out)
				continue
			}
			t.Logf("%s: %d tests passed under Wine", pkg.dir, strings.Count(string(out), "--- PASS"))
		}
	})
	t.Run("log-off stops a daemon without a tray", func(t *testing.T) {
		d := w.start(w.exe, "run", "--no-tray", "--addr", freePort(t))
		d.waitLog(t, "mindful daemon listening", 90*time.Second)
		// What Windows sends every program at log-off and shutdown:
		// WM_QUERYENDSESSION, then WM_ENDSESSION.
		if out, err := w.run(120*time.Second, "wineboot", "--end-session"); err != nil {
			t.Fatalf("wineboot --end-session: %v\n%s", err, out)
		}
		d.waitExit(t, "the end of the session")
		for _, want := range []string{"stopping on=WM_ENDSESSION", "msg=stopped"} {
			if !strings.Contains(d.log.String(), want) {
				t.Fatalf("daemon log lacks %q:\n%s", want, d.log)
			}
		}
	})
	t.Logf("the Windows journey took %s", time.Since(journey).Round(time.Millisecond))
}
