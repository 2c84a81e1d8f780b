package extpack

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sourceRoots are what rebuilding the extension needs, relative to the
// module root: the extension (manifests, src, tests, npm lock) and the Go
// program that assembles it.
var sourceRoots = []string{"extension", "installer/extpack", "installer/cmd/extpack", "daemon/internal/feeds/catalog.json", "go.mod", "go.sum"}

// SourceFiles lists the files add-on review needs to rebuild the extension
// from the module root repo: every file under the sourceRoots except
// dotfiles and node_modules/. Paths are slash-separated, relative to repo,
// sorted.
func SourceFiles(repo string) ([]string, error) {
	var files []string
	for _, root := range sourceRoots {
		top := filepath.Join(repo, filepath.FromSlash(root))
		if _, err := os.Stat(top); err != nil {
			return nil, fmt.Errorf("extension source: %w", err)
		}
		err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != top && (strings.HasPrefix(name, ".") || (d.IsDir() && name == "node_modules")) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				rel, _ := filepath.Rel(repo, path)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("extension source: %w", err)
		}
	}
	return files, nil
}

// SourceZip writes the source archive that Firefox add-on review asks for
// to dst: SourceFiles(repo) plus BUILD.md, which says how to rebuild the
// .xpi of the given version from them.
func SourceZip(repo, dst, version string) error {
	files, err := SourceFiles(repo)
	if err != nil {
		return err
	}
	entries := []zipEntry{{name: "BUILD.md", data: []byte(strings.ReplaceAll(buildNotes, "VERSION", version))}}
	for _, f := range files {
		entries = append(entries, zipEntry{name: f, path: filepath.Join(repo, filepath.FromSlash(f))})
	}
	return writeZip(entries, dst)
}

// buildNotes is BUILD.md in the source archive.
const buildNotes = `# Building mindful's Firefox add-on (version VERSION) from source

The add-on is not minified, transpiled or bundled: every file in
mindful-firefox-VERSION.xpi except manifest.json is a file of extension/src/
copied unchanged. manifest.json is extension/manifests/base.json deep-merged
with extension/manifests/firefox.json, its host lists ("{{catalog_hosts}}")
filled in, plus the "launch" ruleset that rules/launch.json holds: both
generated from the built-in feed catalog, daemon/internal/feeds/catalog.json.

## Requirements

- Go 1.26 or newer (https://go.dev/dl/). The builder uses only Go's standard
  library; nothing is downloaded.
- Optional, for the lint: Node.js 18+ and npm.

## Build

From the directory that holds this file:

    go run ./installer/cmd/extpack -src extension -out dist -version VERSION

This writes dist/firefox/ (the unpacked add-on), dist/mindful-firefox-VERSION.xpi
(the same files zipped with manifest.json at the root, sorted, with fixed
timestamps, so the build is byte-for-byte reproducible) and the Chromium build
beside them.

## Lint

    cd extension && npm ci && npx web-ext lint --source-dir ../dist/firefox
`
