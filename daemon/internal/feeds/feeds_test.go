package feeds

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/regexes.json")

// row is one entry of testdata/urls.json, shared with the extension's tests.
type row struct {
	URL  string  `json:"url"`
	Feed *string `json:"feed"`
	Note string  `json:"note"`
}

func (r row) want() string {
	if r.Feed == nil {
		return ""
	}
	return *r.Feed
}

func loadTable(t testing.TB) []row {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "urls.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatalf("urls.json: %v", err)
	}
	if len(rows) < 80 {
		t.Fatalf("urls.json has %d rows, want at least 80", len(rows))
	}
	return rows
}

// mastodonWith returns the built-in catalog with hosts added to mastodon.
func mastodonWith(hosts ...string) []Feed {
	feeds := Builtin()
	for i := range feeds {
		if feeds[i].ID == "mastodon" {
			feeds[i].Hosts = append(feeds[i].Hosts, hosts...)
		}
	}
	return feeds
}

func TestTable(t *testing.T) {
	rows := loadTable(t)
	m := NewMatcher(Builtin())
	perFeed := map[string][2]int{} // feed -> {feed rows, non-feed rows on its hosts}
	hostFeed := map[string]string{}
	for _, f := range Builtin() {
		for _, h := range f.Hosts {
			hostFeed[h] = f.ID
		}
	}
	for _, r := range rows {
		id, key, ok := m.Match(r.URL)
		if id != r.want() || ok != (r.want() != "") {
			t.Errorf("Match(%q) = %q, %v; want %q (%s)", r.URL, id, ok, r.want(), r.Note)
			continue
		}
		if ok {
			// The hand-rolled URL split agrees with net/url.
			u, err := url.Parse(r.URL)
			if err != nil {
				t.Fatalf("%q: %v", r.URL, err)
			}
			if want := id + " " + NormalizePath(u.EscapedPath()); key != want {
				t.Errorf("Match(%q) key = %q, want %q", r.URL, key, want)
			}
		}
		if !ok && key != "" {
			t.Errorf("Match(%q) gave key %q without a match", r.URL, key)
		}
		if ok {
			c := perFeed[id]
			c[0]++
			perFeed[id] = c
		} else if h, _, ok := splitURL(r.URL); ok {
			if f := hostFeed[strings.ToLower(h)]; f != "" {
				c := perFeed[f]
				c[1]++
				perFeed[f] = c
			}
		}
	}
	// The table covers, for every feed with hosts, both feed URLs and
	// other URLs on the same site.
	for _, f := range Builtin() {
		if len(f.Hosts) == 0 {
			continue
		}
		if c := perFeed[f.ID]; c[0] == 0 || c[1] == 0 {
			t.Errorf("urls.json: feed %q has %d feed rows and %d non-feed rows on its hosts; want both", f.ID, c[0], c[1])
		}
	}
}

// compiledRegexes compiles a feed's DNR regexes the way the rules use them:
// case-insensitively.
func compiledRegexes(t *testing.T, f Feed) []*regexp.Regexp {
	t.Helper()
	var out []*regexp.Regexp
	for _, re := range Regexes(f) {
		out = append(out, regexp.MustCompile("(?i)"+re))
	}
	return out
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(s) })
}

// TestRegexesAgreeWithMatcher checks that the request-level rules agree
// with the matcher: every enabled feed's regexes match a table URL iff the
// table says that feed.
func TestRegexesAgreeWithMatcher(t *testing.T) {
	rows := loadTable(t)
	for _, f := range Builtin() {
		res := compiledRegexes(t, f)
		if len(f.Hosts) > 0 && len(res) < len(f.Paths) {
			t.Errorf("%s: %d regexes for %d paths", f.ID, len(res), len(f.Paths))
		}
		for _, r := range rows {
			if got, want := anyMatch(res, r.URL), r.want() == f.ID; got != want {
				t.Errorf("%s regexes match %q = %v, want %v (%s)", f.ID, r.URL, got, want, r.Note)
			}
		}
	}
}

