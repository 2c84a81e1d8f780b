// Package extpack builds loadable browser extensions from the one source in
// extension/: it renders the manifest for each browser (base.json deep-merged
// with the browser's overlay, its host lists filled in from the built-in feed
// catalog: hosts.go), generates the launch ruleset from the same catalog
// (launch.go), copies src/ beside it, and zips the result reproducibly.
package extpack

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Browsers are the targets, each with manifests/<name>.json.
var Browsers = []string{"chrome", "firefox"}

// Manifest returns the rendered manifest.json for browser. A non-empty
// version replaces the one in base.json.
func Manifest(extDir, browser, version string) ([]byte, error) {
	man, _, err := render(extDir, browser, version)
	return man, err
}

// render returns the manifest for browser, its host lists generated
// (hosts.go), and the generated launch ruleset (launch.go; nil without a
// catalog beside extDir).
func render(extDir, browser, version string) (manifest, launch []byte, err error) {
	base, err := readJSON(filepath.Join(extDir, "manifests", "base.json"))
	if err != nil {
		return nil, nil, err
	}
	over, err := readJSON(filepath.Join(extDir, "manifests", browser+".json"))
	if err != nil {
		return nil, nil, err
	}
	m := merge(base, over)
	if version != "" {
		if !versionRe.MatchString(version) {
			return nil, nil, fmt.Errorf("extension version %q: want 1 to 4 dot-separated numbers", version)
		}
		m["version"] = version
	}
	if err := expandCatalogHosts(extDir, m); err != nil {
		return nil, nil, err
	}
	launch, err = addLaunchRuleset(extDir, m)
	if err != nil {
		return nil, nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return append(b, '\n'), launch, nil
}

var versionRe = regexp.MustCompile(`^\d+(\.\d+){0,3}$`)

// Version returns the version in manifests/base.json.
func Version(extDir string) (string, error) {
	base, err := readJSON(filepath.Join(extDir, "manifests", "base.json"))
	if err != nil {
		return "", err
	}
	v, _ := base["version"].(string)
	if v == "" {
		return "", fmt.Errorf("%s: no version", filepath.Join(extDir, "manifests", "base.json"))
	}
	return v, nil
}

func readJSON(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// merge deep-merges over into base: objects merge key by key, anything else
// in over replaces what base has.
func merge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		bo, ok1 := out[k].(map[string]any)
		oo, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			out[k] = merge(bo, oo)
		} else {
			out[k] = v
		}
	}
	return out
}

// Build writes an unpacked extension for browser into outDir, replacing
// what was there: manifest.json plus the src/ tree.
func Build(extDir, outDir, browser, version string) error {
	man, launch, err := render(extDir, browser, version)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(outDir); err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "manifest.json"), man, 0o644); err != nil {
		return err
	}
	if launch != nil {
		rules := filepath.Join(outDir, filepath.FromSlash(LaunchRulesPath))
		if err := os.MkdirAll(filepath.Dir(rules), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(rules, launch, 0o644); err != nil {
			return err
		}
	}
	src := filepath.Join(extDir, "src")
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != src {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(extDir, path)
		dst := filepath.Join(outDir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

// Zip packs dir into the zip file dst, with sorted entries and a fixed
// timestamp, so the same input gives the same bytes. The file is an
// installable extension too: a Firefox .xpi is this zip under another name.
func Zip(dir, dst string) error {
	var entries []zipEntry
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			entries = append(entries, zipEntry{name: filepath.ToSlash(rel), path: path})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeZip(entries, dst)
}

// zipEntry is one file of a zip: read from path, or data when path is "".
type zipEntry struct {
	name string
	path string
	data []byte
}

// writeZip writes entries sorted by name, deflated, with a fixed timestamp.
func writeZip(entries []zipEntry, dst string) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		data := e.data
		if e.path != "" {
			if data, err = os.ReadFile(e.path); err != nil {
				return err
			}
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}
