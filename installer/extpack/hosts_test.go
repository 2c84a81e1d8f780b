package extpack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mindful-app/mindful/installer/extpack"
)

// TestManifestHostsCoverTheCatalog: the rendered manifests' host lists are
// generated from the built-in catalog. host_permissions and every content
// script's matches hold exactly one "*://<host>/*" per catalog host, sorted,
// and nothing else: no blanket host permission, no marker left.
func TestManifestHostsCoverTheCatalog(t *testing.T) {
	hosts, err := extpack.CatalogHosts(realExt)
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) < 30 {
		t.Fatalf("only %d catalog hosts: %v", len(hosts), hosts)
	}
	want := extpack.HostPatterns(hosts)
	for _, browser := range extpack.Browsers {
		b, err := extpack.Manifest(realExt, browser, "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), extpack.CatalogHostsMarker) {
			t.Errorf("%s: the manifest still holds %s", browser, extpack.CatalogHostsMarker)
		}
		var man struct {
			HostPermissions         []string `json:"host_permissions"`
			OptionalHostPermissions []string `json:"optional_host_permissions"`
			ContentScripts          []struct {
				Matches []string `json:"matches"`
				JS      []string `json:"js"`
			} `json:"content_scripts"`
		}
		if err := json.Unmarshal(b, &man); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(man.HostPermissions, want) {
			t.Errorf("%s: host_permissions %v, want %v", browser, man.HostPermissions, want)
		}
		if len(man.ContentScripts) != 2 {
			t.Fatalf("%s: %d content scripts, want 2", browser, len(man.ContentScripts))
		}
		for _, cs := range man.ContentScripts {
			if !slices.Equal(cs.Matches, want) {
				t.Errorf("%s: content script %v matches %v, want %v", browser, cs.JS, cs.Matches, want)
			}
		}
		for _, h := range []string{"www.reddit.com", "reddit.com", "x.com", "news.ycombinator.com", "bsky.app", "www.youtube.com"} {
			if !slices.Contains(man.HostPermissions, "*://"+h+"/*") {
				t.Errorf("%s: host_permissions lack %s", browser, h)
			}
		}
		if !slices.Equal(man.OptionalHostPermissions, []string{"*://*/*"}) {
			t.Errorf("%s: optional_host_permissions %v: user-added hosts are asked for at run time", browser, man.OptionalHostPermissions)
		}
	}
}

// TestCatalogHostsMarker: the marker stands for the catalog's host patterns
// wherever an array holds it, beside other elements; a manifest that uses it
// without a catalog does not build.
func TestCatalogHostsMarker(t *testing.T) {
	root := t.TempDir()
	ext := filepath.Join(root, "extension")
	writeTree(t, root, map[string]string{
		"daemon/internal/feeds/catalog.json": `[{"id":"b","hosts":["b.example","www.b.example"]},{"id":"a","hosts":["a.example","b.example"]}]`,
		"extension/manifests/base.json": `{"version":"1.0","host_permissions":["{{catalog_hosts}}","*://extra.example/*"],` +
			`"content_scripts":[{"matches":["{{catalog_hosts}}"],"js":["x.js"]}],"permissions":["storage"],` +
			`"web_accessible_resources":[{"resources":["p.html"],"matches":["<all_urls>"]}]}`,
		"extension/manifests/chrome.json": `{}`,
		"extension/src/x.js":              ``,
	})
	b, err := extpack.Manifest(ext, "chrome", "")
	if err != nil {
		t.Fatal(err)
	}
	m := unmarshal(t, b)
	hosts := []any{"*://a.example/*", "*://b.example/*", "*://www.b.example/*"}
	if got, _ := lookup(m, "host_permissions"); !slices.Equal(got.([]any), append(slices.Clone(hosts), "*://extra.example/*")) {
		t.Errorf("host_permissions %v", got)
	}
	cs, _ := lookup(m, "content_scripts")
	if got := cs.([]any)[0].(map[string]any)["matches"]; !slices.Equal(got.([]any), hosts) {
		t.Errorf("content script matches %v", got)
	}
	if got, _ := lookup(m, "permissions"); !slices.Equal(got.([]any), []any{"storage"}) {
		t.Errorf("permissions %v: arrays without the marker stay as they are", got)
	}
	war, _ := lookup(m, "web_accessible_resources")
	if got := war.([]any)[0].(map[string]any)["matches"]; !slices.Equal(got.([]any), []any{"<all_urls>"}) {
		t.Errorf("web_accessible_resources matches %v", got)
	}

	// The same manifest with no catalog beside it: an error that says why.
	lone := t.TempDir()
	writeTree(t, lone, map[string]string{
		"manifests/base.json":   `{"version":"1.0","host_permissions":["{{catalog_hosts}}"]}`,
		"manifests/chrome.json": `{}`,
	})
	if _, err := extpack.Manifest(lone, "chrome", ""); err == nil || !strings.Contains(err.Error(), extpack.CatalogHostsMarker) {
		t.Errorf("no catalog: err %v, want one naming %s", err, extpack.CatalogHostsMarker)
	}
	if err := extpack.Build(lone, filepath.Join(t.TempDir(), "out"), "chrome", ""); err == nil {
		t.Error("Build without a catalog succeeded")
	}

	// Without the marker, no catalog is needed (an extension tree outside the module).
	writeTree(t, lone, map[string]string{"manifests/base.json": `{"version":"1.0","host_permissions":["*://a.example/*"]}`})
	if _, err := extpack.Manifest(lone, "chrome", ""); err != nil {
		t.Errorf("no marker, no catalog: %v", err)
	}
	if _, err := os.Stat(filepath.Join(lone, "..", "daemon")); err == nil {
		t.Fatal("test setup: a catalog beside the lone tree")
	}
}
