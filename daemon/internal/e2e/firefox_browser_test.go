package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mindful-app/mindful/installer/extpack"
)

const (
	// ffExtID is the gecko id in extension/manifests/firefox.json.
	ffExtID = "mindful@mindful-app.org"
	// ffUUID pins the extension's moz-extension:// origin in the test
	// profile (extensions.webextensions.uuids); a real install gets a random one.
	ffUUID   = "6f1c1f0e-93a4-4c4e-9a57-1c0f3a1d2b7e"
	ffOrigin = "moz-extension://" + ffUUID
)

var (
	ffExtOnce sync.Once
	ffExtDir  string
	ffExtErr  error
)

// firefoxExt builds dist/firefox from the source tree once per test binary.
func firefoxExt(t testing.TB) string {
	t.Helper()
	ffExtOnce.Do(func() {
		ffExtDir = filepath.Join(filepath.Dir(binPath), "ext", "firefox")
		ffExtErr = extpack.Build(filepath.Join(repo, "extension"), ffExtDir, "firefox", "")
	})
	if ffExtErr != nil {
		t.Fatalf("build the Firefox extension: %v", ffExtErr)
	}
	return ffExtDir
}

// firefoxPath finds Debian's firefox-esr. Without it the test skips on a
// developer machine and fails in CI.
func firefoxPath(t testing.TB) string {
	t.Helper()
	return browserPath(t, "Firefox", "MINDFUL_FIREFOX", "/usr/bin/firefox-esr", "firefox-esr")
}

// proxy is the HTTP proxy the test Firefox uses instead of DNS: CONNECT to
// port 443 of a TLS fake host is tunnelled to the fake HTTPS server, plain
// http:// for any fake host goes to the fake HTTP server with its Host
// header, and everything else is refused and recorded.
type proxy struct {
	addr    string
	mu      sync.Mutex
	refused []string
}

func startProxy(t testing.TB, s *sites) *proxy {
	t.Helper()
	p := &proxy{}
	fake := map[string]bool{}
	for _, h := range append(slices.Clone(tlsHosts), httpHosts...) {
		fake[h] = true
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme = "http"
			r.Out.URL.Host = s.httpAddr
			r.Out.Host = r.In.Host
		},
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			host, port, _ := net.SplitHostPort(r.Host)
			if port != "443" || !slices.Contains(tlsHosts, host) {
				p.refuse(w, "CONNECT "+r.Host)
				return
			}
			up, err := net.Dial("tcp", s.httpsAddr)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				up.Close()
				return
			}
			io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n")
			go func() {
				defer up.Close()
				defer conn.Close()
				go func() {
					if n := buf.Reader.Buffered(); n > 0 {
						b, _ := buf.Reader.Peek(n)
						up.Write(b)
					}
					io.Copy(up, conn)
					up.(*net.TCPConn).CloseWrite()
				}()
				io.Copy(conn, up)
			}()
			return
		}
		host := r.URL.Hostname()
		if r.URL.Scheme != "http" || !fake[host] || (r.URL.Port() != "" && r.URL.Port() != "80") {
			p.refuse(w, r.Method+" "+r.URL.String())
			return
		}
		rp.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

func (p *proxy) refuse(w http.ResponseWriter, what string) {
	p.mu.Lock()
	p.refused = append(p.refused, what)
	p.mu.Unlock()
	http.Error(w, "not a test host", http.StatusForbidden)
}

// firefox is a running headless firefox-esr driven over WebDriver BiDi,
// with mindful installed as a temporary add-on.
type firefox struct {
	t       testing.TB
	cmd     *exec.Cmd
	bidi    *bidi
	profile string
	stderr  *syncBuf
	console *syncBuf
	exited  chan struct{}
	stopped bool
}

// ffOptions tunes the test profile.
type ffOptions struct {
	// IdleTimeout is extensions.background.idle.timeout: how long the
	// event page may sit idle before Firefox suspends it (0: Firefox's 30 s).
	IdleTimeout time.Duration
	// ExtraUUIDs pins the origins of further add-ons (gecko id → uuid).
	ExtraUUIDs map[string]string
	// XPI installs the zipped build permanently, as a user of Firefox ESR
	// does with xpinstall.signatures.required=false, instead of the
	// unpacked directory as a temporary add-on.
	XPI bool
	// Profile is the profile directory to use (default: a new one). With
	// Installed, mindful is already in it (installed for good earlier).
	Profile   string
	Installed bool
	// Without leaves mindful out (a browser with no add-on, or only the
	// ones a test installs itself with install).
	Without bool
	// Env is added to Firefox's environment (e.g. HOME, for the
	// native-messaging host manifests in ~/.mozilla).
	Env []string
	// Prefs are further user.js prefs.
	Prefs map[string]any
	// Args are further command-line arguments (e.g.
	// --remote-allow-system-access, for scripts in the browser's chrome).
	Args []string
}

