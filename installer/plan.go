package installer

import (
	"bytes"
	"embed"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/template"
)

// Names every plan uses.
const (
	// HostName is the native-messaging host's name, in every browser.
	HostName = "org.mindful_app.mindful"
	// ChromeExtensionID is the pinned ID of the Chromium extension (the
	// manifest's "key" fixes it; a test checks the two agree).
	ChromeExtensionID = "lbcebegdchechefjbefnojockkfhgifo"
	// ChromeOrigin is the one origin the Chromium-family manifests admit.
	ChromeOrigin = "chrome-extension://" + ChromeExtensionID + "/"
	// FirefoxAddonID is the Firefox add-on id (browser_specific_settings.gecko.id).
	FirefoxAddonID = "mindful@mindful-app.org"
	// LaunchAgentLabel is the macOS LaunchAgent's label and file name stem.
	LaunchAgentLabel = "org.mindful-app.mindful"
	// RunKey is the Windows registry key (under HKCU) of programs started at login.
	RunKey = `Software\Microsoft\Windows\CurrentVersion\Run`
	// RunValue is mindful's value name under RunKey.
	RunValue = "mindful"
	// RecordFile is where install records what it wrote, in the config directory.
	RecordFile = "install.json"
)

// Browsers lists the browsers a plan can register the host with, in order.
var Browsers = []string{"chrome", "chromium", "edge", "brave", "firefox"}

// Kind says what a planned file or registry value is for.
type Kind string

// The kinds of things a plan writes.
const (
	KindBinary    Kind = "binary"
	KindAutostart Kind = "autostart"
	KindSystemd   Kind = "systemd"
	KindHost      Kind = "native-host"
	KindRecord    Kind = "record"
)

// Env is what a plan is made from. Empty fields take the platform defaults.
type Env struct {
	OS         string // runtime.GOOS of the target: linux, darwin, windows
	Home       string // $HOME, %USERPROFILE%
	ConfigHome string // $XDG_CONFIG_HOME (Linux); default Home/.config
	// ConfigDirs are $XDG_CONFIG_DIRS (Linux), where system-wide autostart
	// entries live (the .deb's); default /etc/xdg.
	ConfigDirs []string
	// AppData and LocalAppData are %APPDATA% and %LOCALAPPDATA% (Windows).
	AppData, LocalAppData string
	// Prefix is the directory the binary goes to: default ~/.local/bin
	// (Linux, macOS), %LOCALAPPDATA%\Programs\mindful (Windows).
	Prefix string
	// Browsers to register the native-messaging host with; nil means all.
	Browsers []string
	// Binary is the binary to install (normally the running executable).
	Binary string
	// Systemd adds a systemd --user unit (Linux, headless setups).
	Systemd bool
}

// EnvFromOS returns the Env of the running process: its OS, its user's
// directories from the environment, and the running executable.
func EnvFromOS() (Env, error) {
	exe, err := os.Executable()
	if err != nil {
		return Env{}, fmt.Errorf("find the running executable: %w", err)
	}
	home := os.Getenv("HOME")
	if runtime.GOOS == "windows" {
		home = os.Getenv("USERPROFILE")
	}
	return Env{
		OS:           runtime.GOOS,
		Home:         home,
		ConfigHome:   os.Getenv("XDG_CONFIG_HOME"),
		ConfigDirs:   filepath.SplitList(os.Getenv("XDG_CONFIG_DIRS")),
		AppData:      os.Getenv("APPDATA"),
		LocalAppData: os.Getenv("LOCALAPPDATA"),
		Binary:       exe,
	}, nil
}

// File is a file a plan writes.
type File struct {
	Path    string      `json:"path"`
	Mode    fs.FileMode `json:"mode"`
	Kind    Kind        `json:"kind"`
	Browser string      `json:"browser,omitempty"`
	// Content is what the file holds; for the binary it is nil and Source
	// names the file to copy.
	Content []byte `json:"-"`
	Source  string `json:"-"`
}

