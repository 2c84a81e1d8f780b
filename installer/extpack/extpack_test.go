package extpack_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/installer/extpack"
)

// realExt is the repository's extension source.
const realExt = "../../extension"

// writeTree creates files (slash paths relative to root, with contents).
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every regular file under root by slash path.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// newExt makes an extension source dir with these manifests
// (manifests/<name>.json) and src files.
func newExt(t *testing.T, manifests map[string]string, src map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for name, m := range manifests {
		files["manifests/"+name+".json"] = m
	}
	for name, c := range src {
		files["src/"+name] = c
	}
	writeTree(t, dir, files)
	return dir
}

func unmarshal(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return m
}

// lookup follows a dotted path of object keys.
func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = o[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func TestManifestMerge(t *testing.T) {
	tests := []struct {
		name, base, over, want string
	}{
		{
			name: "nested objects merge key by key",
			base: `{"a":{"x":1,"y":{"p":1,"q":2}},"keep":true}`,
			over: `{"a":{"y":{"q":3,"r":4},"z":5}}`,
			want: `{"a":{"x":1,"y":{"p":1,"q":3,"r":4},"z":5},"keep":true}`,
		},
		{
			name: "arrays replace",
			base: `{"permissions":["storage","tabs","idle"],"o":{"list":[1,2,3]}}`,
			over: `{"permissions":["alarms"],"o":{"list":[]}}`,
			want: `{"permissions":["alarms"],"o":{"list":[]}}`,
		},
		{
			name: "scalars replace",
			base: `{"name":"base","n":1,"b":true,"o":{"s":"x"}}`,
			over: `{"name":"over","n":2.5,"b":false,"o":{"s":"y"}}`,
			want: `{"name":"over","n":2.5,"b":false,"o":{"s":"y"}}`,
		},
		{
			name: "an object replaces a scalar and the reverse",
			base: `{"a":"scalar","b":{"x":1},"c":[1],"d":{"x":1}}`,
			over: `{"a":{"x":1},"b":"scalar","c":{"x":1},"d":[1]}`,
			want: `{"a":{"x":1},"b":"scalar","c":{"x":1},"d":[1]}`,
		},
		{
			name: "null replaces",
			base: `{"a":{"x":1},"b":2}`,
			over: `{"a":null}`,
			want: `{"a":null,"b":2}`,
		},
		{
			name: "new keys are added at every level",
			base: `{"a":{"x":1}}`,
			over: `{"a":{"y":2},"b":{"c":{"d":3}}}`,
			want: `{"a":{"x":1,"y":2},"b":{"c":{"d":3}}}`,
		},
		{
			name: "empty overlay",
			base: `{"a":{"x":[1,{"y":2}]},"version":"1.0"}`,
			over: `{}`,
			want: `{"a":{"x":[1,{"y":2}]},"version":"1.0"}`,
		},
		{
			name: "objects inside arrays do not merge",
			base: `{"a":[{"x":1,"y":2}]}`,
			over: `{"a":[{"x":3}]}`,
			want: `{"a":[{"x":3}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newExt(t, map[string]string{"base": tt.base, "test": tt.over}, nil)
			b, err := extpack.Manifest(dir, "test", "")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(b, []byte("}\n")) || !bytes.HasPrefix(b, []byte("{\n  ")) {
				t.Errorf("manifest is not indented JSON ending in a newline:\n%s", b)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if got := unmarshal(t, b); !reflect.DeepEqual(got, want) {
				t.Errorf("merged manifest:\n%s\nwant %s", b, tt.want)
			}
			// Merging twice gives the same bytes (map order does not leak).
			b2, err := extpack.Manifest(dir, "test", "")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, b2) {
				t.Errorf("two renderings differ:\n%s\n%s", b, b2)
			}
		})
	}
}

func TestManifestErrors(t *testing.T) {
	tests := []struct {
		name      string
		manifests map[string]string
		browser   string
		sub       string // the error names this file
	}{
		{"no base", map[string]string{"chrome": `{}`}, "chrome", "base.json"},
		{"unknown browser", map[string]string{"base": `{}`, "chrome": `{}`}, "safari", "safari.json"},
		{"malformed base", map[string]string{"base": `{"a":`, "chrome": `{}`}, "chrome", "base.json"},
		{"malformed overlay", map[string]string{"base": `{}`, "chrome": `{"a":1,}`}, "chrome", "chrome.json"},
		{"base is an array", map[string]string{"base": `[]`, "chrome": `{}`}, "chrome", "base.json"},
		{"overlay is a string", map[string]string{"base": `{}`, "chrome": `"x"`}, "chrome", "chrome.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newExt(t, tt.manifests, nil)
			b, err := extpack.Manifest(dir, tt.browser, "")
			if err == nil {
				t.Fatalf("Manifest succeeded:\n%s", b)
			}
			if !strings.Contains(err.Error(), tt.sub) {
				t.Errorf("error %q does not name %s", err, tt.sub)
			}
			out := filepath.Join(t.TempDir(), "out")
			if err := extpack.Build(dir, out, tt.browser, ""); err == nil {
				t.Errorf("Build succeeded")
			}
		})
	}
}

func TestManifestVersion(t *testing.T) {
	dir := newExt(t, map[string]string{
		"base":   `{"name":"x","version":"0.1.0"}`,
		"chrome": `{"version":"0.0.9"}`,
	}, nil)
	tests := []struct {
		version string
		want    string // "" means rejected
	}{
		{"", "0.0.9"}, // no override: the merged base and overlay
		{"0.1.0", "0.1.0"},
		{"1.2.3.4", "1.2.3.4"},
		{"7", "7"},
		{"10.20", "10.20"},
		{"0.1.0-dev", ""},
		{"x", ""},
		{"v1.0", ""},
		{"1.2.3.4.5", ""},
		{"1..2", ""},
		{".1", ""},
		{"1.", ""},
		{" 1.0", ""},
		{"1.0\n", ""},
		{"1.0+build", ""},
		{"-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			b, err := extpack.Manifest(dir, "chrome", tt.version)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("version %q accepted:\n%s", tt.version, b)
				}
				if !strings.Contains(err.Error(), "version") {
					t.Errorf("error %q does not say it is about the version", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := unmarshal(t, b)["version"]; got != tt.want {
				t.Errorf("version = %v, want %s", got, tt.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	tests := []struct {
		name, base, want string
	}{
		{"set", `{"version":"1.2.3"}`, "1.2.3"},
		{"missing", `{"name":"x"}`, ""},
		{"empty", `{"version":""}`, ""},
		{"not a string", `{"version":1}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newExt(t, map[string]string{"base": tt.base}, nil)
			v, err := extpack.Version(dir)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Version = %q, want an error", v)
				}
				if !strings.Contains(err.Error(), "base.json") {
					t.Errorf("error %q does not name base.json", err)
				}
				return
			}
			if err != nil || v != tt.want {
				t.Errorf("Version = %q, %v; want %q", v, err, tt.want)
			}
		})
	}

	t.Run("real extension", func(t *testing.T) {
		v, err := extpack.Version(realExt)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range extpack.Browsers {
			m, err := extpack.Manifest(realExt, b, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := unmarshal(t, m)["version"]; got != v {
				t.Errorf("%s manifest version = %v, want base's %s", b, got, v)
			}
		}
	})
}

