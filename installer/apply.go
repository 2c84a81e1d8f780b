package installer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Registry is the part of HKEY_CURRENT_USER a plan uses. On Windows it is
// the real registry (WindowsRegistry); tests and other systems pass a fake.
type Registry interface {
	// Get returns the string value name under key, and whether it exists.
	Get(key, name string) (string, bool, error)
	// Set creates key if needed and sets the string value name.
	Set(key, name, value string) error
	// DeleteValue removes a value; a missing one is not an error.
	DeleteValue(key, name string) error
	// DeleteKey removes a key without subkeys; a missing one is not an error.
	DeleteKey(key string) error
}

// Options control Install and Uninstall.
type Options struct {
	// DryRun only reports what would change.
	DryRun bool
	// Out gets one line per file or registry value (nil: discarded).
	Out io.Writer
	// Registry is used for the plan's registry values; nil means the
	// system's (only Windows has one).
	Registry Registry
}

// Change is what Install or Uninstall did (or would do) to one thing.
type Change struct {
	Op   string // "write", "unchanged", "remove", "absent"
	What string // a path, or a registry value as RegValue.String names it
}

func (c Change) line(dry bool) string {
	op := c.Op
	if dry {
		switch op {
		case "write":
			op = "would write"
		case "remove":
			op = "would remove"
		}
	}
	return fmt.Sprintf("%-12s %s", op, c.What)
}

func (o Options) registry(p Plan) (Registry, error) {
	if len(p.Registry) == 0 {
		return nil, nil
	}
	if o.Registry != nil {
		return o.Registry, nil
	}
	if r := systemRegistry(); r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("this plan sets Windows registry values, and this system has no registry")
}

func (o Options) report(cs *[]Change, c Change) {
	*cs = append(*cs, c)
	if o.Out != nil {
		fmt.Fprintln(o.Out, c.line(o.DryRun))
	}
}

// Install writes every file and registry value of p that is missing or
// different, and leaves the rest alone, so a second run changes nothing.
// Files are written to a temporary name and renamed into place; missing
// directories are created (0755).
func Install(p Plan, o Options) ([]Change, error) {
	reg, err := o.registry(p)
	if err != nil {
		return nil, err
	}
	var cs []Change
	for _, f := range p.Files {
		same, err := upToDate(f)
		if err != nil {
			return cs, err
		}
		what := fmt.Sprintf("%s (%04o)", f.Path, f.Mode.Perm())
		if same {
			o.report(&cs, Change{"unchanged", what})
			continue
		}
		if !o.DryRun {
			if err := writeFile(f); err != nil {
				return cs, err
			}
		}
		o.report(&cs, Change{"write", what})
	}
	for _, r := range p.Registry {
		v, ok, err := reg.Get(r.Key, r.Name)
		if err != nil {
			return cs, fmt.Errorf(`read HKCU\%s: %w`, r.Key, err)
		}
		if ok && v == r.Value {
			o.report(&cs, Change{"unchanged", r.String()})
			continue
		}
		if !o.DryRun {
			if err := reg.Set(r.Key, r.Name, r.Value); err != nil {
				return cs, fmt.Errorf(`set HKCU\%s: %w`, r.Key, err)
			}
		}
		o.report(&cs, Change{"write", r.String()})
	}
	return cs, nil
}