func TestMastodonWithHost(t *testing.T) {
	feeds := mastodonWith("mastodon.social")
	m := NewMatcher(feeds)
	var mastodon Feed
	for _, f := range feeds {
		if f.ID == "mastodon" {
			mastodon = f
		}
	}
	if err := Validate(mastodon); err != nil {
		t.Fatal(err)
	}
	res := compiledRegexes(t, mastodon)
	for url, want := range map[string]string{
		"https://mastodon.social/home":            "mastodon /home",
		"https://mastodon.social/public":          "mastodon /public",
		"https://mastodon.social/public/local/":   "mastodon /public/local",
		"https://Mastodon.Social/HOME?x=1#y":      "mastodon /home",
		"https://mastodon.social/@Gargron":        "",
		"https://mastodon.social/":                "",
		"https://mastodon.social/public/remote":   "",
		"https://fosstodon.org/home":              "",
		"https://mastodon.social.evil.test/home":  "",
		"https://www.reddit.com/":                 "reddit /",
		"https://mastodon.social/home/x":          "",
		"http://mastodon.social:8080/public#top":  "mastodon /public",
		"https://mastodon.social/deck/home":       "",
		"https://mastodon.social/explore":         "",
		"https://mastodon.social/public/local/xx": "",
	} {
		_, key, _ := m.Match(url)
		if key != want {
			t.Errorf("Match(%q) key = %q, want %q", url, key, want)
		}
		if got := anyMatch(res, url); got != strings.HasPrefix(want, "mastodon ") {
			t.Errorf("mastodon regexes match %q = %v", url, got)
		}
	}
}

func TestVisitKeys(t *testing.T) {
	m := NewMatcher(Builtin())
	groups := [][]string{
		{
			"https://www.reddit.com/r/golang",
			"https://www.reddit.com/r/golang/",
			"https://www.reddit.com/r/golang?sort=new",
			"https://www.reddit.com/r/golang/#top",
			"http://WWW.REDDIT.COM/R/GoLang//",
			"https://www.reddit.com:443//r/golang",
			"https://old.reddit.com/r/golang/",
		},
		{"https://www.reddit.com/", "https://www.reddit.com", "https://www.reddit.com/?feed=home#x", "https://reddit.com//"},
		{"https://news.ycombinator.com/news", "https://news.ycombinator.com/news?p=2", "https://news.ycombinator.com/NEWS/"},
		{"https://www.youtube.com/shorts/abc", "https://m.youtube.com/shorts/ABC/?feature=share"},
		{"https://x.com/home", "https://twitter.com/home?lang=en", "https://x.com/home/#"},
	}
	seen := map[string]int{}
	for gi, g := range groups {
		var first string
		for _, u := range g {
			_, key, ok := m.Match(u)
			if !ok {
				t.Errorf("Match(%q) did not match", u)
				continue
			}
			if first == "" {
				first = key
			} else if key != first {
				t.Errorf("Match(%q) key = %q, want %q like %q", u, key, first, g[0])
			}
		}
		if prev, dup := seen[first]; dup {
			t.Errorf("groups %d and %d share key %q", prev, gi, first)
		}
		seen[first] = gi
	}
	// Different feeds and paths give different keys.
	keys := map[string]string{}
	for _, u := range []string{
		"https://www.reddit.com/", "https://www.reddit.com/r/golang", "https://www.reddit.com/r/golang/new",
		"https://www.reddit.com/r/rust", "https://www.youtube.com/", "https://news.ycombinator.com/",
		"https://news.ycombinator.com/news", "https://news.ycombinator.com/newest", "https://www.facebook.com/",
		"https://www.facebook.com/home.php", "https://www.youtube.com/shorts/a", "https://www.youtube.com/shorts/b",
	} {
		_, key, ok := m.Match(u)
		if !ok {
			t.Fatalf("Match(%q) did not match", u)
		}
		if other, dup := keys[key]; dup {
			t.Errorf("%q and %q share key %q", u, other, key)
		}
		keys[key] = u
	}
	if _, key, _ := m.Match("https://old.reddit.com/R/Golang/?x#y"); key != "reddit /r/golang" {
		t.Errorf("key = %q, want %q", key, "reddit /r/golang")
	}
}