func TestRealManifests(t *testing.T) {
	if !slices.Equal(extpack.Browsers, []string{"chrome", "firefox"}) {
		t.Errorf("Browsers = %v", extpack.Browsers)
	}
	render := func(t *testing.T, browser string) map[string]any {
		t.Helper()
		b, err := extpack.Manifest(realExt, browser, "")
		if err != nil {
			t.Fatal(err)
		}
		m := unmarshal(t, b)
		if m["manifest_version"] != 3.0 {
			t.Errorf("manifest_version = %v, want 3", m["manifest_version"])
		}
		for _, k := range []string{"name", "version", "action.default_popup", "options_ui.page"} {
			if v, _ := lookup(m, k); v == nil || v == "" {
				t.Errorf("%s manifest has no %s", browser, k)
			}
		}
		return m
	}

	t.Run("chrome", func(t *testing.T) {
		m := render(t, "chrome")
		if key, _ := m["key"].(string); len(key) < 100 {
			t.Errorf("key = %v, want the pinned public key", m["key"])
		}
		if sw, _ := lookup(m, "background.service_worker"); sw == nil || sw == "" {
			t.Errorf("no background.service_worker")
		}
		for _, k := range []string{"background.scripts", "browser_specific_settings"} {
			if v, ok := lookup(m, k); ok {
				t.Errorf("chrome manifest has %s = %v", k, v)
			}
		}
	})

	t.Run("firefox", func(t *testing.T) {
		m := render(t, "firefox")
		scripts, _ := lookup(m, "background.scripts")
		if s, ok := scripts.([]any); !ok || len(s) == 0 {
			t.Errorf("background.scripts = %v, want a list", scripts)
		}
		if id, _ := lookup(m, "browser_specific_settings.gecko.id"); id == nil || id == "" {
			t.Errorf("no browser_specific_settings.gecko.id")
		}
		csp, _ := lookup(m, "content_security_policy.extension_pages")
		if s, _ := csp.(string); !strings.Contains(s, "ws://127.0.0.1:*") {
			t.Errorf("CSP %q does not allow ws://127.0.0.1:*", csp)
		}
		for _, k := range []string{"key", "background.service_worker"} {
			if v, ok := lookup(m, k); ok {
				t.Errorf("firefox manifest has %s = %v", k, v)
			}
		}
	})
}