// RegValue is a string value under HKEY_CURRENT_USER that a plan sets.
type RegValue struct {
	Key     string `json:"key"`            // e.g. Software\Microsoft\Windows\CurrentVersion\Run
	Name    string `json:"name,omitempty"` // "" is the key's default value
	Value   string `json:"value"`
	Kind    Kind   `json:"kind"`
	Browser string `json:"browser,omitempty"`
	// OwnKey means the key itself is mindful's (a native-messaging host
	// key): uninstall deletes the key, not just the value.
	OwnKey bool `json:"own_key,omitempty"`
}

// String is the value as regedit would name it.
func (r RegValue) String() string {
	name := r.Name
	if name == "" {
		name = "(Default)"
	}
	return `HKCU\` + r.Key + ` ` + name + ` = ` + r.Value
}

// Plan is everything an install writes for one user.
type Plan struct {
	OS       string     `json:"os"`
	Files    []File     `json:"files"`
	Registry []RegValue `json:"registry,omitempty"`
}

// Only returns the part of p of these kinds.
func (p Plan) Only(kinds ...Kind) Plan {
	out := Plan{OS: p.OS}
	for _, f := range p.Files {
		if slices.Contains(kinds, f.Kind) {
			out.Files = append(out.Files, f)
		}
	}
	for _, r := range p.Registry {
		if slices.Contains(kinds, r.Kind) {
			out.Registry = append(out.Registry, r)
		}
	}
	return out
}

//go:embed templates
var templates embed.FS

var tmpl = template.Must(template.New("").ParseFS(templates, "templates/*"))

func render(name string, data any) []byte {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		panic("installer template " + name + ": " + err.Error()) // the templates are ours and tested
	}
	return b.Bytes()
}

// join joins path elements with the target OS's separator.
func (e Env) join(elem ...string) string {
	if e.OS == "windows" {
		var parts []string
		for _, s := range elem {
			if s = strings.Trim(s, `\/`); s != "" || len(parts) == 0 {
				parts = append(parts, strings.ReplaceAll(s, "/", `\`))
			}
		}
		out := strings.Join(parts, `\`)
		if strings.HasPrefix(elem[0], `\\`) {
			out = `\\` + strings.TrimLeft(out, `\`)
		}
		return out
	}
	return path.Join(elem...)
}

func (e Env) isAbs(p string) bool {
	if e.OS == "windows" {
		return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
	}
	return strings.HasPrefix(p, "/")
}

// check fills in defaults and refuses an Env a plan cannot be made from.
func (e Env) check() (Env, error) {
	switch e.OS {
	case "linux", "darwin", "windows":
	case "freebsd", "openbsd", "netbsd":
		// XDG desktops: the Linux plan fits.
	default:
		return e, fmt.Errorf("installing on %q is not supported (linux, darwin, windows)", e.OS)
	}
	if e.OS == "windows" {
		if e.LocalAppData == "" && e.Home != "" {
			e.LocalAppData = e.join(e.Home, "AppData", "Local")
		}
		if e.AppData == "" && e.Home != "" {
			e.AppData = e.join(e.Home, "AppData", "Roaming")
		}
		if !e.isAbs(e.LocalAppData) || !e.isAbs(e.AppData) {
			return e, errors.New("%LOCALAPPDATA% and %APPDATA% (or %USERPROFILE%) must be set to absolute paths")
		}
	} else if !e.isAbs(e.Home) {
		return e, fmt.Errorf("$HOME must be an absolute path, not %q", e.Home)
	}
	if e.ConfigHome != "" && !e.isAbs(e.ConfigHome) {
		e.ConfigHome = "" // the XDG spec: a relative value is ignored
	}
	if e.ConfigHome == "" {
		e.ConfigHome = e.join(e.Home, ".config")
	}
	dirs := e.ConfigDirs[:0:0]
	for _, d := range e.ConfigDirs {
		if e.isAbs(d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		dirs = []string{"/etc/xdg"}
	}
	e.ConfigDirs = dirs
	if e.Prefix == "" {
		if e.OS == "windows" {
			e.Prefix = e.join(e.LocalAppData, "Programs", "mindful")
		} else {
			e.Prefix = e.join(e.Home, ".local", "bin")
		}
	} else if !e.isAbs(e.Prefix) {
		return e, fmt.Errorf("--prefix %q: want an absolute directory", e.Prefix)
	}
	if e.Browsers == nil {
		e.Browsers = Browsers
	}
	for _, b := range e.Browsers {
		if !slices.Contains(Browsers, b) {
			return e, fmt.Errorf("--browsers: unknown browser %q (known: %s)", b, strings.Join(Browsers, ", "))
		}
	}
	return e, nil
}

// ParseBrowsers parses a --browsers list: comma-separated names from
// Browsers, or "all". Empty means all.
func ParseBrowsers(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" || list == "all" {
		return Browsers, nil
	}
	var out []string
	for _, b := range strings.Split(list, ",") {
		b = strings.ToLower(strings.TrimSpace(b))
		if b == "" {
			continue
		}
		if !slices.Contains(Browsers, b) {
			return nil, fmt.Errorf("--browsers: unknown browser %q (known: %s, or all)", b, strings.Join(Browsers, ", "))
		}
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("--browsers: empty list")
	}
	return out, nil
}

// BinaryPath is where the plan puts the binary.
func BinaryPath(env Env) (string, error) {
	e, err := env.check()
	if err != nil {
		return "", err
	}
	return e.binaryPath(), nil
}

func (e Env) binaryPath() string {
	if e.OS == "windows" {
		return e.join(e.Prefix, "mindful.exe")
	}
	return e.join(e.Prefix, "mindful")
}

// ConfigDir is mindful's per-user config directory, where the install
// record lives: $XDG_CONFIG_HOME/mindful (Linux), ~/Library/Application
// Support/mindful (macOS), %APPDATA%\mindful (Windows).
func ConfigDir(env Env) (string, error) {
	e, err := env.check()
	if err != nil {
		return "", err
	}
	return e.configDir(), nil
}

func (e Env) configDir() string {
	switch e.OS {
	case "windows":
		return e.join(e.AppData, "mindful")
	case "darwin":
		return e.join(e.Home, "Library", "Application Support", "mindful")
	}
	return e.join(e.ConfigHome, "mindful")
}

// PlanInstall is everything `mindful install` writes for env: the binary,
// start at login, one native-messaging manifest per browser (and, on
// Windows, the registry keys that point to them), and the install record.
func PlanInstall(env Env) (Plan, error) {
	e, err := env.check()
	if err != nil {
		return Plan{}, err
	}
	if e.Binary == "" {
		return Plan{}, errors.New("no binary to install")
	}
	bin := e.binaryPath()
	p := Plan{OS: e.OS}
	p.Files = append(p.Files, File{Path: bin, Mode: 0o755, Kind: KindBinary, Source: e.Binary})
	auto := e.autostart(bin)
	p.Files = append(p.Files, auto.Files...)
	p.Registry = append(p.Registry, auto.Registry...)
	if e.Systemd && e.OS != "windows" && e.OS != "darwin" {
		p.Files = append(p.Files, File{
			Path: e.join(e.ConfigHome, "systemd", "user", "mindful.service"), Mode: 0o644, Kind: KindSystemd,
			Content: render("mindful.service", map[string]string{"Exec": systemdQuote(bin)}),
		})
	}
	hosts := e.nativeHosts(bin)
	p.Files = append(p.Files, hosts.Files...)
	p.Registry = append(p.Registry, hosts.Registry...)
	rec, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return Plan{}, err
	}
	p.Files = append(p.Files, File{
		Path: e.join(e.configDir(), RecordFile), Mode: 0o644, Kind: KindRecord, Content: append(rec, '\n'),
	})
	return p, nil
}

// PlanAutostart is just the start-at-login entry for env: it runs
// env.Binary, or the binary at env's prefix if Binary is empty.
func PlanAutostart(env Env) (Plan, error) {
	e, err := env.check()
	if err != nil {
		return Plan{}, err
	}
	bin := e.Binary
	if bin == "" {
		bin = e.binaryPath()
	}
	return e.autostart(bin), nil
}

func (e Env) autostart(bin string) Plan {
	p := Plan{OS: e.OS}
	switch e.OS {
	case "windows":
		p.Registry = append(p.Registry, RegValue{Key: RunKey, Name: RunValue, Value: `"` + bin + `" run`, Kind: KindAutostart})
	case "darwin":
		p.Files = append(p.Files, File{
			Path: e.join(e.Home, "Library", "LaunchAgents", LaunchAgentLabel+".plist"), Mode: 0o644, Kind: KindAutostart,
			Content: render("org.mindful-app.mindful.plist", map[string]string{"Label": LaunchAgentLabel, "Binary": xmlEscape(bin)}),
		})
	default:
		p.Files = append(p.Files, File{
			Path: e.join(e.ConfigHome, "autostart", "mindful.desktop"), Mode: 0o644, Kind: KindAutostart,
			Content: DesktopEntry(bin),
		})
	}
	return p
}

// DesktopEntry is the XDG autostart entry that runs bin (with the tray).
func DesktopEntry(bin string) []byte {
	return render("mindful.desktop", map[string]string{"Exec": desktopExecQuote(bin)})
}

// hiddenDesktopEntry is a user's override that turns a system-wide
// autostart entry off (Hidden=true: "treat as deleted").
func hiddenDesktopEntry(bin string) []byte {
	return append(DesktopEntry(bin), "Hidden=true\n"...)
}

// xdg reports whether start at login is an XDG autostart entry.
func (e Env) xdg() bool { return e.OS != "windows" && e.OS != "darwin" }

// systemAutostart is the first system-wide autostart entry for mindful in
// $XDG_CONFIG_DIRS (the .deb puts one in /etc/xdg/autostart), or "".
func (e Env) systemAutostart() string {
	for _, d := range e.ConfigDirs {
		p := e.join(d, "autostart", "mindful.desktop")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// hostDirs are the per-user native-messaging manifest directories.
func (e Env) hostDir(browser string) string {
	switch e.OS {
	case "darwin":
		as := e.join(e.Home, "Library", "Application Support")
		return map[string]string{
			"chrome":   e.join(as, "Google", "Chrome", "NativeMessagingHosts"),
			"chromium": e.join(as, "Chromium", "NativeMessagingHosts"),
			"edge":     e.join(as, "Microsoft Edge", "NativeMessagingHosts"),
			"brave":    e.join(as, "BraveSoftware", "Brave-Browser", "NativeMessagingHosts"),
			"firefox":  e.join(as, "Mozilla", "NativeMessagingHosts"),
		}[browser]
	case "windows":
		// The manifests live beside the binary; registry keys point at them.
		return e.join(e.Prefix, "native-messaging")
	}
	return map[string]string{
		"chrome":   e.join(e.ConfigHome, "google-chrome", "NativeMessagingHosts"),
		"chromium": e.join(e.ConfigHome, "chromium", "NativeMessagingHosts"),
		"edge":     e.join(e.ConfigHome, "microsoft-edge", "NativeMessagingHosts"),
		"brave":    e.join(e.ConfigHome, "BraveSoftware", "Brave-Browser", "NativeMessagingHosts"),
		"firefox":  e.join(e.Home, ".mozilla", "native-messaging-hosts"),
	}[browser]
}

// windowsHostKeys are the HKCU keys (without the host name) that name the
// manifest on Windows.
var windowsHostKeys = map[string]string{
	"chrome":   `Software\Google\Chrome\NativeMessagingHosts`,
	"chromium": `Software\Chromium\NativeMessagingHosts`,
	"edge":     `Software\Microsoft\Edge\NativeMessagingHosts`,
	"brave":    `Software\BraveSoftware\Brave-Browser\NativeMessagingHosts`,
	"firefox":  `Software\Mozilla\NativeMessagingHosts`,
}

// WindowsHostKey is the HKCU key whose default value names the host
// manifest for browser on Windows.
func WindowsHostKey(browser string) string {
	return windowsHostKeys[browser] + `\` + HostName
}

func (e Env) nativeHosts(bin string) Plan {
	p := Plan{OS: e.OS}
	for _, b := range Browsers {
		if !slices.Contains(e.Browsers, b) {
			continue
		}
		name := HostName + ".json"
		if e.OS == "windows" {
			// One file per browser family; Chromium-family ones are identical.
			name = HostName + "." + family(b) + ".json"
		}
		f := File{Path: e.join(e.hostDir(b), name), Mode: 0o644, Kind: KindHost, Browser: b, Content: HostManifest(bin, family(b))}
		if e.OS == "windows" && slices.ContainsFunc(p.Files, func(g File) bool { return g.Path == f.Path }) {
			f = File{} // already planned for another browser of the family
		}
		if f.Path != "" {
			p.Files = append(p.Files, f)
		}
		if e.OS == "windows" {
			p.Registry = append(p.Registry, RegValue{
				Key: windowsHostKeys[b] + `\` + HostName, Value: e.join(e.hostDir(b), name), Kind: KindHost, Browser: b, OwnKey: true,
			})
		}
	}
	return p
}

// family is "firefox" or "chromium": the manifest format a browser reads.
func family(browser string) string {
	if browser == "firefox" {
		return "firefox"
	}
	return "chromium"
}

// HostManifest is the native-messaging host manifest for a browser family
// ("chromium" or "firefox") that starts bin. Chromium-family browsers admit
// exactly ChromeOrigin, Firefox exactly FirefoxAddonID.
func HostManifest(bin, fam string) []byte {
	m := struct {
		Name              string   `json:"name"`
		Description       string   `json:"description"`
		Path              string   `json:"path"`
		Type              string   `json:"type"`
		AllowedOrigins    []string `json:"allowed_origins,omitempty"`
		AllowedExtensions []string `json:"allowed_extensions,omitempty"`
	}{
		Name:        HostName,
		Description: "mindful: hands the browser extension the local mindful daemon's address and a pairing token",
		Path:        bin,
		Type:        "stdio",
	}
	if fam == "firefox" {
		m.AllowedExtensions = []string{FirefoxAddonID}
	} else {
		m.AllowedOrigins = []string{ChromeOrigin}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// SystemHostDirs are the system-wide native-messaging manifest directories
// on Linux (what the .deb installs), by browser.
var SystemHostDirs = map[string]string{
	"chrome":   "/etc/opt/chrome/native-messaging-hosts",
	"chromium": "/etc/chromium/native-messaging-hosts",
	"edge":     "/etc/opt/edge/native-messaging-hosts",
	"brave":    "/etc/opt/brave/native-messaging-hosts",
	"firefox":  "/usr/lib/mozilla/native-messaging-hosts",
}

// PlanSystem is the system-wide Linux install (the .deb): the binary at
// bin (normally /usr/bin/mindful) copied from src, the autostart entry in
// /etc/xdg/autostart and one host manifest per browser.
func PlanSystem(bin, src string) Plan {
	p := Plan{OS: "linux"}
	p.Files = append(p.Files,
		File{Path: bin, Mode: 0o755, Kind: KindBinary, Source: src},
		File{Path: "/etc/xdg/autostart/mindful.desktop", Mode: 0o644, Kind: KindAutostart, Content: DesktopEntry(bin)},
	)
	for _, b := range Browsers {
		p.Files = append(p.Files, File{
			Path: path.Join(SystemHostDirs[b], HostName+".json"), Mode: 0o644, Kind: KindHost, Browser: b,
			Content: HostManifest(bin, family(b)),
		})
	}
	return p
}

// desktopExecQuote quotes a path for an Exec key (Desktop Entry spec,
// "The Exec key"): quoted if it has reserved characters, with ", `, $ and \
// escaped inside the quotes, and every \ doubled again because the value is
// a string.
func desktopExecQuote(s string) string {
	if !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`%=") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteByte('\\')
		case '%':
			b.WriteByte('%') // a field code escape: %% is a literal %
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return strings.ReplaceAll(b.String(), `\`, `\\`)
}

// systemdQuote quotes a path for ExecStart.
func systemdQuote(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\$%") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