// Uninstall removes every file and registry value of p that exists. It
// goes on past a failure (a binary that is running cannot be deleted on
// Windows) and returns every failure at the end; the install record goes
// last, and only if all else went, so that uninstall can be run again. The
// record's directory is removed too if that leaves it empty.
func Uninstall(p Plan, o Options) ([]Change, error) {
	reg, err := o.registry(p)
	if err != nil {
		return nil, err
	}
	var cs []Change
	var errs []error
	var later []string // the running executable (Windows): removed as it exits
	removed := map[string]bool{}
	removeFile := func(f File) {
		_, err := os.Lstat(f.Path)
		if errors.Is(err, fs.ErrNotExist) {
			o.report(&cs, Change{"absent", f.Path})
			return
		}
		if err != nil {
			errs = append(errs, err)
			return
		}
		if f.Kind == KindBinary && runtime.GOOS == "windows" && isRunningExecutable(f.Path) {
			// Windows will not delete the image of a running program.
			later = append(later, f.Path)
			return
		}
		if !o.DryRun {
			if err := os.Remove(f.Path); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", f.Path, err))
				return
			}
		}
		removed[filepath.Dir(f.Path)] = true
		o.report(&cs, Change{"remove", f.Path})
	}
	var records []File
	for _, f := range p.Files {
		if f.Kind == KindRecord {
			records = append(records, f)
			continue
		}
		removeFile(f)
	}
	for _, r := range p.Registry {
		_, ok, err := reg.Get(r.Key, r.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf(`read HKCU\%s: %w`, r.Key, err))
			continue
		}
		if !ok {
			o.report(&cs, Change{"absent", r.String()})
			continue
		}
		if !o.DryRun {
			if r.OwnKey {
				err = reg.DeleteKey(r.Key)
			} else {
				err = reg.DeleteValue(r.Key, r.Name)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf(`remove HKCU\%s: %w`, r.Key, err))
				continue
			}
		}
		o.report(&cs, Change{"remove", r.String()})
	}
	if len(errs) == 0 {
		for _, f := range records {
			removeFile(f)
		}
	}
	if !o.DryRun {
		pruneDirs(removed)
	}
	for _, exe := range later {
		var dirs []string
		if d := filepath.Dir(exe); ownDir(d) {
			dirs = append(dirs, d)
		}
		if !o.DryRun {
			if err := RemoveAfterExit(exe, dirs); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", exe, err))
				continue
			}
		}
		o.report(&cs, Change{"remove", exe + " (as this mindful exits)"})
	}
	return cs, errors.Join(errs...)
}

// ownDir reports whether dir is one of mindful's own directories (the
// Windows install folder …\Programs\mindful and its native-messaging
// folder, the config folder), which uninstall removes once empty. Shared
// ones (~/.local/bin, a browser's NativeMessagingHosts) stay.
func ownDir(dir string) bool {
	base := strings.ToLower(filepath.Base(dir))
	return base == "mindful" || base == "native-messaging"
}

// pruneDirs removes those of dirs (and then of their parents) that are
// mindful's own and empty, deepest first.
func pruneDirs(dirs map[string]bool) {
	var ds []string
	for d := range dirs {
		for ; ownDir(d); d = filepath.Dir(d) {
			ds = append(ds, d)
		}
	}
	slices.SortFunc(ds, func(a, b string) int {
		if n := len(b) - len(a); n != 0 {
			return n
		}
		return strings.Compare(a, b)
	})
	for _, d := range slices.Compact(ds) {
		os.Remove(d) // fails, as it should, if anything is left in it
	}
}

// isRunningExecutable reports whether path is this process's executable.
func isRunningExecutable(path string) bool {
	exe, err := os.Executable()
	if err != nil {
		return false
	}
	a, err := os.Stat(exe)
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// upToDate reports whether f exists with its content and mode.
func upToDate(f File) (bool, error) {
	st, err := os.Stat(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !st.Mode().IsRegular() {
		return false, fmt.Errorf("%s exists and is not a regular file; move it away first", f.Path)
	}
	if st.Mode().Perm() != f.Mode.Perm() {
		return false, nil
	}
	if f.Source != "" {
		src, err := os.Stat(f.Source)
		if err != nil {
			return false, fmt.Errorf("binary to install: %w", err)
		}
		if os.SameFile(src, st) {
			return true, nil // installing the installed binary onto itself
		}
		if src.Size() != st.Size() {
			return false, nil
		}
		return sameContent(f.Source, f.Path)
	}
	if st.Size() != int64(len(f.Content)) {
		return false, nil
	}
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return false, err
	}
	return bytes.Equal(b, f.Content), nil
}

func sameContent(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, eb := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		if ea != nil || eb != nil {
			return errors.Is(ea, io.ErrUnexpectedEOF) || errors.Is(ea, io.EOF), nil
		}
	}
}

