package installer

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// home makes a temp HOME with XDG_CONFIG_HOME redirected somewhere else
// inside it, and a fake binary to install.
func home(t *testing.T) (root string, env Env) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("applies a Linux install plan to this machine's files (TestInstallThenUninstallWindows is Windows')")
	}
	root = t.TempDir()
	bin := filepath.Join(root, "build", "mindful")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho fake mindful\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := filepath.Join(root, "home")
	return root, Env{OS: "linux", Home: h, ConfigHome: filepath.Join(root, "xdg-config"), ConfigDirs: []string{filepath.Join(root, "xdg-dirs")}, Binary: bin}
}

// tree lists the regular files under dir (except build/) with their modes.
func tree(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() && rel == "build" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			st, err := d.Info()
			if err != nil {
				return err
			}
			out[rel] = st.Mode()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mtimes(t *testing.T, root string, files map[string]fs.FileMode) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for rel := range files {
		st, err := os.Stat(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		out[rel] = st.ModTime()
	}
	return out
}

func ops(cs []Change) map[string]int {
	out := map[string]int{}
	for _, c := range cs {
		out[c.Op]++
	}
	return out
}

func TestInstallTwiceThenUninstallLinux(t *testing.T) {
	root, env := home(t)
	// Something of the user's that must survive.
	mine := filepath.Join(env.ConfigHome, "autostart", "other.desktop")
	os.MkdirAll(filepath.Dir(mine), 0o755)
	os.WriteFile(mine, []byte("[Desktop Entry]\n"), 0o644)

	p, err := PlanInstall(env)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cs, err := Install(p, Options{Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if n := ops(cs)["write"]; n != len(p.Files) {
		t.Fatalf("first install wrote %d of %d files:\n%s", n, len(p.Files), out.String())
	}
	want := map[string]fs.FileMode{
		"home/.local/bin/mindful":                                                           0o755,
		"xdg-config/autostart/mindful.desktop":                                              0o644,
		"xdg-config/autostart/other.desktop":                                                0o644,
		"xdg-config/google-chrome/NativeMessagingHosts/" + HostName + ".json":               0o644,
		"xdg-config/chromium/NativeMessagingHosts/" + HostName + ".json":                    0o644,
		"xdg-config/microsoft-edge/NativeMessagingHosts/" + HostName + ".json":              0o644,
		"xdg-config/BraveSoftware/Brave-Browser/NativeMessagingHosts/" + HostName + ".json": 0o644,
		"home/.mozilla/native-messaging-hosts/" + HostName + ".json":                        0o644,
		"xdg-config/mindful/install.json":                                                   0o644,
	}
	got := tree(t, root)
	if !equalModes(got, want) {
		t.Fatalf("files after install:\n%v\nwant:\n%v", got, want)
	}

	// Contents: the binary is a copy, the manifests name it and admit
	// exactly our extension, the entry runs it.
	bin := filepath.Join(env.Home, ".local", "bin", "mindful")
	if b, _ := os.ReadFile(bin); string(b) != "#!/bin/sh\necho fake mindful\n" {
		t.Fatalf("installed binary holds %q", b)
	}
	for rel := range want {
		if !strings.HasSuffix(rel, HostName+".json") {
			continue
		}
		m := readManifest(t, filepath.Join(root, rel))
		if m.Name != HostName || m.Path != bin || m.Type != "stdio" {
			t.Errorf("%s: %+v", rel, m)
		}
		if strings.Contains(rel, "mozilla") {
			if !slices.Equal(m.AllowedExtensions, []string{"mindful@mindful-app.org"}) || m.AllowedOrigins != nil {
				t.Errorf("%s admits %v / %v", rel, m.AllowedExtensions, m.AllowedOrigins)
			}
		} else if !slices.Equal(m.AllowedOrigins, []string{"chrome-extension://lbcebegdchechefjbefnojockkfhgifo/"}) || m.AllowedExtensions != nil {
			t.Errorf("%s admits %v / %v", rel, m.AllowedOrigins, m.AllowedExtensions)
		}
	}
	entry, _ := os.ReadFile(filepath.Join(env.ConfigHome, "autostart", "mindful.desktop"))
	if !strings.Contains(string(entry), "\nExec="+bin+" run\n") {
		t.Fatalf("autostart entry:\n%s", entry)
	}

	// A second install changes nothing, not even a modification time.
	before := mtimes(t, root, want)
	out.Reset()
	cs, err = Install(p, Options{Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if o := ops(cs); o["unchanged"] != len(p.Files) || o["write"] != 0 {
		t.Fatalf("second install: %v\n%s", o, out.String())
	}
	if after := mtimes(t, root, want); !equalTimes(before, after) {
		t.Fatalf("second install touched files: %v → %v", before, after)
	}
	// A changed file is put back.
	os.WriteFile(bin, []byte("old"), 0o755)
	os.Chmod(filepath.Join(env.ConfigHome, "autostart", "mindful.desktop"), 0o600)
	cs, _ = Install(p, Options{})
	if o := ops(cs); o["write"] != 2 {
		t.Fatalf("install over a changed binary and entry mode: %v", o)
	}

	// Uninstall (from the record) removes exactly what install wrote.
	up, err := PlanUninstall(Env{OS: "linux", Home: env.Home, ConfigHome: env.ConfigHome})
	if err != nil {
		t.Fatal(err)
	}
	cs, err = Uninstall(up, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if o := ops(cs); o["remove"] != len(want)-1 || o["absent"] != 0 {
		t.Fatalf("uninstall: %v", o)
	}
	if got := tree(t, root); !equalModes(got, map[string]fs.FileMode{"xdg-config/autostart/other.desktop": 0o644}) {
		t.Fatalf("files after uninstall: %v", got)
	}
	if _, err := os.Stat(filepath.Join(env.ConfigHome, "mindful")); !os.IsNotExist(err) {
		t.Fatalf("the empty config dir is left behind: %v", err)
	}
	// And again: nothing left to do.
	up, _ = PlanUninstall(Env{OS: "linux", Home: env.Home, ConfigHome: env.ConfigHome})
	cs, err = Uninstall(up, Options{})
	if err != nil || ops(cs)["remove"] != 0 {
		t.Fatalf("second uninstall: %v %v", ops(cs), err)
	}
}

func TestInstallRecordsACustomPrefixAndBrowsers(t *testing.T) {
	root, env := home(t)
	env.Prefix = filepath.Join(root, "opt", "bin")
	env.Browsers = []string{"chromium", "firefox"}
	env.Systemd = true
	p, err := PlanInstall(env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Install(p, Options{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]fs.FileMode{
		"opt/bin/mindful":                                                0o755,
		"xdg-config/autostart/mindful.desktop":                           0o644,
		"xdg-config/systemd/user/mindful.service":                        0o644,
		"xdg-config/chromium/NativeMessagingHosts/" + HostName + ".json": 0o644,
		"home/.mozilla/native-messaging-hosts/" + HostName + ".json":     0o644,
		"xdg-config/mindful/install.json":                                0o644,
	}
	if got := tree(t, root); !equalModes(got, want) {
		t.Fatalf("files: %v\nwant %v", got, want)
	}
	unit, _ := os.ReadFile(filepath.Join(env.ConfigHome, "systemd", "user", "mindful.service"))
	if !strings.Contains(string(unit), "\nExecStart="+filepath.Join(root, "opt", "bin", "mindful")+" run --no-tray\n") {
		t.Fatalf("unit:\n%s", unit)
	}
	// uninstall knows nothing of the prefix: the record does.
	up, err := PlanUninstall(Env{OS: "linux", Home: env.Home, ConfigHome: env.ConfigHome})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Uninstall(up, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, root); len(got) != 0 {
		t.Fatalf("left behind: %v", got)
	}
}

// TestRecordNamesOnlyMindfulFiles: a damaged record cannot make uninstall
// delete anything else.
func TestRecordNamesOnlyMindfulFiles(t *testing.T) {
	_, env := home(t)
	dir, _ := ConfigDir(env)
	os.MkdirAll(dir, 0o755)
	for _, rec := range []string{
		`{"os":"linux","files":[{"path":"/home/ann/.bashrc","mode":420,"kind":"binary"}]}`,
		`{"os":"linux","files":[{"path":"relative/mindful","mode":420,"kind":"binary"}]}`,
		`{"os":"windows","files":[],"registry":[{"key":"Software\\Microsoft\\Windows\\CurrentVersion\\Run","name":"OneDrive","value":"x","kind":"autostart"}]}`,
		`{"os":"windows","files":[],"registry":[{"key":"Software\\Microsoft","value":"x","kind":"native-host","own_key":true}]}`,
		`not json`,
	} {
		os.WriteFile(filepath.Join(dir, RecordFile), []byte(rec), 0o644)
		if _, err := PlanUninstall(env); err == nil {
			t.Errorf("record %s accepted", rec)
		}
	}
	for _, ok := range []string{"/x/mindful", `C:\p\mindful.exe`, "/x/org.mindful_app.mindful.json", `C:\p\org.mindful_app.mindful.firefox.json`, "/x/org.mindful-app.mindful.plist"} {
		if !ownFile(ok) {
			t.Errorf("ownFile(%q) = false", ok)
		}
	}
}

// TestUninstallGoesOnPastAFailure: what can go, goes; the record stays so
// that uninstall can be run again.
func TestUninstallGoesOnPastAFailure(t *testing.T) {
	root, env := home(t)
	p, _ := PlanInstall(env)
	if _, err := Install(p, Options{}); err != nil {
		t.Fatal(err)
	}
	// Something that cannot be removed with os.Remove: the entry replaced
	// by a directory with a file in it.
	entry := filepath.Join(env.ConfigHome, "autostart", "mindful.desktop")
	os.Remove(entry)
	os.MkdirAll(filepath.Join(entry, "x"), 0o755)
	up, err := PlanUninstall(env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Uninstall(up, Options{})
	if err == nil || !strings.Contains(err.Error(), entry) {
		t.Fatalf("uninstall error %v, want one naming %s", err, entry)
	}
	left := tree(t, root)
	if _, ok := left["xdg-config/mindful/install.json"]; !ok || len(left) != 1 {
		t.Fatalf("after a failed uninstall, left %v; want just the record (and the directory)", left)
	}
	os.RemoveAll(entry)
	up, _ = PlanUninstall(env)
	if _, err := Uninstall(up, Options{}); err != nil {
		t.Fatal(err)
	}
	if left := tree(t, root); len(left) != 0 {
		t.Fatalf("second uninstall left %v", left)
	}
}

func TestDryRunWritesNothingAndNamesEverything(t *testing.T) {
	root, env := home(t)
	p, _ := PlanInstall(env)
	var out bytes.Buffer
	if _, err := Install(p, Options{DryRun: true, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, root); len(got) != 0 {
		t.Fatalf("dry run wrote %v", got)
	}
	for _, f := range p.Files {
		if !strings.Contains(out.String(), "would write  "+f.Path+" (0") {
			t.Errorf("dry run does not name %s:\n%s", f.Path, out.String())
		}
	}
	Install(p, Options{})
	out.Reset()
	up, _ := PlanUninstall(env)
	if _, err := Uninstall(up, Options{DryRun: true, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if n := len(tree(t, root)); n != len(p.Files) {
		t.Fatalf("dry-run uninstall left %d of %d files", n, len(p.Files))
	}
	for _, f := range p.Files {
		if !strings.Contains(out.String(), "would remove "+f.Path+"\n") {
			t.Errorf("dry-run uninstall does not name %s:\n%s", f.Path, out.String())
		}
	}
}

type manifest struct {
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Path              string   `json:"path"`
	Type              string   `json:"type"`
	AllowedOrigins    []string `json:"allowed_origins"`
	AllowedExtensions []string `json:"allowed_extensions"`
}

func readManifest(t *testing.T, p string) manifest {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return m
}

func equalModes(a, b map[string]fs.FileMode) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w.Perm() != v.Perm() || !v.IsRegular() {
			return false
		}
	}
	return true
}

func equalTimes(a, b map[string]time.Time) bool {
	for k, v := range a {
		if !b[k].Equal(v) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestPlans: every OS's plan as data, registry values included.
func TestPlans(t *testing.T) {
	type want struct {
		files    []string // path, mode
		registry []string // RegValue.String()
	}
	for _, tc := range []struct {
		name string
		env  Env
		want want
	}{
		{"linux", Env{OS: "linux", Home: "/home/ann", Binary: "/tmp/mindful"}, want{files: []string{
			"/home/ann/.local/bin/mindful 0755 binary",
			"/home/ann/.config/autostart/mindful.desktop 0644 autostart",
			"/home/ann/.config/google-chrome/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host chrome",
			"/home/ann/.config/chromium/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host chromium",
			"/home/ann/.config/microsoft-edge/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host edge",
			"/home/ann/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host brave",
			"/home/ann/.mozilla/native-messaging-hosts/org.mindful_app.mindful.json 0644 native-host firefox",
			"/home/ann/.config/mindful/install.json 0644 record",
		}}},
		{"linux xdg, systemd, two browsers", Env{OS: "linux", Home: "/home/ann", ConfigHome: "/cfg", Prefix: "/opt/m", Binary: "/tmp/mindful", Systemd: true, Browsers: []string{"firefox", "brave"}}, want{files: []string{
			"/opt/m/mindful 0755 binary",
			"/cfg/autostart/mindful.desktop 0644 autostart",
			"/cfg/systemd/user/mindful.service 0644 systemd",
			"/cfg/BraveSoftware/Brave-Browser/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host brave",
			"/home/ann/.mozilla/native-messaging-hosts/org.mindful_app.mindful.json 0644 native-host firefox",
			"/cfg/mindful/install.json 0644 record",
		}}},
		{"darwin", Env{OS: "darwin", Home: "/Users/ann", Binary: "/tmp/mindful", Systemd: true}, want{files: []string{
			"/Users/ann/.local/bin/mindful 0755 binary",
			"/Users/ann/Library/LaunchAgents/org.mindful-app.mindful.plist 0644 autostart",
			"/Users/ann/Library/Application Support/Google/Chrome/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host chrome",
			"/Users/ann/Library/Application Support/Chromium/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host chromium",
			"/Users/ann/Library/Application Support/Microsoft Edge/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host edge",
			"/Users/ann/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host brave",
			"/Users/ann/Library/Application Support/Mozilla/NativeMessagingHosts/org.mindful_app.mindful.json 0644 native-host firefox",
			"/Users/ann/Library/Application Support/mindful/install.json 0644 record",
		}}},
		{"windows", Env{OS: "windows", Home: `C:\Users\ann`, LocalAppData: `C:\Users\ann\AppData\Local`, AppData: `C:\Users\ann\AppData\Roaming`, Binary: `C:\tmp\mindful.exe`}, want{
			files: []string{
				`C:\Users\ann\AppData\Local\Programs\mindful\mindful.exe 0755 binary`,
				`C:\Users\ann\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.chromium.json 0644 native-host chrome`,
				`C:\Users\ann\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.firefox.json 0644 native-host firefox`,
				`C:\Users\ann\AppData\Roaming\mindful\install.json 0644 record`,
			},
			registry: []string{
				`HKCU\Software\Microsoft\Windows\CurrentVersion\Run mindful = "C:\Users\ann\AppData\Local\Programs\mindful\mindful.exe" run`,
				`HKCU\Software\Google\Chrome\NativeMessagingHosts\org.mindful_app.mindful (Default) = C:\Users\ann\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.chromium.json`,
				`HKCU\Software\Chromium\NativeMessagingHosts\org.mindful_app.mindful (Default) = C:\Users\ann\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.chromium.json`,
				`HKCU\Software\Microsoft\Edge\NativeMessagingHosts\org.mindful_app.mindful (Default) = C:\Users\ann\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.chromium.json`,
				`HKCU\Software\BraveSoftware\Brave-Browser\NativeMessagingHosts\org.mindful_app.mindful (Default) = C:\Users\ann\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.chromium.json`,
				`HKCU\Software\Mozilla\NativeMessagingHosts\org.mindful_app.mindful (Default) = C:\Users\ann\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.firefox.json`,
			},
		}},
		{"windows from USERPROFILE only", Env{OS: "windows", Home: `C:\Users\bob`, Binary: `C:\tmp\mindful.exe`, Browsers: []string{"edge"}}, want{
			files: []string{
				`C:\Users\bob\AppData\Local\Programs\mindful\mindful.exe 0755 binary`,
				`C:\Users\bob\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.chromium.json 0644 native-host edge`,
				`C:\Users\bob\AppData\Roaming\mindful\install.json 0644 record`,
			},
			registry: []string{
				`HKCU\Software\Microsoft\Windows\CurrentVersion\Run mindful = "C:\Users\bob\AppData\Local\Programs\mindful\mindful.exe" run`,
				`HKCU\Software\Microsoft\Edge\NativeMessagingHosts\org.mindful_app.mindful (Default) = C:\Users\bob\AppData\Local\Programs\mindful\native-messaging\org.mindful_app.mindful.chromium.json`,
			},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PlanInstall(tc.env)
			if err != nil {
				t.Fatal(err)
			}
			var files, reg []string
			for _, f := range p.Files {
				s := strings.TrimSpace(f.Path + " " + fmtMode(f.Mode) + " " + string(f.Kind) + " " + f.Browser)
				files = append(files, s)
				if !ownFile(f.Path) {
					t.Errorf("%s would not be accepted from an install record", f.Path)
				}
				if (f.Kind == KindBinary) != (f.Source != "") || (f.Kind != KindBinary) != (len(f.Content) > 0) {
					t.Errorf("%s: source %q, %d bytes of content", f.Path, f.Source, len(f.Content))
				}
			}
			for _, r := range p.Registry {
				reg = append(reg, r.String())
				if !ownRegValue(r) {
					t.Errorf("%s would not be accepted from an install record", r)
				}
				if r.Kind == KindHost && !r.OwnKey || r.Kind == KindAutostart && r.OwnKey {
					t.Errorf("%s: own key %v", r, r.OwnKey)
				}
			}
			if !slices.Equal(files, tc.want.files) {
				t.Errorf("files:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(tc.want.files, "\n"))
			}
			if !slices.Equal(reg, tc.want.registry) {
				t.Errorf("registry:\n%s\nwant:\n%s", strings.Join(reg, "\n"), strings.Join(tc.want.registry, "\n"))
			}
		})
	}
}

func fmtMode(m fs.FileMode) string { return fmt.Sprintf("%04o", m.Perm()) }

func TestEnvErrors(t *testing.T) {
	for _, tc := range []struct {
		env  Env
		want string
	}{
		{Env{OS: "plan9", Home: "/h", Binary: "b"}, "not supported"},
		{Env{OS: "linux", Home: "", Binary: "b"}, "$HOME"},
		{Env{OS: "linux", Home: "/h", Prefix: "bin", Binary: "b"}, "--prefix"},
		{Env{OS: "linux", Home: "/h", Binary: "b", Browsers: []string{"netscape"}}, "netscape"},
		{Env{OS: "windows", Binary: "b"}, "LOCALAPPDATA"},
		{Env{OS: "linux", Home: "/h"}, "no binary"},
	} {
		if _, err := PlanInstall(tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("PlanInstall(%+v) = %v, want an error about %q", tc.env, err, tc.want)
		}
	}
	for in, want := range map[string][]string{"": Browsers, "all": Browsers, "Firefox, chromium,firefox": {"firefox", "chromium"}} {
		got, err := ParseBrowsers(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseBrowsers(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"safari", ",", "chrome,opera"} {
		if _, err := ParseBrowsers(in); err == nil {
			t.Errorf("ParseBrowsers(%q) accepted", in)
		}
	}
}

// fakeRegistry is HKCU as a map, for Windows plans on any system.
type fakeRegistry map[string]string // key + "\x00" + name → value

func (f fakeRegistry) Get(key, name string) (string, bool, error) {
	v, ok := f[key+"\x00"+name]
	return v, ok, nil
}
func (f fakeRegistry) Set(key, name, value string) error { f[key+"\x00"+name] = value; return nil }
func (f fakeRegistry) DeleteValue(key, name string) error {
	delete(f, key+"\x00"+name)
	return nil
}
func (f fakeRegistry) DeleteKey(key string) error {
	for k := range f {
		if strings.HasPrefix(k, key+"\x00") {
			delete(f, k)
		}
	}
	return nil
}

// TestInstallThenUninstallWindows applies a Windows plan to this Windows
// machine's files (under Wine in the Windows journey), with a fake
// registry: install writes the files, uninstall removes them and the
// folders it made.
func TestInstallThenUninstallWindows(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("applies a Windows plan to this machine's files")
	}
	root, err := os.MkdirTemp("", "installer-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) }) // Wine may fail this; it is not the test's
	bin := filepath.Join(root, "build", "mindful.exe")
	os.MkdirAll(filepath.Dir(bin), 0o755)
	if err := os.WriteFile(bin, []byte("MZ fake"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := Env{OS: "windows", Home: filepath.Join(root, "home"), LocalAppData: filepath.Join(root, "local"), AppData: filepath.Join(root, "roaming"), Binary: bin}
	p, err := PlanInstall(env)
	if err != nil {
		t.Fatal(err)
	}
	reg := fakeRegistry{}
	if _, err := Install(p, Options{Registry: reg}); err != nil {
		t.Fatal(err)
	}
	installed := filepath.Join(root, "local", "Programs", "mindful", "mindful.exe")
	if b, err := os.ReadFile(installed); err != nil || string(b) != "MZ fake" {
		t.Fatalf("installed exe: %q %v", b, err)
	}
	up, err := PlanUninstall(Env{OS: "windows", Home: env.Home, LocalAppData: env.LocalAppData, AppData: env.AppData})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Uninstall(up, Options{Registry: reg}); err != nil {
		t.Fatal(err)
	}
	if len(reg) != 0 {
		t.Errorf("registry after uninstall: %v", reg)
	}
	for _, d := range []string{filepath.Join(root, "local", "Programs", "mindful"), filepath.Join(root, "roaming", "mindful")} {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("uninstall left %s (%v)", d, err)
		}
	}
}

func TestWindowsRegistryApplyAndUndo(t *testing.T) {
	p, err := PlanInstall(Env{OS: "windows", Home: `C:\Users\ann`, Binary: `C:\tmp\mindful.exe`})
	if err != nil {
		t.Fatal(err)
	}
	regOnly := Plan{OS: "windows", Registry: p.Registry}
	reg := fakeRegistry{`Software\Microsoft\Windows\CurrentVersion\Run` + "\x00" + "OneDrive": "onedrive.exe"}
	cs, err := Install(regOnly, Options{Registry: reg})
	if err != nil || ops(cs)["write"] != 6 {
		t.Fatalf("install: %v %v", ops(cs), err)
	}
	if v := reg[RunKey+"\x00mindful"]; v != `"C:\Users\ann\AppData\Local\Programs\mindful\mindful.exe" run` {
		t.Fatalf("Run value %q", v)
	}
	cs, _ = Install(regOnly, Options{Registry: reg})
	if ops(cs)["unchanged"] != 6 {
		t.Fatalf("second install: %v", ops(cs))
	}
	cs, err = Uninstall(regOnly, Options{Registry: reg})
	if err != nil || ops(cs)["remove"] != 6 {
		t.Fatalf("uninstall: %v %v", ops(cs), err)
	}
	if len(reg) != 1 || reg[RunKey+"\x00OneDrive"] != "onedrive.exe" {
		t.Fatalf("registry after uninstall: %v", reg)
	}
	// Without a registry (not Windows, none given), a Windows plan is refused.
	if systemRegistry() == nil {
		if _, err := Install(regOnly, Options{}); err == nil || !strings.Contains(err.Error(), "no registry") {
			t.Fatalf("install without a registry: %v", err)
		}
	}
}

func TestAutostartToggle(t *testing.T) {
	root, env := home(t)
	on, err := AutostartEnabled(env)
	if err != nil || on {
		t.Fatalf("before: %v %v", on, err)
	}
	if err := SetAutostart(env, true); err != nil {
		t.Fatal(err)
	}
	if on, err := AutostartEnabled(env); err != nil || !on {
		t.Fatalf("after on: %v %v", on, err)
	}
	// Just the entry, running the binary it was given.
	if got := tree(t, root); !equalModes(got, map[string]fs.FileMode{"xdg-config/autostart/mindful.desktop": 0o644}) {
		t.Fatalf("files: %v", got)
	}
	entry, _ := os.ReadFile(filepath.Join(env.ConfigHome, "autostart", "mindful.desktop"))
	if !strings.Contains(string(entry), "Exec="+env.Binary+" run\n") {
		t.Fatalf("entry:\n%s", entry)
	}
	if err := SetAutostart(env, false); err != nil {
		t.Fatal(err)
	}
	if on, err := AutostartEnabled(env); err != nil || on {
		t.Fatalf("after off: %v %v", on, err)
	}
	if got := tree(t, root); len(got) != 0 {
		t.Fatalf("left: %v", got)
	}
	// Windows: the Run value.
	w := Env{OS: "windows", Home: `C:\Users\ann`, Binary: `C:\x\mindful.exe`}
	reg := fakeRegistry{}
	if on, _ := autostartEnabled(w, reg); on {
		t.Fatal("windows: on before")
	}
	if err := setAutostart(w, true, reg); err != nil {
		t.Fatal(err)
	}
	if on, _ := autostartEnabled(w, reg); !on || reg[RunKey+"\x00mindful"] != `"C:\x\mindful.exe" run` {
		t.Fatalf("windows: %v", reg)
	}
	setAutostart(w, false, reg)
	if on, _ := autostartEnabled(w, reg); on || len(reg) != 0 {
		t.Fatalf("windows after off: %v", reg)
	}
}

// TestAutostartOverSystemEntry: with the .deb's entry in $XDG_CONFIG_DIRS,
// the toggle hides it for this user and shows it again.
func TestAutostartOverSystemEntry(t *testing.T) {
	root, env := home(t)
	sys := filepath.Join(root, "xdg-dirs", "autostart", "mindful.desktop")
	os.MkdirAll(filepath.Dir(sys), 0o755)
	os.WriteFile(sys, DesktopEntry("/usr/bin/mindful"), 0o644)
	user := filepath.Join(env.ConfigHome, "autostart", "mindful.desktop")
	if on, err := AutostartEnabled(env); err != nil || !on {
		t.Fatalf("with a system entry: %v %v", on, err)
	}
	if err := SetAutostart(env, false); err != nil {
		t.Fatal(err)
	}
	if on, err := AutostartEnabled(env); err != nil || on {
		t.Fatalf("after off: %v %v", on, err)
	}
	b, err := os.ReadFile(user)
	if err != nil || !strings.HasSuffix(string(b), "\nHidden=true\n") {
		t.Fatalf("user override %q (%v)", b, err)
	}
	if tool, err := exec.LookPath("desktop-file-validate"); err == nil {
		if out, err := exec.Command(tool, user).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("desktop-file-validate on the override: %v\n%s", err, out)
		}
	}
	if b, _ := os.ReadFile(sys); bytes.Contains(b, []byte("Hidden")) {
		t.Fatal("the system entry was changed")
	}
	if err := SetAutostart(env, true); err != nil {
		t.Fatal(err)
	}
	if on, err := AutostartEnabled(env); err != nil || !on {
		t.Fatalf("after on: %v %v", on, err)
	}
	if _, err := os.Stat(user); !os.IsNotExist(err) {
		t.Fatalf("the override is still there: %v", err)
	}
}

// TestDesktopEntryValidates runs desktop-file-validate on the entry, also
// for a binary path that needs quoting.
func TestDesktopEntryValidates(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("desktop-file-validate is an XDG tool")
	}
	tool, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("desktop-file-validate is missing (apt-get install desktop-file-utils; .ci/deps.sh test does it)")
		}
		t.Skip("desktop-file-validate is missing: sudo apt-get install desktop-file-utils")
	}
	for _, bin := range []string{"/usr/bin/mindful", `/home/ann/my apps/mind"ful$1\x%`} {
		p := filepath.Join(t.TempDir(), "mindful.desktop")
		os.WriteFile(p, DesktopEntry(bin), 0o644)
		out, err := exec.Command(tool, p).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("desktop-file-validate on the entry for %q: %v\n%s\n%s", bin, err, out, DesktopEntry(bin))
		}
	}
	if got := desktopExecQuote(`/a b/c"d$e\f%g`); got != `"/a b/c\\"d\\$e\\\\f%%g"` {
		t.Errorf("desktopExecQuote = %s", got)
	}
}

// TestLaunchAgentPlist decodes the plist as XML and checks its keys.
func TestLaunchAgentPlist(t *testing.T) {
	p, err := PlanAutostart(Env{OS: "darwin", Home: "/Users/ann", Binary: "/Users/ann/.local/bin/mind & <ful>"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || p.Files[0].Path != "/Users/ann/Library/LaunchAgents/org.mindful-app.mindful.plist" {
		t.Fatalf("plan %+v", p)
	}
	var doc struct {
		XMLName xml.Name `xml:"plist"`
		Version string   `xml:"version,attr"`
		Dict    struct {
			Items []struct {
				XMLName xml.Name
				Text    string   `xml:",chardata"`
				Strings []string `xml:"string"`
			} `xml:",any"`
		} `xml:"dict"`
	}
	dec := xml.NewDecoder(bytes.NewReader(p.Files[0].Content))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("plist is not XML: %v\n%s", err, p.Files[0].Content)
	}
	got := map[string]string{}
	var key string
	for _, it := range doc.Dict.Items {
		if it.XMLName.Local == "key" {
			key = it.Text
			continue
		}
		switch it.XMLName.Local {
		case "array":
			got[key] = "array:" + strings.Join(it.Strings, "|")
		case "true", "false":
			got[key] = it.XMLName.Local
		default:
			got[key] = it.XMLName.Local + ":" + it.Text
		}
	}
	want := map[string]string{
		"Label":                  "string:org.mindful-app.mindful",
		"ProgramArguments":       "array:/Users/ann/.local/bin/mind & <ful>|run",
		"RunAtLoad":              "true",
		"KeepAlive":              "false",
		"ProcessType":            "string:Interactive",
		"LimitLoadToSessionType": "string:Aqua",
	}
	keys := func(m map[string]string) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	if !slices.Equal(keys(got), keys(want)) {
		t.Fatalf("plist keys %v, want %v", keys(got), keys(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if doc.Version != "1.0" {
		t.Errorf("plist version %q", doc.Version)
	}
}

// TestChromeExtensionIDMatchesTheManifestKey: the ID the manifests admit is
// the one the extension's key gives.
func TestChromeExtensionIDMatchesTheManifestKey(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "extension", "manifests", "chrome.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(m.Key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	id := []byte(hex.EncodeToString(sum[:16]))
	for i, c := range id {
		if c >= 'a' {
			id[i] = 'a' + 10 + (c - 'a')
		} else {
			id[i] = 'a' + (c - '0')
		}
	}
	if string(id) != ChromeExtensionID {
		t.Fatalf("manifest key gives %s, installer admits %s", id, ChromeExtensionID)
	}
	var ff struct {
		BSS struct {
			Gecko struct {
				ID string `json:"id"`
			} `json:"gecko"`
		} `json:"browser_specific_settings"`
	}
	b, _ = os.ReadFile(filepath.Join("..", "extension", "manifests", "firefox.json"))
	if err := json.Unmarshal(b, &ff); err != nil || ff.BSS.Gecko.ID != FirefoxAddonID {
		t.Fatalf("firefox.json gecko id %q (%v), installer admits %s", ff.BSS.Gecko.ID, err, FirefoxAddonID)
	}
}

func TestSystemPlan(t *testing.T) {
	p := PlanSystem("/usr/bin/mindful", "/tmp/build/mindful")
	var paths []string
	for _, f := range p.Files {
		paths = append(paths, f.Path)
		if f.Kind == KindHost && readManifestBytes(t, f.Content).Path != "/usr/bin/mindful" {
			t.Errorf("%s does not start /usr/bin/mindful", f.Path)
		}
	}
	want := []string{
		"/usr/bin/mindful",
		"/etc/xdg/autostart/mindful.desktop",
		"/etc/opt/chrome/native-messaging-hosts/org.mindful_app.mindful.json",
		"/etc/chromium/native-messaging-hosts/org.mindful_app.mindful.json",
		"/etc/opt/edge/native-messaging-hosts/org.mindful_app.mindful.json",
		"/etc/opt/brave/native-messaging-hosts/org.mindful_app.mindful.json",
		"/usr/lib/mozilla/native-messaging-hosts/org.mindful_app.mindful.json",
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("system plan:\n%s", strings.Join(paths, "\n"))
	}
}

func readManifestBytes(t *testing.T, b []byte) manifest {
	t.Helper()
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
