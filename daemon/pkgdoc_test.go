package daemon_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestPackageDocs checks that every Go package of the module says what it is
// for: at least one of its non-test files has a package doc comment.
func TestPackageDocs(t *testing.T) {
	root := ".." // the module root, seen from daemon/
	type pkgInfo struct {
		files      []string
		documented bool
	}
	pkgs := map[string]*pkgInfo{} // directory -> package
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Errorf("parse %s: %v", path, err)
			return nil
		}
		dir := filepath.Dir(path)
		p := pkgs[dir]
		if p == nil {
			p = &pkgInfo{}
			pkgs[dir] = p
		}
		p.files = append(p.files, filepath.Base(path))
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			p.documented = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Sanity: the walk saw this package and the module's root layout.
	if p := pkgs[filepath.Join(root, "daemon")]; p == nil || !slices.Contains(p.files, "daemon.go") {
		t.Fatalf("the walk of %s did not find daemon/daemon.go; found %d packages", root, len(pkgs))
	}
	if len(pkgs) < 5 {
		t.Fatalf("found only %d packages under %s", len(pkgs), root)
	}
	var missing []string
	for dir, p := range pkgs {
		if !p.documented {
			rel, _ := filepath.Rel(root, dir)
			missing = append(missing, filepath.ToSlash(rel)+" ("+strings.Join(p.files, ", ")+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("package %s has no package doc comment (\"// Package name ...\" above the package clause of one file)", m)
	}
}