// writeFile writes f atomically: a temporary file beside it, then rename.
func writeFile(f File) error {
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.Path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if f.Source != "" {
		src, err := os.Open(f.Source)
		if err != nil {
			tmp.Close()
			return fmt.Errorf("binary to install: %w", err)
		}
		_, err = io.Copy(tmp, src)
		src.Close()
		if err != nil {
			tmp.Close()
			return fmt.Errorf("copy %s to %s: %w", f.Source, f.Path, err)
		}
	} else if _, err := tmp.Write(f.Content); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := tmp.Chmod(f.Mode.Perm()); err != nil {
		tmp.Close()
		return fmt.Errorf("set mode of %s: %w", f.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("install %s: %w", f.Path, err)
	}
	return nil
}

// ReadRecord reads the plan that the last install recorded in env's config
// directory. ok is false if there is none.
func ReadRecord(env Env) (p Plan, ok bool, err error) {
	dir, err := ConfigDir(env)
	if err != nil {
		return Plan{}, false, err
	}
	path := filepath.Join(dir, RecordFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Plan{}, false, nil
	}
	if err != nil {
		return Plan{}, false, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return Plan{}, false, fmt.Errorf("%s is not an install record: %w", path, err)
	}
	// Uninstall deletes what the record lists: only ever mindful's own
	// files and keys, whatever the record says.
	for _, f := range p.Files {
		if f.Path == "" || !filepath.IsAbs(f.Path) && p.OS != "windows" {
			return Plan{}, false, fmt.Errorf("%s names a file without an absolute path", path)
		}
		if !ownFile(f.Path) {
			return Plan{}, false, fmt.Errorf("%s names %s, which is not a file mindful installs", path, f.Path)
		}
	}
	for _, r := range p.Registry {
		if !ownRegValue(r) {
			return Plan{}, false, fmt.Errorf(`%s names HKCU\%s %q, which is not mindful's`, path, r.Key, r.Name)
		}
	}
	p.Files = append(p.Files, File{Path: path, Mode: 0o644, Kind: KindRecord})
	return p, true, nil
}

// ownFile reports whether p is named like a file some plan writes.
func ownFile(p string) bool {
	base := p[strings.LastIndexAny(p, `/\`)+1:]
	switch base {
	case "mindful", "mindful.exe", "mindful.desktop", "mindful.service", LaunchAgentLabel + ".plist", RecordFile:
		return true
	}
	return strings.HasPrefix(base, HostName+".") && strings.HasSuffix(base, ".json")
}

// ownRegValue reports whether r is the Run value or a host key of a plan.
func ownRegValue(r RegValue) bool {
	if r.Key == RunKey {
		return r.Name == RunValue && !r.OwnKey
	}
	for _, k := range windowsHostKeys {
		if r.Key == k+`\`+HostName {
			return true
		}
	}
	return false
}

// PlanUninstall is what `mindful uninstall` removes: what the install
// record lists, or, without a record, what an install for env would write.
func PlanUninstall(env Env) (Plan, error) {
	p, ok, err := ReadRecord(env)
	if err != nil || ok {
		return p, err
	}
	if env.Binary == "" {
		env.Binary = "mindful" // only the paths matter
	}
	return PlanInstall(env)
}

// AutostartEnabled reports whether mindful starts at login for env's user:
// the autostart entry (or Run value) exists. On XDG desktops a system-wide
// entry (the .deb's, in $XDG_CONFIG_DIRS/autostart) counts too, unless the
// user's own entry of the same name hides it.
func AutostartEnabled(env Env) (bool, error) {
	return autostartEnabled(env, nil)
}

func autostartEnabled(env Env, reg Registry) (bool, error) {
	p, err := PlanAutostart(env)
	if err != nil {
		return false, err
	}
	if e, _ := env.check(); e.xdg() {
		b, err := os.ReadFile(p.Files[0].Path)
		if err == nil {
			return !bytes.Contains(b, []byte("\nHidden=true\n")), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		return e.systemAutostart() != "", nil
	}
	for _, f := range p.Files {
		if _, err := os.Stat(f.Path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return false, nil
			}
			return false, err
		}
	}
	if len(p.Registry) > 0 {
		r, err := Options{Registry: reg}.registry(p)
		if err != nil {
			return false, err
		}
		for _, v := range p.Registry {
			if _, ok, err := r.Get(v.Key, v.Name); err != nil || !ok {
				return false, err
			}
		}
	}
	return true, nil
}

// SetAutostart writes (on) or removes (off) just the start-at-login entry
// for env, for the tray's "Start at login" item. The entry runs env.Binary
// (the running executable, from EnvFromOS), or the binary at env's prefix
// if Binary is empty. On XDG desktops with a system-wide entry (the .deb),
// off writes the user's Hidden=true override and on removes it.
func SetAutostart(env Env, on bool) error {
	return setAutostart(env, on, nil)
}

func setAutostart(env Env, on bool, reg Registry) error {
	p, err := PlanAutostart(env)
	if err != nil {
		return err
	}
	if e, _ := env.check(); e.xdg() && e.systemAutostart() != "" {
		if on {
			_, err = Uninstall(p, Options{})
		} else {
			bin := e.Binary
			if bin == "" {
				bin = e.binaryPath()
			}
			p.Files[0].Content = hiddenDesktopEntry(bin)
			_, err = Install(p, Options{})
		}
		return err
	}
	if on {
		_, err = Install(p, Options{Registry: reg})
	} else {
		_, err = Uninstall(p, Options{Registry: reg})
	}
	return err
}
