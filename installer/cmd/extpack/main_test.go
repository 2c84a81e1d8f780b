package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun: one run writes both builds, their zips, the .xpi and the source
// archive, all named with the version; a "v" prefix is the caller's to drop.
func TestRun(t *testing.T) {
	out := t.TempDir()
	if err := run(filepath.Join("..", "..", "..", "extension"), out, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"chrome/manifest.json", "firefox/manifest.json",
		"mindful-chrome-1.2.3.zip", "mindful-firefox-1.2.3.zip",
		"mindful-firefox-1.2.3.xpi", "mindful-source-1.2.3.zip",
	} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	zr, err := zip.OpenReader(filepath.Join(out, "mindful-firefox-1.2.3.xpi"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "manifest.json" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"version": "1.2.3"`) {
				t.Errorf("the .xpi's manifest does not carry version 1.2.3")
			}
			return
		}
	}
	t.Error("no manifest.json at the root of the .xpi")
}

func TestRunBadVersion(t *testing.T) {
	err := run(filepath.Join("..", "..", "..", "extension"), t.TempDir(), "0.1.0-dirty")
	if err == nil || !strings.Contains(err.Error(), `"0.1.0-dirty"`) {
		t.Fatalf("run with version 0.1.0-dirty: %v, want an error naming it", err)
	}
}
