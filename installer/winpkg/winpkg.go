// Package winpkg builds mindful's Windows release from a cross-built
// mindful.exe: a zip holding the exe, and a per-user MSI made with Debian's
// wixl (package wixl, from msitools) from mindful.wxs.
//
// The MSI installs to %LOCALAPPDATA%\Programs\mindful with no administrator
// rights, adds a Start menu entry, starts mindful at login (the Run value)
// and registers the native-messaging host with every browser `mindful
// install` knows. Its host manifests name the exe by a path relative to
// themselves, which Chromium and Firefox both allow on Windows, so the
// package holds them as plain files.
package winpkg

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"text/template"
	"time"

	"github.com/mindful-app/mindful/installer"
)

//go:embed mindful.wxs
var wxs string

var wxsTmpl = template.Must(template.New("mindful.wxs").Parse(wxs))

// Options say what to build.
type Options struct {
	Exe     string // the cross-built mindful.exe
	Version string // x.y.z (an MSI's ProductVersion is numeric)
	OutDir  string
	Arch    string // default amd64
}

// Result names what Build wrote.
type Result struct {
	Zip, MSI string
}

var numericVersion = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,5}$`)

// hostKey is one browser's registry key for the native-messaging host
// and the manifest file (in the install folder) it names.
type hostKey struct{ Key, File string }

// Source returns the WiX source for version. wixl takes the exe and the two
// host manifests from the directory it runs in.
func Source(version string) ([]byte, error) {
	if !numericVersion.MatchString(version) {
		return nil, fmt.Errorf("version %q: an MSI wants a numeric x.y.z version", version)
	}
	var keys []hostKey
	for _, b := range installer.Browsers {
		fam := "chromium"
		if b == "firefox" {
			fam = "firefox"
		}
		keys = append(keys, hostKey{Key: installer.WindowsHostKey(b), File: installer.HostName + "." + fam + ".json"})
	}
	var out bytes.Buffer
	err := wxsTmpl.Execute(&out, map[string]any{
		"Version":          version,
		"Exe":              "mindful.exe",
		"ChromiumManifest": installer.HostName + ".chromium.json",
		"FirefoxManifest":  installer.HostName + ".firefox.json",
		"HostName":         installer.HostName,
		"RunKey":           installer.RunKey,
		"RunValue":         installer.RunValue,
		"HostKeys":         keys,
	})
	return out.Bytes(), err
}

// Build writes mindful_VERSION_windows_ARCH.zip and .msi to o.OutDir.
func Build(o Options) (Result, error) {
	if o.Arch == "" {
		o.Arch = "amd64"
	}
	if o.Exe == "" || o.OutDir == "" {
		return Result{}, errors.New("winpkg: Exe and OutDir are required")
	}
	exe, err := os.ReadFile(o.Exe)
	if err != nil {
		return Result{}, err
	}
	if len(exe) < 2 || string(exe[:2]) != "MZ" {
		return Result{}, fmt.Errorf("%s is not a Windows executable", o.Exe)
	}
	stem := filepath.Join(o.OutDir, fmt.Sprintf("mindful_%s_windows_%s", o.Version, o.Arch))
	res := Result{Zip: stem + ".zip", MSI: stem + ".msi"}

	work, err := os.MkdirTemp("", "winpkg-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(work)
	files := map[string][]byte{
		"mindful.exe":                         exe,
		installer.HostName + ".chromium.json": installer.HostManifest("mindful.exe", "chromium"),
		installer.HostName + ".firefox.json":  installer.HostManifest("mindful.exe", "firefox"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(work, name), b, 0o644); err != nil {
			return Result{}, err
		}
	}
	src, err := Source(o.Version)
	if err != nil {
		return Result{}, err
	}
	wxsPath := filepath.Join(work, "mindful.wxs")
	if err := os.WriteFile(wxsPath, src, 0o644); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return Result{}, err
	}
	arch := map[string]string{"amd64": "x64", "arm64": "arm64", "386": "x86"}[o.Arch]
	msi, err := filepath.Abs(res.MSI)
	if err != nil {
		return Result{}, err
	}
	cmd := exec.Command("wixl", "-a", arch, "-o", msi, "mindful.wxs")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return Result{}, errors.New("wixl is not installed (apt-get install wixl)")
		}
		return Result{}, fmt.Errorf("wixl: %v\n%s", err, out)
	}
	if err := writeZip(res.Zip, "mindful.exe", exe); err != nil {
		return Result{}, err
	}
	return res, nil
}

// writeZip writes a zip of one file, dated now.
func writeZip(path, name string, b []byte) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now().UTC()})
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, bytes.NewReader(b)); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
