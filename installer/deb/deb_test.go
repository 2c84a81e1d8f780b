package deb

import (
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// needDpkgDeb finds dpkg-deb: skipped on a machine without it, but never
// when CI is set.
func needDpkgDeb(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dpkg-deb is missing (Debian's dpkg package)")
		}
		t.Skip("dpkg-deb is missing: not a Debian system")
	}
}

func dpkgDeb(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPackageInfoAndContents builds a .deb around a stand-in binary and
// reads it back with dpkg-deb --info and --contents.
func TestPackageInfoAndContents(t *testing.T) {
	needDpkgDeb(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "mindful")
	os.WriteFile(bin, []byte("#!/bin/sh\necho mindful 9.8.7\n"), 0o700)
	share := standInShare(t)
	p, err := Build(Options{Binary: bin, Share: share, Version: "v9.8.7", Arch: "amd64", OutDir: filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p) != "mindful_9.8.7_amd64.deb" {
		t.Fatalf("package file %s", p)
	}
	info := dpkgDeb(t, "--info", p)
	for _, want := range []string{
		"\n Package: mindful\n",
		"\n Version: 9.8.7\n",
		"\n Architecture: amd64\n",
		"\n Depends: libc6, libgtk-3-0 | libgtk-3-0t64, libayatana-appindicator3-1\n",
		"\n Description: notice habitual social-feed use and take real breaks\n",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("dpkg-deb --info lacks %q:\n%s", strings.TrimSpace(want), info)
		}
	}
	if cf := dpkgDeb(t, "--field", p, "Package"); strings.TrimSpace(cf) != "mindful" {
		t.Errorf("--field Package = %q", cf)
	}

	// --contents: mode, owner, path of every regular file.
	lines := strings.Split(strings.TrimSpace(dpkgDeb(t, "--contents", p)), "\n")
	re := regexp.MustCompile(`^(\S+) (\S+)\s+\d+ \S+ \S+ \.(/\S*)$`)
	var files []string
	for _, l := range lines {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("unexpected --contents line %q", l)
		}
		if m[2] != "root/root" {
			t.Errorf("%s is owned by %s, want root/root", m[3], m[2])
		}
		if strings.HasPrefix(m[1], "d") {
			if m[1] != "drwxr-xr-x" {
				t.Errorf("directory %s has mode %s", m[3], m[1])
			}
			continue
		}
		files = append(files, m[1]+" "+m[3])
	}
	want := []string{
		"-rwxr-xr-x /usr/bin/mindful",
		"-rw-r--r-- /etc/xdg/autostart/mindful.desktop",
		"-rw-r--r-- /etc/opt/chrome/native-messaging-hosts/org.mindful_app.mindful.json",
		"-rw-r--r-- /etc/chromium/native-messaging-hosts/org.mindful_app.mindful.json",
		"-rw-r--r-- /etc/opt/edge/native-messaging-hosts/org.mindful_app.mindful.json",
		"-rw-r--r-- /etc/opt/brave/native-messaging-hosts/org.mindful_app.mindful.json",
		"-rw-r--r-- /usr/lib/mozilla/native-messaging-hosts/org.mindful_app.mindful.json",
		"-rw-r--r-- /usr/share/man/man1/mindful.1.gz",
		"-rw-r--r-- /usr/share/bash-completion/completions/mindful",
		"-rw-r--r-- /usr/share/zsh/vendor-completions/_mindful",
		"-rw-r--r-- /usr/share/fish/vendor_completions.d/mindful.fish",
	}
	slices.Sort(files)
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Fatalf("dpkg-deb --contents files:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
	}

	// The files themselves: extract and compare with the plan.
	x := filepath.Join(dir, "x")
	dpkgDeb(t, "-x", p, x)
	if b, _ := os.ReadFile(filepath.Join(x, "usr/bin/mindful")); string(b) != "#!/bin/sh\necho mindful 9.8.7\n" {
		t.Errorf("packaged binary %q", b)
	}
	entry, _ := os.ReadFile(filepath.Join(x, "etc/xdg/autostart/mindful.desktop"))
	if !strings.Contains(string(entry), "\nExec=/usr/bin/mindful run\n") {
		t.Errorf("autostart entry:\n%s", entry)
	}
	ff, _ := os.ReadFile(filepath.Join(x, "usr/lib/mozilla/native-messaging-hosts/org.mindful_app.mindful.json"))
	if !strings.Contains(string(ff), `"path": "/usr/bin/mindful"`) || !strings.Contains(string(ff), `"mindful@mindful-app.org"`) {
		t.Errorf("firefox host manifest:\n%s", ff)
	}
	// The man page, gzipped; the completion scripts as made.
	zf, err := os.Open(filepath.Join(x, "usr/share/man/man1/mindful.1.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer zf.Close()
	zr, err := gzip.NewReader(zf)
	if err != nil {
		t.Fatalf("man page is not gzipped: %v", err)
	}
	if man, _ := io.ReadAll(zr); string(man) != ".TH MINDFUL 1\n" || zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("man page %q (name %q, time %v)", man, zr.Name, zr.ModTime)
	}
	if b, _ := os.ReadFile(filepath.Join(x, "usr/share/fish/vendor_completions.d/mindful.fish")); string(b) != "complete -c mindful\n" {
		t.Errorf("fish completion %q", b)
	}
	// Everything in /etc is a conffile.
	ctl := filepath.Join(dir, "ctl")
	dpkgDeb(t, "-e", p, ctl)
	cf, _ := os.ReadFile(filepath.Join(ctl, "conffiles"))
	var etc []string
	for _, w := range want {
		if f := strings.Fields(w)[1]; strings.HasPrefix(f, "/etc/") {
			etc = append(etc, f)
		}
	}
	got := strings.Fields(string(cf))
	slices.Sort(got)
	slices.Sort(etc)
	if !slices.Equal(got, etc) {
		t.Errorf("conffiles %v, want %v", got, etc)
	}
}

// standInShare is a /usr/share tree as gendocs makes it, with stand-in
// contents.
func standInShare(t *testing.T) string {
	t.Helper()
	share := t.TempDir()
	for name, content := range map[string]string{
		"man/man1/mindful.1":                     ".TH MINDFUL 1\n",
		"bash-completion/completions/mindful":    "complete -F _mindful mindful\n",
		"zsh/vendor-completions/_mindful":        "#compdef mindful\n",
		"fish/vendor_completions.d/mindful.fish": "complete -c mindful\n",
	} {
		p := filepath.Join(share, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return share
}

func TestVersionAndArch(t *testing.T) {
	for in, want := range map[string]string{"0.1.0": "0.1.0", "v1.2.3": "1.2.3", "1.0~rc1": "1.0~rc1", "2.0+git.abc": "2.0+git.abc"} {
		if got, err := Version(in); err != nil || got != want {
			t.Errorf("Version(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "dev", "1.0-1", "abc123-dirty", "1 0"} {
		if _, err := Version(bad); err == nil {
			t.Errorf("Version(%q) accepted", bad)
		}
	}
	if a, err := Arch("386"); err != nil || a != "i386" {
		t.Errorf("Arch(386) = %q, %v", a, err)
	}
	if _, err := Arch("wasm"); err == nil {
		t.Error("Arch(wasm) accepted")
	}
	if _, err := Build(Options{Binary: "/nonexistent", Version: "1.0"}); err == nil || !strings.Contains(err.Error(), "binary") {
		t.Errorf("Build without a binary: %v", err)
	}
	if _, err := Build(Options{Binary: "deb.go", Version: "1.0", Share: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "man page") {
		t.Errorf("Build without a man page: %v", err)
	}
}

// TestInstallWithDpkg installs a package of the real binary with dpkg -i,
// runs /usr/bin/mindful version, and purges it. It changes the system, so
// it runs only as root with CI=true (a fresh CI machine), never on a
// developer's machine.
func TestInstallWithDpkg(t *testing.T) {
	if os.Getenv("CI") != "true" {
		t.Skip("installs a package system-wide: runs only with CI=true, as root")
	}
	if os.Getuid() != 0 {
		t.Fatal("CI=true but not root: dpkg -i needs root")
	}
	needDpkgDeb(t)
	if err := exec.Command("dpkg", "-s", "mindful").Run(); err == nil {
		t.Fatal("a mindful package is already installed here; refusing to replace it")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "mindful")
	build := exec.Command("go", "build", "-ldflags", "-X github.com/mindful-app/mindful/daemon/version.Version=0.0.1+ci", "-o", bin, "github.com/mindful-app/mindful/cmd/mindful")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	share := filepath.Join(dir, "share")
	gen := exec.Command("go", "run", "github.com/mindful-app/mindful/cmd/mindful/internal/gendocs", "-out", share)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gendocs: %v\n%s", err, out)
	}
	p, err := Build(Options{Binary: bin, Share: share, Version: "0.0.1+ci", OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("dpkg", "--purge", "mindful").CombinedOutput(); err != nil {
			t.Errorf("dpkg --purge mindful: %v\n%s", err, out)
		}
		for _, f := range []string{"/usr/bin/mindful", "/etc/xdg/autostart/mindful.desktop", "/etc/chromium/native-messaging-hosts/org.mindful_app.mindful.json", ManPage, "/usr/share/bash-completion/completions/mindful"} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("after dpkg --purge, %s is still there (%v)", f, err)
			}
		}
	})
	if out, err := exec.Command("dpkg", "-i", p).CombinedOutput(); err != nil {
		t.Fatalf("dpkg -i %s: %v\n%s", p, err, out)
	}
	out, err := exec.Command("/usr/bin/mindful", "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "mindful 0.0.1+ci" {
		t.Fatalf("/usr/bin/mindful version: %q, %v", out, err)
	}
	if out, err := exec.Command("dpkg", "-L", "mindful").CombinedOutput(); err != nil || !strings.Contains(string(out), "/usr/lib/mozilla/native-messaging-hosts/org.mindful_app.mindful.json") || !strings.Contains(string(out), ManPage) {
		t.Fatalf("dpkg -L mindful: %v\n%s", err, out)
	}
	// The installed bash completion loads, and the installed binary
	// answers it: "mindful br<TAB>" completes to break.
	if out, err := exec.Command("bash", "-c", "source /usr/share/bash-completion/completions/mindful && complete -p mindful").CombinedOutput(); err != nil || !strings.Contains(string(out), "__start_mindful") {
		t.Fatalf("bash completion: %q, %v", out, err)
	}
	out, err = exec.Command("/usr/bin/mindful", "__complete", "br").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "break\t") {
		t.Fatalf("mindful __complete br: %q, %v", out, err)
	}
}