// referenced lists the files a rendered manifest points at.
func referenced(t *testing.T, m map[string]any) []string {
	t.Helper()
	var refs []string
	for _, k := range []string{"background.service_worker", "action.default_popup", "options_ui.page"} {
		if v, ok := lookup(m, k); ok {
			refs = append(refs, v.(string))
		}
	}
	if v, ok := lookup(m, "background.scripts"); ok {
		for _, s := range v.([]any) {
			refs = append(refs, s.(string))
		}
	}
	for _, k := range []string{"icons", "action.default_icon"} {
		if v, ok := lookup(m, k); ok {
			if o, ok := v.(map[string]any); ok {
				for _, s := range o {
					refs = append(refs, s.(string))
				}
			} else {
				refs = append(refs, v.(string))
			}
		}
	}
	return refs
}

func TestBuildRealExtension(t *testing.T) {
	for _, browser := range extpack.Browsers {
		t.Run(browser, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), browser)
			if err := extpack.Build(realExt, out, browser, ""); err != nil {
				t.Fatal(err)
			}
			want, err := extpack.Manifest(realExt, browser, "")
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(out, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("manifest.json differs from Manifest():\n%s\nwant\n%s", got, want)
			}
			refs := referenced(t, unmarshal(t, got))
			if len(refs) < 3 {
				t.Fatalf("manifest references only %v", refs)
			}
			for _, r := range refs {
				fi, err := os.Stat(filepath.Join(out, filepath.FromSlash(r)))
				if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
					t.Errorf("manifest references %s, not a non-empty file in the build (%v)", r, err)
				}
			}
			// Only manifest.json, the generated launch ruleset and src/ are shipped.
			for name := range readTree(t, out) {
				if name != "manifest.json" && name != extpack.LaunchRulesPath && !strings.HasPrefix(name, "src/") {
					t.Errorf("build contains %s", name)
				}
				if strings.Contains("/"+name, "/.") {
					t.Errorf("build contains dotfile %s", name)
				}
			}
		})
	}
}