// startFirefox launches headless firefox-esr with a fresh profile whose
// proxy is the fake sites, installs dist/firefox and returns the browser.
func startFirefox(t testing.TB, s *sites, opt ffOptions) *firefox {
	t.Helper()
	bin := firefoxPath(t)
	ext := firefoxExt(t)
	px := startProxy(t, s)
	profile := opt.Profile
	if profile == "" {
		profile = t.TempDir()
	}
	uuids := map[string]string{ffExtID: ffUUID}
	for k, v := range opt.ExtraUUIDs {
		uuids[k] = v
	}
	uuidJSON, _ := json.Marshal(uuids)
	_, port, _ := net.SplitHostPort(px.addr)
	prefs := map[string]any{
		"network.proxy.type":                         1,
		"network.proxy.http":                         "127.0.0.1",
		"network.proxy.http_port":                    mustAtoi(port),
		"network.proxy.ssl":                          "127.0.0.1",
		"network.proxy.ssl_port":                     mustAtoi(port),
		"network.proxy.share_proxy_settings":         false,
		"network.proxy.no_proxies_on":                "",
		"network.proxy.allow_hijacking_localhost":    false,
		"extensions.webextensions.uuids":             string(uuidJSON),
		"services.settings.server":                   "data:,#remote-settings-dummy/v1",
		"app.update.enabled":                         false,
		"app.update.auto":                            false,
		"app.normandy.enabled":                       false,
		"datareporting.policy.dataSubmissionEnabled": false,
		"datareporting.healthreport.uploadEnabled":   false,
		"toolkit.telemetry.enabled":                  false,
		"network.captive-portal-service.enabled":     false,
		"network.connectivity-service.enabled":       false,
		"network.http.speculative-parallel-limit":    0,
		"network.dns.disablePrefetch":                true,
		"network.prefetch-next":                      false,
		"browser.safebrowsing.malware.enabled":       false,
		"browser.safebrowsing.phishing.enabled":      false,
		"browser.safebrowsing.downloads.enabled":     false,
		"browser.shell.checkDefaultBrowser":          false,
		"browser.startup.homepage_override.mstone":   "ignore",
		"browser.startup.page":                       0,
		"browser.newtabpage.enabled":                 false,
		"browser.aboutwelcome.enabled":               false,
		"extensions.getAddons.cache.enabled":         false,
		"extensions.update.enabled":                  false,
		"dom.security.https_first":                   false,
		"dom.security.https_only_mode":               false,
		"xpinstall.signatures.required":              false,
	}
	if opt.IdleTimeout > 0 {
		prefs["extensions.background.idle.timeout"] = int(opt.IdleTimeout.Milliseconds())
	}
	var js strings.Builder
	for k, v := range opt.Prefs {
		prefs[k] = v
	}
	for k, v := range prefs {
		b, _ := json.Marshal(v)
		fmt.Fprintf(&js, "user_pref(%q, %s);\n", k, b)
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(js.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	f := &firefox{t: t, profile: profile, stderr: &syncBuf{}, console: &syncBuf{}, exited: make(chan struct{})}
	f.cmd = exec.Command(bin, append([]string{"--headless", "--no-remote", "--profile", profile, "--remote-debugging-port", "0"}, opt.Args...)...)
	f.cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1", "MOZ_DISABLE_AUTO_SAFE_MODE=1")
	f.cmd.Env = append(f.cmd.Env, opt.Env...)
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	f.cmd.Stderr = pw
	f.cmd.Stdout = pw
	if err := f.cmd.Start(); err != nil {
		t.Fatalf("start firefox: %v", err)
	}
	listening := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(f.stderr, line)
			if m := re.FindStringSubmatch(line); m != nil {
				select {
				case listening <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { f.cmd.Wait(); pw.Close(); close(f.exited) }()
	t.Cleanup(func() {
		f.stop()
		if t.Failed() {
			t.Logf("firefox output:\n%s\npage console:\n%s\nproxy refused: %v", f.stderr, f.console, px.refusedList())
		}
	})
	var url string
	select {
	case url = <-listening:
	case <-f.exited:
		t.Fatalf("firefox exited at start:\n%s", f.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("firefox did not open its BiDi port within 60 s:\n%s", f.stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second) // a loaded machine can take long to start a session
	defer cancel()
	b, err := dialBiDi(ctx, url+"/session", f.event)
	if err != nil {
		t.Fatal(err)
	}
	f.bidi = b
	var sess struct {
		Capabilities struct {
			BrowserName    string `json:"browserName"`
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	if err := b.call(ctx, "session.new", map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{"acceptInsecureCerts": true}}}, &sess); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %s", sess.Capabilities.BrowserName, sess.Capabilities.BrowserVersion)
	if err := b.call(ctx, "session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}, nil); err != nil {
		t.Fatal(err)
	}
	if opt.Installed || opt.Without {
		return f
	}
	extData := map[string]any{"type": "path", "path": ext}
	if opt.XPI {
		xpi := filepath.Join(t.TempDir(), "mindful-firefox.xpi")
		if err := extpack.Zip(ext, xpi); err != nil {
			t.Fatal(err)
		}
		extData = map[string]any{"type": "archivePath", "path": xpi}
	}
	var inst struct {
		Extension string `json:"extension"`
	}
	if err := f.call("webExtension.install", map[string]any{"extensionData": extData, "moz:permanent": opt.XPI}, &inst); err != nil {
		t.Fatalf("install mindful (%v): %v", extData, err)
	}
	if inst.Extension != ffExtID {
		t.Fatalf("installed add-on id %q, want %q", inst.Extension, ffExtID)
	}
	return f
}

func (p *proxy) refusedList() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.refused)
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// install installs the unpacked add-on in dir temporarily and returns its id.
func (f *firefox) install(dir string) string {
	f.t.Helper()
	var r struct {
		Extension string `json:"extension"`
	}
	if err := f.call("webExtension.install", map[string]any{"extensionData": map[string]any{"type": "path", "path": dir}}, &r); err != nil {
		f.t.Fatalf("install %s: %v", dir, err)
	}
	return r.Extension
}

func (f *firefox) call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return f.bidi.call(ctx, method, params, result)
}

// event records pages' console output (shown when a test fails).
func (f *firefox) event(method string, params json.RawMessage) {
	if method != "log.entryAdded" {
		return
	}
	var e struct {
		Level  string `json:"level"`
		Text   string `json:"text"`
		Source struct {
			Context string `json:"context"`
		} `json:"source"`
	}
	if json.Unmarshal(params, &e) == nil {
		fmt.Fprintf(f.console, "%s [%s] %s\n", time.Now().Format("15:04:05.000"), e.Level, e.Text)
	}
}

// stop ends the BiDi session and the browser's process group (SIGTERM,
// then SIGKILL after 5 s).
func (f *firefox) stop() {
	if f.bidi != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		f.bidi.call(ctx, "browser.close", nil, nil)
		cancel()
		f.bidi.close()
		f.bidi = nil
	}
	if f.stopped {
		return
	}
	f.stopped = true
	pgid := f.cmd.Process.Pid
	select {
	case <-f.exited:
	case <-time.After(5 * time.Second):
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-f.exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-f.exited
		}
	}
	// Whatever of the group outlived the main process (its content
	// processes, normally gone with it).
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// ffTab is one top-level browsing context (a tab).
type ffTab struct {
	f      *firefox
	id     string
	navSeq int
}

// tab opens a new tab.
func (f *firefox) tab(t testing.TB) *ffTab {
	t.Helper()
	var r struct {
		Context string `json:"context"`
	}
	if err := f.call("browsingContext.create", map[string]any{"type": "tab"}, &r); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	return &ffTab{f: f, id: r.Context}
}

// navigate loads url in the tab and waits until a new document has
// loaded. BiDi's own wait:"complete" never returns for some navigations that
// a declarativeNetRequest rule redirects to a moz-extension:// page, so the
// old document gets a marker, and the wait is for a complete document
// without it.
func (p *ffTab) navigate(t testing.TB, url string) {
	t.Helper()
	p.navSeq++
	mark := fmt.Sprintf("nav-%d", p.navSeq)
	if _, err := ffTry[any](p, `window.__mindfulNav = '`+mark+`'`); err != nil {
		if err := p.f.call("browsingContext.navigate", map[string]any{"context": p.id, "url": url, "wait": "complete"}, nil); err != nil {
			t.Fatalf("navigate to %s: %v", url, err)
		}
		return
	}
	if err := p.f.call("browsingContext.navigate", map[string]any{"context": p.id, "url": url, "wait": "none"}, nil); err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
	ffPoll[bool](t, p, "the page of "+url+" to load", `window.__mindfulNav !== '`+mark+`' && document.readyState === 'complete'`, 30*time.Second)
}

// reload reloads the tab.
func (p *ffTab) reload(t testing.TB) {
	t.Helper()
	if err := p.f.call("browsingContext.reload", map[string]any{"context": p.id, "wait": "complete"}, nil); err != nil {
		t.Fatalf("reload: %v", err)
	}
}

// openExt brings the tab to one of mindful's pages. BiDi may not navigate
// to moz-extension:// URLs, but a web page may open a web-accessible one
// (the break page), and an extension page may open any other.
func (p *ffTab) openExt(t testing.TB, path string) {
	t.Helper()
	href, _ := ffTry[string](p, `location.href`)
	if !strings.HasPrefix(href, ffOrigin+"/") {
		p.navigate(t, "http://plain.test/to-extension")
		ffEval[any](t, p, `location.assign('`+ffOrigin+`/src/pages/break/break.html')`)
		ffPoll[bool](t, p, "a mindful page", `location.origin === '`+ffOrigin+`' && document.readyState === 'complete'`, 15*time.Second)
	}
	ffEval[any](t, p, `location.assign('`+ffOrigin+path+`')`)
	ffPoll[bool](t, p, path, `location.href.startsWith('`+ffOrigin+path+`') && document.readyState === 'complete'`, 15*time.Second)
}

// ffTry evaluates expr in the tab's page and decodes its JSON value.
func ffTry[T any](p *ffTab, expr string) (T, error) {
	return ffTryWithin[T](p, expr, 30*time.Second)
}

// ffTryWithin is ffTry with its own timeout.
func ffTryWithin[T any](p *ffTab, expr string, timeout time.Duration) (T, error) {
	var out T
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	raw, err := p.f.bidi.evalJSON(ctx, map[string]any{"context": p.id}, expr)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("decode %s: %w", raw, err)
	}
	return out, nil
}

// ffEval evaluates expr in the Firefox tab (evalPage).
func ffEval[T any](t testing.TB, p *ffTab, expr string) T {
	t.Helper()
	return evalPage[T](t, firefoxTab{p}, expr)
}

// ffPoll evaluates expr in the Firefox tab until it is truthy, and returns
// its value (pollPage).
func ffPoll[T any](t testing.TB, p *ffTab, what, expr string, timeout time.Duration) T {
	t.Helper()
	return pollPage[T](t, firefoxTab{p}, what, expr, timeout)
}

// node finds the first element matching the CSS selector.
func (p *ffTab) node(t testing.TB, sel string) map[string]any {
	t.Helper()
	var r struct {
		Nodes []map[string]any `json:"nodes"`
	}
	err := p.f.call("browsingContext.locateNodes", map[string]any{
		"context": p.id, "locator": map[string]any{"type": "css", "value": sel}, "maxNodeCount": 1,
	}, &r)
	if err != nil {
		t.Fatalf("locate %s: %v", sel, err)
	}
	if len(r.Nodes) == 0 {
		t.Fatalf("no element %s", sel)
	}
	return map[string]any{"sharedId": r.Nodes[0]["sharedId"]}
}

// click clicks the element's centre with a real (trusted) mouse click.
func (p *ffTab) click(t testing.TB, sel string) {
	t.Helper()
	ffEval[any](t, p, `document.querySelector(`+jsString(sel)+`).scrollIntoView({block: 'center'})`)
	el := p.node(t, sel)
	err := p.f.call("input.performActions", map[string]any{
		"context": p.id,
		"actions": []any{map[string]any{
			"type": "pointer", "id": "mouse", "parameters": map[string]any{"pointerType": "mouse"},
			"actions": []any{
				map[string]any{"type": "pointerMove", "x": 0, "y": 0, "origin": map[string]any{"type": "element", "element": el}},
				map[string]any{"type": "pointerDown", "button": 0},
				map[string]any{"type": "pointerUp", "button": 0},
			},
		}},
	}, nil)
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// typeText focuses the element and types text with real key presses.
func (p *ffTab) typeText(t testing.TB, sel, text string) {
	t.Helper()
	p.click(t, sel)
	var keys []any
	for _, r := range text {
		keys = append(keys, map[string]any{"type": "keyDown", "value": string(r)}, map[string]any{"type": "keyUp", "value": string(r)})
	}
	err := p.f.call("input.performActions", map[string]any{
		"context": p.id,
		"actions": []any{map[string]any{"type": "key", "id": "keyboard", "actions": keys}},
	}, nil)
	if err != nil {
		t.Fatalf("type into %s: %v", sel, err)
	}
}

// setValue sets a form field's value as a script would, and fires input
// and change events.
func (p *ffTab) setValue(t testing.TB, sel, value string) {
	t.Helper()
	ffEval[any](t, p, `(() => { const el = document.querySelector(`+jsString(sel)+`); el.value = `+jsString(value)+`;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); })()`)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
