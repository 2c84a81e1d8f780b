package extpack_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/installer/extpack"
)

// unzipTo extracts the zip file src into dir and returns its entry names.
func unzipTo(t *testing.T, src, dir string) []string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") {
			t.Fatalf("unsafe entry %q", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// xpi builds the Firefox add-on from the extension source in ext and
// returns the .xpi's bytes.
func xpi(t *testing.T, ext, version string) []byte {
	t.Helper()
	tmp := t.TempDir()
	if err := extpack.Build(ext, filepath.Join(tmp, "firefox"), "firefox", version); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(tmp, "mindful-firefox.xpi")
	if err := extpack.Zip(filepath.Join(tmp, "firefox"), p); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSourceZipRebuildsTheXPI: the source archive holds what add-on review
// needs, and building from it gives the very same .xpi bytes.
func TestSourceZipRebuildsTheXPI(t *testing.T) {
	repo := filepath.Join("..", "..")
	ver, err := extpack.Version(realExt)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "mindful-source-"+ver+".zip")
	if err := extpack.SourceZip(repo, src, ver); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	names := unzipTo(t, src, out)
	if !slices.IsSorted(names) {
		t.Errorf("entries not sorted")
	}
	for _, want := range []string{"BUILD.md", "go.mod", "extension/manifests/base.json", "extension/manifests/firefox.json",
		"extension/src/background/main.js", "extension/package.json", "installer/extpack/extpack.go", "installer/cmd/extpack/main.go",
		"daemon/internal/feeds/catalog.json"} {
		if !slices.Contains(names, want) {
			t.Errorf("source archive lacks %s", want)
		}
	}
	for _, n := range names {
		if strings.Contains(n, "node_modules/") || strings.Contains("/"+n, "/.") {
			t.Errorf("source archive holds %s", n)
		}
		if !strings.HasPrefix(n, "extension/") && !strings.HasPrefix(n, "installer/") && !slices.Contains([]string{"BUILD.md", "go.mod", "go.sum", "daemon/internal/feeds/catalog.json"}, n) {
			t.Errorf("source archive holds %s, which the build does not need", n)
		}
	}
	notes, err := os.ReadFile(filepath.Join(out, "BUILD.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(notes), "go run ./installer/cmd/extpack -src extension -out dist -version "+ver) ||
		!strings.Contains(string(notes), "mindful-firefox-"+ver+".xpi") {
		t.Errorf("BUILD.md does not say how to rebuild version %s:\n%s", ver, notes)
	}
	if a, b := xpi(t, realExt, ver), xpi(t, filepath.Join(out, "extension"), ver); !bytes.Equal(a, b) {
		t.Errorf("the .xpi rebuilt from the source archive differs (%d vs %d bytes)", len(a), len(b))
	}
}

// TestXPI: the Firefox build zipped is an add-on: manifest.json at the
// root, with the gecko id.
func TestXPI(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.xpi")
	if err := os.WriteFile(p, xpi(t, realExt, ""), 0o644); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var man []byte
	for _, f := range zr.File {
		if f.Name == "manifest.json" {
			rc, _ := f.Open()
			man, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	if man == nil {
		t.Fatal("no manifest.json at the root of the .xpi")
	}
	m := unmarshal(t, man)
	if id, _ := lookup(m, "browser_specific_settings.gecko.id"); id != "mindful@mindful-app.org" {
		t.Errorf("gecko id %v", id)
	}
}

func TestSourceFilesMissingRoot(t *testing.T) {
	_, err := extpack.SourceFiles(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "extension") {
		t.Fatalf("SourceFiles of an empty dir: %v, want an error naming what is missing", err)
	}
}