func TestMatchHostPath(t *testing.T) {
	m := NewMatcher(Builtin())
	for _, c := range []struct{ host, path, key string }{
		{"www.reddit.com", "/r/golang/", "reddit /r/golang"},
		{"WWW.Reddit.com", "/R/golang?x=1", "reddit /r/golang"},
		{"www.reddit.com", "", "reddit /"},
		{"www.reddit.com", "/#frag", "reddit /"},
		{"www.reddit.com", "/r/golang/comments/1", ""},
		{"notreddit.com", "/", ""},
		{"", "/", ""},
	} {
		id, key, ok := m.MatchHostPath(c.host, c.path)
		if key != c.key || ok != (c.key != "") || ok && id != "reddit" {
			t.Errorf("MatchHostPath(%q, %q) = %q, %q, %v; want key %q", c.host, c.path, id, key, ok, c.key)
		}
	}
}

func TestMatchOddURLs(t *testing.T) {
	m := NewMatcher(Builtin())
	for url, want := range map[string]string{
		"  https://www.reddit.com/  ":        "reddit /",
		"https://user:pw@www.reddit.com/":    "reddit /",
		"https://www.reddit.com\\r\\golang":  "reddit /r/golang",
		"https://www.reddit.com:99999/":      "",
		"https://www.reddit.com:x/":          "",
		"https://":                           "",
		"https:www.reddit.com":               "",
		"https://[::1]:8080/":                "",
		"https://[::1/":                      "",
		"https://www.reddit.com:/r/golang":   "reddit /r/golang",
		"HtTpS://www.reddit.com/r/popular/x": "reddit /r/popular/x",
	} {
		if _, key, _ := m.Match(url); key != want {
			t.Errorf("Match(%q) key = %q, want %q", url, key, want)
		}
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"":              "/",
		"/":             "/",
		"//":            "/",
		"///":           "/",
		"/R/Golang//":   "/r/golang",
		"/r/golang":     "/r/golang",
		"r/golang/":     "/r/golang",
		"//a//b//c":     "/a/b/c",
		"/%C3%A9":       "/%c3%a9",
		"/Shorts/AbC":   "/shorts/abc",
		"/home.php":     "/home.php",
		"/feed/":        "/feed",
		"/a/b/":         "/a/b",
		"/MiXeD//Case/": "/mixed/case",
	} {
		if got := NormalizePath(in); got != want {
			t.Errorf("NormalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDisabledFeedsDoNotMatch(t *testing.T) {
	feeds := Builtin()
	for i := range feeds {
		if feeds[i].ID == "reddit" {
			feeds[i].Enabled = false
		}
	}
	m := NewMatcher(feeds)
	if id, _, ok := m.Match("https://www.reddit.com/"); ok {
		t.Errorf("disabled reddit matched as %q", id)
	}
	if _, _, ok := m.Match("https://www.youtube.com/"); !ok {
		t.Error("youtube stopped matching")
	}
	if slices.Contains(Hosts(feeds), "www.reddit.com") {
		t.Error("Hosts lists a disabled feed's host")
	}
	if NewMatcher(nil) == nil {
		t.Error("NewMatcher(nil) is nil")
	}
	if _, _, ok := NewMatcher(nil).Match("https://www.reddit.com/"); ok {
		t.Error("empty matcher matched")
	}
}

func TestSharedHostEarlierFeedWins(t *testing.T) {
	m := NewMatcher([]Feed{
		{ID: "a", Name: "A", Hosts: []string{"example.com"}, Paths: []string{"/x"}, Enabled: true},
		{ID: "b", Name: "B", Hosts: []string{"example.com"}, Paths: []string{"/", "/x", "/y/**"}, Enabled: true},
	})
	for url, want := range map[string]string{
		"https://example.com/x":   "a /x",
		"https://example.com/":    "b /",
		"https://example.com/y/z": "b /y/z",
	} {
		if _, key, _ := m.Match(url); key != want {
			t.Errorf("Match(%q) = %q, want %q", url, key, want)
		}
	}
}

func TestHosts(t *testing.T) {
	hosts := Hosts(Builtin())
	if !slices.IsSorted(hosts) {
		t.Error("not sorted")
	}
	if len(slices.Compact(slices.Clone(hosts))) != len(hosts) {
		t.Error("not unique")
	}
	var n int
	for _, f := range Builtin() {
		n += len(f.Hosts)
	}
	if len(hosts) != n {
		t.Errorf("%d hosts, want %d (the built-in hosts are all distinct)", len(hosts), n)
	}
	for _, h := range []string{"www.reddit.com", "news.ycombinator.com", "bsky.app"} {
		if !slices.Contains(hosts, h) {
			t.Errorf("missing %q", h)
		}
	}
	if got := Hosts([]Feed{{ID: "a", Hosts: []string{"B.example", "a.example", "b.example"}, Enabled: true}}); !slices.Equal(got, []string{"a.example", "b.example"}) {
		t.Errorf("Hosts = %q", got)
	}
}

func TestBuiltin(t *testing.T) {
	feeds := Builtin()
	if len(feeds) < 12 {
		t.Fatalf("%d built-in feeds", len(feeds))
	}
	ids := map[string]bool{}
	for _, f := range feeds {
		if err := Validate(f); err != nil {
			t.Errorf("built-in %q: %v", f.ID, err)
		}
		if !f.Enabled || !f.Builtin {
			t.Errorf("built-in %q: Enabled=%v Builtin=%v", f.ID, f.Enabled, f.Builtin)
		}
		if ids[f.ID] {
			t.Errorf("duplicate id %q", f.ID)
		}
		ids[f.ID] = true
	}
	for _, id := range []string{"facebook", "instagram", "x", "reddit", "linkedin", "youtube", "tiktok", "pinterest", "threads", "bluesky", "mastodon", "hackernews"} {
		if !ids[id] {
			t.Errorf("missing built-in feed %q", id)
		}
	}
	// Callers own the result.
	feeds[0].Hosts[0] = "changed.example"
	feeds[0].Paths = append(feeds[0].Paths[:0], "/changed")
	if again := Builtin(); again[0].Hosts[0] == "changed.example" || again[0].Paths[0] == "/changed" {
		t.Error("Builtin shares its slices with callers")
	}
	// The file on disk is the embedded one.
	disk, err := os.ReadFile("catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk, catalogJSON) {
		t.Error("embedded catalog differs from catalog.json")
	}
	// The JSON form carries the documented names.
	b, _ := json.Marshal(Feed{ID: "a", Name: "A", Hosts: []string{}, Paths: []string{"/"}, Enabled: true, Builtin: true})
	if want := `{"id":"a","name":"A","hosts":[],"paths":["/"],"enabled":true,"builtin":true}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

func TestParseCatalogErrors(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{`not json`, "invalid character"},
		{`[]`, "no feeds"},
		{`{}`, "cannot unmarshal"},
		{`[{"id":"a","name":"A","hosts":[],"paths":["/"]},{"id":"a","name":"B","hosts":[],"paths":["/"]}]`, `duplicate id "a"`},
		{`[{"id":"A","name":"A","hosts":[],"paths":["/"]}]`, "id:"},
		{`[{"id":"a","name":"A","hosts":["x.com"],"paths":["/**/x"]}]`, `paths[0]: "**" may only be the last segment`},
	} {
		_, err := parseCatalog([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("parseCatalog(%s) error = %v, want %q", c.in, err, c.err)
		}
	}
	feeds, err := parseCatalog([]byte(`[{"id":"a","name":"A","paths":["/"]}]`))
	if err != nil || len(feeds) != 1 || feeds[0].Hosts == nil || !feeds[0].Enabled || !feeds[0].Builtin {
		t.Errorf("parseCatalog: %+v, %v", feeds, err)
	}
}

func TestValidate(t *testing.T) {
	ok := Feed{ID: "my-feed-2", Name: "My feed", Hosts: []string{"example.com", "m.example.com", "xn--bcher-kva.example"}, Paths: []string{"/", "/home.php", "/r/*", "/r/*/new", "/shorts/**", "/**", "/a%2fb", "/@me", "/feed/update/urn:li:activity:1"}}
	if err := Validate(ok); err != nil {
		t.Fatalf("valid feed: %v", err)
	}
	if err := Validate(Feed{ID: "m", Name: "M", Paths: []string{"/home"}}); err != nil {
		t.Errorf("feed without hosts: %v", err)
	}
	many := ok
	for i := range 200 {
		many.Hosts = append(many.Hosts, fmt.Sprintf("instance%d.example", i))
	}
	if err := Validate(many); err != nil {
		t.Errorf("200 hosts: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*Feed)
		err  string
	}{
		{"empty id", func(f *Feed) { f.ID = "" }, `id: "" must be 1 to 32 characters`},
		{"long id", func(f *Feed) { f.ID = strings.Repeat("a", 33) }, "id: "},
		{"upper id", func(f *Feed) { f.ID = "Reddit" }, `id: "Reddit" may only contain a-z, 0-9 and '-'`},
		{"id space", func(f *Feed) { f.ID = "my feed" }, "id: "},
		{"id underscore", func(f *Feed) { f.ID = "my_feed" }, "id: "},
		{"empty name", func(f *Feed) { f.Name = "" }, "name: "},
		{"blank name", func(f *Feed) { f.Name = "   " }, "name: "},
		{"long name", func(f *Feed) { f.Name = strings.Repeat("é", 65) }, "name: "},
		{"name newline", func(f *Feed) { f.Name = "a\nb" }, "name: "},
		{"upper host", func(f *Feed) { f.Hosts[1] = "M.example.com" }, `hosts[1]: "M.example.com" must be lower case`},
		{"host port", func(f *Feed) { f.Hosts[0] = "example.com:8080" }, `hosts[0]: "example.com:8080" must be a host name without port`},
		{"host scheme", func(f *Feed) { f.Hosts[0] = "https://example.com" }, "hosts[0]: "},
		{"host path", func(f *Feed) { f.Hosts[0] = "example.com/x" }, "hosts[0]: "},
		{"host wildcard", func(f *Feed) { f.Hosts[0] = "*.example.com" }, "hosts[0]: "},
		{"host empty", func(f *Feed) { f.Hosts[0] = "" }, `hosts[0]: "" is empty`},
		{"host empty label", func(f *Feed) { f.Hosts[0] = "example..com" }, "empty label"},
		{"host trailing dot", func(f *Feed) { f.Hosts[0] = "example.com." }, "empty label"},
		{"host dash", func(f *Feed) { f.Hosts[0] = "-example.com" }, "'-'"},
		{"host unicode", func(f *Feed) { f.Hosts[0] = "bücher.example" }, "hosts[0]: "},
		{"host long label", func(f *Feed) { f.Hosts[0] = strings.Repeat("a", 64) + ".com" }, "63"},
		{"host twice", func(f *Feed) { f.Hosts[2] = "example.com" }, `hosts[2]: "example.com" is listed twice`},
		{"host too long for a rule", func(f *Feed) { f.Hosts[0] = strings.Repeat("k", 50) + ".example" }, `hosts[0]: "kkkkk`},
		{"path too long for a rule", func(f *Feed) { f.Paths[1] = "/" + strings.Repeat("s", 40) }, `paths[1]: "/sssss`},
		{"no paths", func(f *Feed) { f.Paths = nil }, "paths: at least one"},
		{"no leading slash", func(f *Feed) { f.Paths[1] = "home" }, `paths[1]: "home" must start with '/'`},
		{"double star not last", func(f *Feed) { f.Paths[1] = "/**/x" }, `paths[1]: "**" may only be the last segment`},
		{"double star middle", func(f *Feed) { f.Paths[2] = "/a/**/b" }, `paths[2]: "**" may only be the last segment`},
		{"empty segment", func(f *Feed) { f.Paths[1] = "/a//b" }, `paths[1]: "/a//b" has an empty segment`},
		{"trailing slash", func(f *Feed) { f.Paths[1] = "/feed/" }, `paths[1]: "/feed/" must not end with '/'`},
		{"upper case", func(f *Feed) { f.Paths[1] = "/Feed" }, `paths[1]: "/Feed" must be lower case`},
		{"partial star", func(f *Feed) { f.Paths[1] = "/r/go*" }, "whole segment"},
		{"query", func(f *Feed) { f.Paths[1] = "/watch?v=1" }, "paths[1]: "},
		{"fragment", func(f *Feed) { f.Paths[1] = "/a#b" }, "paths[1]: "},
		{"space", func(f *Feed) { f.Paths[1] = "/a b" }, "paths[1]: "},
		{"unicode", func(f *Feed) { f.Paths[1] = "/é" }, "percent-encoded"},
		{"backslash", func(f *Feed) { f.Paths[1] = `/a\b` }, "paths[1]: "},
		{"dot segment", func(f *Feed) { f.Paths[1] = "/a/../b" }, "paths[1]: "},
		{"bad escape", func(f *Feed) { f.Paths[1] = "/a%2" }, "escape"},
		{"upper escape", func(f *Feed) { f.Paths[1] = "/a%2F" }, "paths[1]: "},
		{"empty path", func(f *Feed) { f.Paths[1] = "" }, "paths[1]: "},
		{"path twice", func(f *Feed) { f.Paths[1] = "/" }, `paths[1]: "/" is listed twice`},
	} {
		f := ok
		f.Hosts = slices.Clone(ok.Hosts)
		f.Paths = slices.Clone(ok.Paths)
		c.edit(&f)
		err := Validate(f)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: Validate error = %v, want one containing %q", c.name, err, c.err)
		}
	}
}

// regexCase is one entry of testdata/regexes.json, which the extension's
// test reads too: the JS feedRegexes must give the same strings.
type regexCase struct {
	Feed    Feed     `json:"feed"`
	Regexes []string `json:"regexes"`
}

// extraRegexCases exercise cleaning and escaping beyond the built-in catalog.
var extraRegexCases = []Feed{
	{ID: "mastodon", Name: "Mastodon", Hosts: []string{"mastodon.social", "fosstodon.org"}, Paths: []string{"/home", "/public", "/public/local"}, Enabled: true},
	{ID: "split", Name: "Split", Hosts: []string{"a.social.example", "bb.social.example", "social.example", "ccc.social.example", "dddd.social.example", "eeeee.social.example", "other.example", "ffffff.social.example", "localhost", "w.x.y.co.uk", "z.co.uk"}, Paths: []string{"/", "/public/local", "/r/*/**"}, Enabled: true},
	{ID: "edge", Name: "Edge cases", Hosts: []string{"Example.COM", "a-b.example", "example.com", "", "www.example.com", "www.example.com"}, Paths: []string{
		"/", "/home.php", "/a+b/(x)", "/sym/$^[]{}|", "/x/*/y", "/v/**", "/**", "/Upper/Case/", "//double//slash", "/bad/**/x", "/*/*",
	}, Enabled: true},
	{ID: "nohosts", Name: "No hosts", Hosts: []string{}, Paths: []string{"/"}, Enabled: true},
}

func regexCases() []regexCase {
	var out []regexCase
	for _, f := range append(Builtin(), extraRegexCases...) {
		res := Regexes(f)
		if res == nil {
			res = []string{}
		}
		out = append(out, regexCase{Feed: f, Regexes: res})
	}
	return out
}

// TestRegexesFile keeps testdata/regexes.json, the expected regexes that
// the JS test compares feedRegexes against, in step with Regexes.
// Regenerate with: go test ./daemon/internal/feeds/ -run TestRegexesFile -update
func TestRegexesFile(t *testing.T) {
	want, err := json.MarshalIndent(regexCases(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	path := filepath.Join("testdata", "regexes.json")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./daemon/internal/feeds/ -run TestRegexesFile -update", path)
	}
}

func TestRegexShape(t *testing.T) {
	for _, c := range regexCases() {
		valid := Validate(c.Feed) == nil
		if c.Feed.ID == "split" && !valid {
			t.Errorf("split: %v", Validate(c.Feed))
		}
		for _, re := range c.Regexes {
			if len(re) >= 2048 {
				t.Errorf("%s: regex of %d bytes", c.Feed.ID, len(re))
			}
			if cost := regexCost(re); valid && cost > regexBudget {
				t.Errorf("%s: regex cost %d over the budget %d: %s", c.Feed.ID, cost, regexBudget, re)
			}
			if _, err := regexp.Compile(re); err != nil {
				t.Errorf("%s: %v", c.Feed.ID, err)
			}
			// RE2 syntax (Perl flags, no lookaround), as Chromium parses it.
			if _, err := syntax.Parse(re, syntax.Perl); err != nil {
				t.Errorf("%s: %v", c.Feed.ID, err)
			}
			if strings.ContainsFunc(re, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
				t.Errorf("%s: regexFilter must be printable ASCII: %q", c.Feed.ID, re)
			}
			if !strings.HasPrefix(re, "^https?://") || !strings.HasSuffix(re, "(?:[?#].*)?$") {
				t.Errorf("%s: regex %q is not anchored as expected", c.Feed.ID, re)
			}
		}
	}
	if got := Regexes(Feed{ID: "x", Paths: []string{"/"}}); got != nil {
		t.Errorf("no hosts: %q", got)
	}
	for _, c := range []struct {
		hosts, paths, want []string
	}{
		{[]string{"a.example"}, []string{"/", "/r/*", "/s/**"}, []string{
			`^https?://a\.example(?::\d+)?/*(?:[?#].*)?$`,
			`^https?://a\.example(?::\d+)?/+r/+[^/?#]+/*(?:[?#].*)?$`,
			`^https?://a\.example(?::\d+)?/+s(?:/[^?#]*)?(?:[?#].*)?$`,
		}},
		{[]string{"reddit.com", "www.reddit.com", "m.reddit.com", "other.example", "x.co.uk", "y.co.uk"}, []string{"/"}, []string{
			`^https?://(?:(?:www|m)\.)?reddit\.com(?::\d+)?/*(?:[?#].*)?$`,
			`^https?://other\.example(?::\d+)?/*(?:[?#].*)?$`,
			`^https?://(?:x|y)\.co\.uk(?::\d+)?/*(?:[?#].*)?$`,
		}},
		{[]string{"www.a.example", "localhost", "m.a.example"}, []string{"/x"}, []string{
			`^https?://(?:www|m)\.a\.example(?::\d+)?/+x/*(?:[?#].*)?$`,
			`^https?://localhost(?::\d+)?/+x/*(?:[?#].*)?$`,
		}},
	} {
		if got := Regexes(Feed{Hosts: c.hosts, Paths: c.paths}); !slices.Equal(got, c.want) {
			t.Errorf("Regexes(%q, %q) =\n%q\nwant\n%q", c.hosts, c.paths, got, c.want)
		}
	}
}

// TestRegexesSplitToFit checks that many hosts of one site are split over
// several regexes, each within the budget, that together match exactly
// those hosts.
func TestRegexesSplitToFit(t *testing.T) {
	f := Feed{ID: "many", Paths: []string{"/", "/r/*/rising"}, Enabled: true}
	for i := range 40 {
		f.Hosts = append(f.Hosts, fmt.Sprintf("instance-%02d.social.example", i))
	}
	f.Hosts = append(f.Hosts, "social.example")
	res := Regexes(f)
	if len(res) <= 2 {
		t.Fatalf("%d regexes for 41 hosts", len(res))
	}
	compiled := compiledRegexes(t, f)
	for _, re := range res {
		if cost := regexCost(re); cost > regexBudget {
			t.Errorf("cost %d: %s", cost, re)
		}
	}
	for _, h := range append(slices.Clone(f.Hosts), "instance-40.social.example", "xsocial.example", "social.example.evil") {
		want := slices.Contains(f.Hosts, h)
		for _, u := range []string{"https://" + h + "/", "https://" + h + "/r/golang/rising?x"} {
			if got := anyMatch(compiled, u); got != want {
				t.Errorf("%s: match %v, want %v", u, got, want)
			}
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	rows := loadTable(b)
	m := NewMatcher(Builtin())
	urls := make([]string, len(rows))
	for i, r := range rows {
		urls[i] = r.URL
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Match(urls[i%len(urls)])
	}
}

// builtinModule is the extension's copy of the built-in catalog, as the
// daemon's state lists it (docs/protocol.md `state.feeds`), so that a
// browser that has never reached the daemon still asks "Habit or need?".
const builtinModule = "../../../extension/src/shared/builtin-catalog.js"

// TestBuiltinCatalogModule keeps the extension's built-in catalog in step
// with catalog.json. Regenerate with:
// go test ./daemon/internal/feeds/ -run TestBuiltinCatalogModule -update
func TestBuiltinCatalogModule(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("// Generated from daemon/internal/feeds/catalog.json by\n")
	b.WriteString("// `go test ./daemon/internal/feeds/ -run TestBuiltinCatalogModule -update`: do not edit.\n")
	b.WriteString("// The built-in feeds as the daemon's state lists them, used until the first\n")
	b.WriteString("// state arrives, so that a browser that never reached mindful still asks.\n\n")
	b.WriteString("export const BUILTIN_FEEDS = Object.freeze([\n")
	for _, f := range Builtin() {
		line, err := json.Marshal(struct {
			ID      string   `json:"id"`
			Name    string   `json:"name"`
			Hosts   []string `json:"hosts"`
			Paths   []string `json:"paths"`
			Enabled bool     `json:"enabled"`
		}{f.ID, f.Name, append([]string{}, f.Hosts...), f.Paths, true})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  Object.freeze(%s),\n", line)
	}
	b.WriteString("]);\n")
	if *update {
		if err := os.WriteFile(builtinModule, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(builtinModule)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is stale: run go test ./daemon/internal/feeds/ -run TestBuiltinCatalogModule -update", builtinModule)
	}
}

// TestFeedIDTable checks ValidID, and Validate's id check, against
// testdata/feed_ids.json, which the extension's tests read too.
func TestFeedIDTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "feed_ids.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		ID   string `json:"id"`
		OK   bool   `json:"ok"`
		Note string `json:"note"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, r := range rows {
		if got := ValidID(r.ID); got != r.OK {
			t.Errorf("ValidID(%q) = %v, want %v (%s)", r.ID, got, r.OK, r.Note)
		}
		err := Validate(Feed{ID: r.ID, Name: "A feed", Hosts: []string{"a.example"}, Paths: []string{"/"}})
		if idErr := err != nil && strings.HasPrefix(err.Error(), "id: "); idErr == r.OK {
			t.Errorf("Validate with id %q: %v, want an id error: %v (%s)", r.ID, err, !r.OK, r.Note)
		}
	}
}
