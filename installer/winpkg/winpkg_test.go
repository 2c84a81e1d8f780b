package winpkg

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/installer"
)

func TestSourceIsWiX(t *testing.T) {
	src, err := Source("1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Product struct {
			Version string `xml:"Version,attr"`
			Package struct {
				Scope string `xml:"InstallScope,attr"`
			} `xml:"Package"`
		} `xml:"Product"`
	}
	if err := xml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, src)
	}
	if doc.Product.Version != "1.2.3" || doc.Product.Package.Scope != "perUser" {
		t.Errorf("Product Version %q, InstallScope %q; want 1.2.3, perUser", doc.Product.Version, doc.Product.Package.Scope)
	}
	for _, b := range installer.Browsers {
		if !strings.Contains(string(src), `Key="`+installer.WindowsHostKey(b)+`"`) {
			t.Errorf("no host key for %s", b)
		}
	}
	for _, v := range []string{"1.2", "v1.2.3", "1.2.3-rc1", ""} {
		if _, err := Source(v); err == nil {
			t.Errorf("Source(%q) accepted a version an MSI cannot carry", v)
		}
	}
}

// TestBuild builds the MSI with the real wixl and reads its tables back
// with msiinfo (both from msitools).
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "mindful.exe")
	if err := os.WriteFile(exe, []byte("MZ stand-in for the cross-built exe"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := Build(Options{Exe: exe, Version: "0.9.1", OutDir: filepath.Join(dir, "dist")})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "dist", "mindful_0.9.1_windows_amd64.msi"); r.MSI != want {
		t.Errorf("MSI at %s, want %s", r.MSI, want)
	}
	table := func(name string) string {
		out, err := exec.Command("msiinfo", "export", r.MSI, name).CombinedOutput()
		if err != nil {
			t.Fatalf("msiinfo export %s: %v\n%s", name, err, out)
		}
		return string(out)
	}
	files := table("File")
	for _, f := range []string{"mindful.exe", installer.HostName + ".chromium.json", installer.HostName + ".firefox.json"} {
		if !strings.Contains(files, f) {
			t.Errorf("File table lacks %s:\n%s", f, files)
		}
	}
	reg := table("Registry")
	for _, want := range []string{installer.RunKey + "\t" + installer.RunValue + "\t\"[INSTALLDIR]mindful.exe\" run"} {
		if !strings.Contains(reg, want) {
			t.Errorf("Registry table lacks %q:\n%s", want, reg)
		}
	}
	for _, b := range installer.Browsers {
		if !strings.Contains(reg, installer.WindowsHostKey(b)+"\t\t[INSTALLDIR]"+installer.HostName+".") {
			t.Errorf("Registry table lacks the host key for %s:\n%s", b, reg)
		}
	}
	if sc := table("Shortcut"); !strings.Contains(sc, "mindful") || !strings.Contains(sc, "ProgramMenuFolder") {
		t.Errorf("Shortcut table has no Start menu entry:\n%s", sc)
	}
	if dirs := table("Directory"); !strings.Contains(dirs, "LocalAppDataFolder") {
		t.Errorf("not installed under %%LOCALAPPDATA%%:\n%s", dirs)
	}

	zr, err := zip.OpenReader(r.Zip)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "mindful.exe" {
		t.Fatalf("zip holds %v, want just mindful.exe", zr.File)
	}
	rc, _ := zr.File[0].Open()
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "MZ stand-in for the cross-built exe" {
		t.Errorf("zip's mindful.exe differs from the input")
	}
}