func TestBuild(t *testing.T) {
	src := map[string]string{
		"background/main.js":         "import './util.js';\n",
		"background/util.js":         "export const x = 1;\n",
		"pages/popup/popup.html":     "<!doctype html><script src=popup.js></script>\n",
		"pages/popup/popup.js":       "console.log('popup');\n",
		"pages/options/options.html": "<!doctype html>\n",
		"empty.txt":                  "",
		".DS_Store":                  "junk",
		"background/.main.js.swp":    "junk",
		".git/config":                "junk",
		"pages/.cache/x.js":          "junk",
	}
	dir := newExt(t, map[string]string{
		"base": `{"manifest_version":3,"name":"t","version":"1.0",
			"action":{"default_popup":"src/pages/popup/popup.html"},
			"options_ui":{"page":"src/pages/options/options.html"}}`,
		"chrome": `{"background":{"service_worker":"src/background/main.js"}}`,
	}, src)
	// Things beside src/ are not part of the extension.
	writeTree(t, dir, map[string]string{"README.md": "x", "test/a.test.js": "x", "package.json": "{}"})

	out := filepath.Join(t.TempDir(), "dist", "chrome")
	// Stale output from an earlier build.
	writeTree(t, out, map[string]string{"stale.txt": "old", "src/removed.js": "old", "manifest.json": "{}"})

	if err := extpack.Build(dir, out, "chrome", "2.0"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for name, c := range src {
		if !strings.Contains("/"+name, "/.") {
			want["src/"+name] = c
		}
	}
	man, err := extpack.Manifest(dir, "chrome", "2.0")
	if err != nil {
		t.Fatal(err)
	}
	want["manifest.json"] = string(man)
	got := readTree(t, out)
	if !maps.Equal(got, want) {
		t.Errorf("build has files %v\nwant %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for _, r := range referenced(t, unmarshal(t, man)) {
		if _, ok := got[r]; !ok {
			t.Errorf("manifest references %s, missing from the build", r)
		}
	}

	t.Run("rebuild removes stale files", func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, "src", "background", "util.js")); err != nil {
			t.Fatal(err)
		}
		writeTree(t, dir, map[string]string{"src/new.js": "new\n"})
		if err := extpack.Build(dir, out, "chrome", ""); err != nil {
			t.Fatal(err)
		}
		got := readTree(t, out)
		if _, ok := got["src/background/util.js"]; ok {
			t.Errorf("a file deleted from src/ survived the rebuild")
		}
		if got["src/new.js"] != "new\n" {
			t.Errorf("src/new.js = %q after rebuild", got["src/new.js"])
		}
		if v := unmarshal(t, []byte(got["manifest.json"]))["version"]; v != "1.0" {
			t.Errorf("rebuilt version = %v, want 1.0", v)
		}
	})

	t.Run("failed build keeps the previous output", func(t *testing.T) {
		before := readTree(t, out)
		if err := extpack.Build(dir, out, "chrome", "bad"); err == nil {
			t.Fatal("Build with version \"bad\" succeeded")
		}
		if after := readTree(t, out); !maps.Equal(before, after) {
			t.Errorf("a failed build changed the output: %v, was %v", slices.Sorted(maps.Keys(after)), slices.Sorted(maps.Keys(before)))
		}
	})
}

func TestZip(t *testing.T) {
	files := map[string]string{
		"manifest.json": `{"name":"t"}`,
		"a.txt":         "a dot",
		"a/b.js":        "a slash",
		"a-b":           "a dash",
		"z/y/x.css":     strings.Repeat("body{}\n", 1000),
		"empty":         "",
		"B.txt":         "upper",
	}
	dir := filepath.Join(t.TempDir(), "chrome")
	writeTree(t, dir, files)

	tmp := t.TempDir()
	first := filepath.Join(tmp, "new", "dir", "one.zip")
	if err := extpack.Zip(dir, first); err != nil {
		t.Fatal(err)
	}
	one, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("deterministic", func(t *testing.T) {
		// The same files elsewhere, written later, with other times.
		other := filepath.Join(t.TempDir(), "copy")
		writeTree(t, other, files)
		old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		for name := range files {
			if err := os.Chtimes(filepath.Join(other, filepath.FromSlash(name)), old, old); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range []string{dir, other} {
			p := filepath.Join(t.TempDir(), "x.zip")
			if err := extpack.Zip(d, p); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, one) {
				t.Errorf("zip of %s differs from the first zip (%d vs %d bytes)", d, len(b), len(one))
			}
		}
	})

	t.Run("entries", func(t *testing.T) {
		zr, err := zip.OpenReader(first)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		var names []string
		got := map[string]string{}
		stamp := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, f := range zr.File {
			names = append(names, f.Name)
			if f.FileInfo().IsDir() {
				t.Errorf("directory entry %s", f.Name)
			}
			if !f.Modified.Equal(stamp) {
				t.Errorf("%s modified %v, want %v", f.Name, f.Modified, stamp)
			}
			if f.Method != zip.Deflate {
				t.Errorf("%s method %d, want deflate", f.Name, f.Method)
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			got[f.Name] = string(b)
		}
		if !slices.IsSorted(names) {
			t.Errorf("entries not sorted: %v", names)
		}
		// Byte order, not walk order: "a.txt" < "a/b.js" because '.' < '/'.
		want := []string{"B.txt", "a-b", "a.txt", "a/b.js", "empty", "manifest.json", "z/y/x.css"}
		if !slices.Equal(names, want) {
			t.Errorf("entries = %v, want %v", names, want)
		}
		if !maps.Equal(got, files) {
			t.Errorf("unzipped contents differ from the directory")
		}
	})

	t.Run("built extension round-trips", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "firefox")
		if err := extpack.Build(realExt, out, "firefox", ""); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "ff.zip")
		if err := extpack.Zip(out, p); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.OpenReader(p)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		got := map[string]string{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			got[f.Name] = string(b)
		}
		want := readTree(t, out)
		if !maps.Equal(got, want) {
			t.Errorf("zip has %v\nbuild has %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
		if _, ok := got["manifest.json"]; !ok {
			t.Errorf("zip has no manifest.json at its root")
		}
	})

	t.Run("missing dir", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "x.zip")
		if err := extpack.Zip(filepath.Join(t.TempDir(), "nope"), p); err == nil {
			t.Fatal("Zip of a missing dir succeeded")
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("a failed Zip left %s (%v)", p, err)
		}
	})
}

