package extpack

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// CatalogHostsMarker, as an element of any array in the manifest sources,
// stands for the built-in catalog's hosts: render replaces it with one match
// pattern per host, "*://<host>/*" (http and https, every path), sorted.
// extension/manifests/base.json uses it for host_permissions and for each
// content script's matches, so a new built-in feed takes only catalog.json
// (and the shared URL table) and no hand-kept host list.
const CatalogHostsMarker = "{{catalog_hosts}}"

// HostPatterns returns the match pattern "*://<host>/*" for each host, in
// the order given.
func HostPatterns(hosts []string) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = "*://" + h + "/*"
	}
	return out
}

// expandCatalogHosts replaces CatalogHostsMarker in every array of manifest
// m (at any depth) with the catalog's host patterns. A manifest that uses
// the marker without a catalog beside extDir is an error: the extension
// would lose its hosts.
func expandCatalogHosts(extDir string, m map[string]any) error {
	if !usesMarker(m) {
		return nil
	}
	hosts, err := CatalogHosts(extDir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the manifest lists %s but there is no catalog at %s", CatalogHostsMarker, filepath.Join(extDir, catalogPath))
	}
	if err != nil {
		return err
	}
	patterns := HostPatterns(hosts)
	for k, v := range m {
		m[k] = replaceMarker(v, patterns)
	}
	return nil
}

// usesMarker reports whether v holds CatalogHostsMarker in an array.
func usesMarker(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if usesMarker(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if e == CatalogHostsMarker || usesMarker(e) {
				return true
			}
		}
	}
	return false
}

// replaceMarker returns v with each CatalogHostsMarker element of an array
// replaced by patterns. It builds new maps and arrays, so values shared with
// the parsed manifest sources are never changed in place.
func replaceMarker(v any, patterns []string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = replaceMarker(e, patterns)
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if e == CatalogHostsMarker {
				for _, p := range patterns {
					out = append(out, p)
				}
				continue
			}
			out = append(out, replaceMarker(e, patterns))
		}
		return out
	}
	return v
}
