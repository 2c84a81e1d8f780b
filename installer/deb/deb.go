// Package deb builds mindful's Debian package with Debian's own dpkg-deb.
// The package holds what installer.PlanSystem lays out: /usr/bin/mindful,
// the XDG autostart entry in /etc/xdg/autostart and the native-messaging
// host manifests in each browser's system-wide directory; and, under
// /usr/share, the man page and the bash, zsh and fish completions. It declares the
// runtime libraries the binary links (C library, GTK 3 and
// ayatana-appindicator, for the tray).
package deb

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/mindful-app/mindful/installer"
)

// Depends is the package's Depends field: what the cgo binary links.
// (GTK 3's package is libgtk-3-0t64 on newer Debian and Ubuntu.)
const Depends = "libc6, libgtk-3-0 | libgtk-3-0t64, libayatana-appindicator3-1"

// BinPath is where the package installs the binary.
const BinPath = "/usr/bin/mindful"

// ManPage is where the package installs the man page, compressed as
// Debian policy asks.
const ManPage = "/usr/share/man/man1/mindful.1.gz"

// Options describe the package to build.
type Options struct {
	Binary string // the release binary to package
	// Share is a directory laid out as /usr/share, from
	// `go run ./cmd/mindful/internal/gendocs`: man/man1/mindful.1 and the
	// bash, zsh and fish completion scripts. Man pages are gzipped.
	Share   string
	Version string // e.g. 0.1.0 (a leading v is dropped)
	Arch    string // Debian architecture; default from GOARCH
	OutDir  string // where the .deb goes
}

// Arch is the Debian architecture name for a GOARCH.
func Arch(goarch string) (string, error) {
	a, ok := map[string]string{"amd64": "amd64", "arm64": "arm64", "386": "i386", "arm": "armhf", "riscv64": "riscv64", "ppc64le": "ppc64el", "s390x": "s390x"}[goarch]
	if !ok {
		return "", fmt.Errorf("no Debian architecture for GOARCH %q", goarch)
	}
	return a, nil
}

var versionRe = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

// Version checks a version for the package (a native package: no
// revision, so no hyphen) and drops a leading v.
func Version(v string) (string, error) {
	v = strings.TrimPrefix(v, "v")
	if !versionRe.MatchString(v) {
		return "", fmt.Errorf("package version %q: want a digit first, then letters, digits, '.', '+' or '~' (e.g. 0.1.0)", v)
	}
	return v, nil
}

// Control is the DEBIAN/control file.
func Control(version, arch string, installedKiB int64) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Package: mindful\n")
	fmt.Fprintf(&b, "Version: %s\n", version)
	fmt.Fprintf(&b, "Architecture: %s\n", arch)
	fmt.Fprintf(&b, "Maintainer: mindful developers <dev@mindful-app.org>\n")
	fmt.Fprintf(&b, "Installed-Size: %d\n", installedKiB)
	fmt.Fprintf(&b, "Depends: %s\n", Depends)
	fmt.Fprintf(&b, "Section: utils\n")
	fmt.Fprintf(&b, "Priority: optional\n")
	fmt.Fprintf(&b, "Homepage: https://github.com/mindful-app/mindful\n")
	fmt.Fprintf(&b, "Description: notice habitual social-feed use and take real breaks\n")
	fmt.Fprintf(&b, " mindful asks \"habit or need?\" before a social feed opens and blocks the\n")
	fmt.Fprintf(&b, " feeds during breaks. A local daemon with a tray icon keeps every record in\n")
	fmt.Fprintf(&b, " one SQLite file on this computer; the browser extension (Chromium, Chrome,\n")
	fmt.Fprintf(&b, " Edge, Brave, Firefox) pairs with it through native messaging. Nothing\n")
	fmt.Fprintf(&b, " leaves the machine.\n")
	return b.Bytes()
}

// Build stages the package and runs dpkg-deb; it returns the .deb's path,
// OutDir/mindful_VERSION_ARCH.deb.
func Build(o Options) (string, error) {
	ver, err := Version(o.Version)
	if err != nil {
		return "", err
	}
	if o.Arch == "" {
		if o.Arch, err = Arch(runtime.GOARCH); err != nil {
			return "", err
		}
	}
	if _, err := os.Stat(o.Binary); err != nil {
		return "", fmt.Errorf("binary to package: %w", err)
	}
	if _, err := os.Stat(filepath.Join(o.Share, "man", "man1", "mindful.1")); o.Share == "" || err != nil {
		return "", fmt.Errorf("man page and completions: want %s made by `go run ./cmd/mindful/internal/gendocs -out DIR`", filepath.Join(o.Share, "man/man1/mindful.1"))
	}
	dpkgDeb, err := exec.LookPath("dpkg-deb")
	if err != nil {
		return "", errors.New("dpkg-deb is missing: it is in Debian's dpkg package (apt-get install dpkg)")
	}
	stage, err := os.MkdirTemp("", "mindful-deb-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(stage)
	root := filepath.Join(stage, "root")

	var size int64
	var conffiles []string
	for _, f := range installer.PlanSystem(BinPath, o.Binary).Files {
		dst := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", err
		}
		n, err := writeStaged(dst, f)
		if err != nil {
			return "", err
		}
		size += n
		if strings.HasPrefix(f.Path, "/etc/") {
			conffiles = append(conffiles, f.Path)
		}
	}
	n, err := stageShare(o.Share, filepath.Join(root, "usr", "share"))
	if err != nil {
		return "", err
	}
	size += n
	// Directories dpkg-deb stages keep the umask's modes otherwise.
	if err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(p, 0o755)
		}
		return err
	}); err != nil {
		return "", err
	}
	sort.Strings(conffiles)
	ctl := filepath.Join(root, "DEBIAN")
	if err := os.MkdirAll(ctl, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(ctl, "control"), Control(ver, o.Arch, (size+1023)/1024), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(ctl, "conffiles"), []byte(strings.Join(conffiles, "\n")+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(o.OutDir, fmt.Sprintf("mindful_%s_%s.deb", ver, o.Arch))
	cmd := exec.Command(dpkgDeb, "--root-owner-group", "-Zxz", "--build", root, out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("dpkg-deb --build: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func writeStaged(dst string, f installer.File) (int64, error) {
	if f.Source == "" {
		if err := os.WriteFile(dst, f.Content, f.Mode.Perm()); err != nil {
			return 0, err
		}
		return int64(len(f.Content)), os.Chmod(dst, f.Mode.Perm())
	}
	src, err := os.Open(f.Source)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	w, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, f.Mode.Perm())
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, src)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(dst, f.Mode.Perm()) // the umask must not narrow it
	}
	return n, err
}

// stageShare copies the files under src to dst (mode 0644), gzipping man
// pages (man/...) reproducibly: no name, no time stamp.
func stageShare(src, dst string) (int64, error) {
	var size int64
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(filepath.ToSlash(rel), "man/") {
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			if _, err := zw.Write(b); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
			b, rel = z.Bytes(), rel+".gz"
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(out, b, 0o644); err != nil {
			return err
		}
		size += int64(len(b))
		return os.Chmod(out, 0o644)
	})
	return size, err
}