// TestLaunchRuleset: the build carries the launch ruleset, generated from
// the built-in catalog: one gate over every catalog host, enabled in the
// manifest; Chromium's keeps the URL for the pinned extension id.
func TestLaunchRuleset(t *testing.T) {
	hosts, err := extpack.CatalogHosts(realExt)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"www.reddit.com", "x.com", "news.ycombinator.com", "bsky.app"} {
		if !slices.Contains(hosts, h) {
			t.Errorf("catalog hosts lack %s: %v", h, hosts)
		}
	}
	for _, browser := range extpack.Browsers {
		out := t.TempDir()
		if err := extpack.Build(realExt, out, browser, ""); err != nil {
			t.Fatal(err)
		}
		var man struct {
			DNR struct {
				Resources []struct {
					ID      string `json:"id"`
					Enabled bool   `json:"enabled"`
					Path    string `json:"path"`
				} `json:"rule_resources"`
			} `json:"declarative_net_request"`
		}
		b, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
		if err := json.Unmarshal(b, &man); err != nil {
			t.Fatal(err)
		}
		if len(man.DNR.Resources) != 1 || man.DNR.Resources[0].ID != extpack.LaunchRulesetID || !man.DNR.Resources[0].Enabled {
			t.Fatalf("%s: rule_resources %+v", browser, man.DNR.Resources)
		}
		var rules []struct {
			ID       int `json:"id"`
			Priority int `json:"priority"`
			Action   struct {
				Redirect map[string]string `json:"redirect"`
			} `json:"action"`
			Condition struct {
				RequestDomains []string `json:"requestDomains"`
				ResourceTypes  []string `json:"resourceTypes"`
			} `json:"condition"`
		}
		rb, err := os.ReadFile(filepath.Join(out, man.DNR.Resources[0].Path))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(rb, &rules); err != nil {
			t.Fatal(err)
		}
		if len(rules) != 1 || !slices.Equal(rules[0].Condition.RequestDomains, hosts) || !slices.Equal(rules[0].Condition.ResourceTypes, []string{"main_frame"}) ||
			rules[0].Priority != extpack.LaunchGatePriority {
			t.Fatalf("%s: rules %s", browser, rb)
		}
		want := "chrome-extension://lbcebegdchechefjbefnojockkfhgifo/src/pages/break/break.html?k=mindful-gate&u=\\0"
		if browser == "firefox" {
			want = "/src/pages/break/break.html?k=mindful-gate"
			if got := rules[0].Action.Redirect["extensionPath"]; got != want {
				t.Fatalf("firefox gate to %q, want %q", got, want)
			}
		} else if got := rules[0].Action.Redirect["regexSubstitution"]; got != want {
			t.Fatalf("chrome gate to %q, want %q", got, want)
		}
	}
}
