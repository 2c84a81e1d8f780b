// Package feeds holds mindful's feed catalog and matcher (docs/feeds.md):
// the built-in catalog embedded from catalog.json, validation of user feeds,
// path normalization, URL matching with visit keys, and the RE2 regular
// expressions the extension installs as declarativeNetRequest rules.
//
// The JavaScript twin is extension/src/shared/feeds.js. Both are tested
// against testdata/urls.json, and both must produce the regex strings in
// testdata/regexes.json (regenerate with `go test -run TestRegexesFile -update`).
package feeds

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Feed is one catalog entry: a site's habit-forming pages.
type Feed struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Hosts   []string `json:"hosts"`
	Paths   []string `json:"paths"`
	Enabled bool     `json:"enabled"`
	Builtin bool     `json:"builtin"`
}

//go:embed catalog.json
var catalogJSON []byte

var builtin = sync.OnceValue(func() []Feed {
	feeds, err := parseCatalog(catalogJSON)
	if err != nil {
		panic("feeds: embedded catalog.json: " + err.Error())
	}
	return feeds
})

// parseCatalog parses a catalog file: a JSON list of feeds, each of which
// must validate, with unique ids. The feeds come back enabled and built in.
func parseCatalog(data []byte) ([]Feed, error) {
	var feeds []Feed
	if err := json.Unmarshal(data, &feeds); err != nil {
		return nil, err
	}
	if len(feeds) == 0 {
		return nil, fmt.Errorf("no feeds")
	}
	seen := make(map[string]bool, len(feeds))
	for i := range feeds {
		f := &feeds[i]
		if f.Hosts == nil {
			f.Hosts = []string{}
		}
		if err := Validate(*f); err != nil {
			return nil, fmt.Errorf("feed %d (%q): %w", i, f.ID, err)
		}
		if seen[f.ID] {
			return nil, fmt.Errorf("feed %d: duplicate id %q", i, f.ID)
		}
		seen[f.ID] = true
		f.Enabled = true
		f.Builtin = true
	}
	return feeds, nil
}

// Builtin returns the built-in catalog, parsed from the embedded
// catalog.json: every feed enabled and marked built in. The caller owns the
// returned slices. It panics if the embedded file is broken (a test guards
// against that).
func Builtin() []Feed {
	src := builtin()
	out := make([]Feed, len(src))
	for i, f := range src {
		f.Hosts = slices.Clone(f.Hosts)
		f.Paths = slices.Clone(f.Paths)
		out[i] = f
	}
	return out
}

// MaxIDLen is the longest feed id.
const MaxIDLen = 32

// idRe is what a feed id may be: 1 to MaxIDLen characters a-z, 0-9 and '-'.
// The extension's twin is extension/src/shared/feed-id.js; both are tested
// against testdata/feed_ids.json.
var idRe = regexp.MustCompile(fmt.Sprintf(`^[a-z0-9-]{1,%d}$`, MaxIDLen))

// ValidID reports whether id is a feed id: 1 to MaxIDLen characters a-z,
// 0-9 and '-'. It is the one definition for the daemon (the catalog, user
// feeds and the events the extension sends).
func ValidID(id string) bool { return idRe.MatchString(id) }

// Validate checks a feed as the user may define it: id of 1–32 characters
// [a-z0-9-]; name of 1–64 characters; hosts lower-case DNS names without a
// port (none is allowed: such a feed matches nothing); at least one path, each
// a normalized pattern (docs/feeds.md). The error names the field, e.g.
// `paths[1]: "**" may only be the last segment`.
func Validate(f Feed) error {
	if f.ID == "" || len(f.ID) > MaxIDLen {
		return fmt.Errorf("id: %q must be 1 to %d characters", f.ID, MaxIDLen)
	}
	if !ValidID(f.ID) {
		return fmt.Errorf("id: %q may only contain a-z, 0-9 and '-'", f.ID)
	}
	if n := utf8.RuneCountInString(f.Name); n < 1 || n > 64 || !utf8.ValidString(f.Name) || strings.TrimSpace(f.Name) == "" {
		return fmt.Errorf("name: %q must be 1 to 64 characters", f.Name)
	}
	for _, r := range f.Name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("name: %q contains a control character", f.Name)
		}
	}
	for i, h := range f.Hosts {
		if err := validateHost(h); err != nil {
			return fmt.Errorf("hosts[%d]: %q %s", i, h, err)
		}
		if slices.Index(f.Hosts, h) < i {
			return fmt.Errorf("hosts[%d]: %q is listed twice", i, h)
		}
	}
	if len(f.Paths) == 0 {
		return fmt.Errorf("paths: at least one path pattern is needed")
	}
	for i, p := range f.Paths {
		if err := validatePattern(p); err != nil {
			return fmt.Errorf("paths[%d]: %s", i, err)
		}
		if slices.Index(f.Paths, p) < i {
			return fmt.Errorf("paths[%d]: %q is listed twice", i, p)
		}
	}
	// Every host must fit in a browser rule with every path on its own
	// (Regexes splits host groups to fit, but cannot split one host).
	for j, h := range f.Hosts {
		if c := regexCost(fullRegex(regexp.QuoteMeta(h), pathRegex(pattern{}))); c > regexBudget {
			return fmt.Errorf("hosts[%d]: %q is too long for a browser rule", j, h)
		}
	}
	for i, p := range f.Paths {
		pt, _ := compilePattern(p)
		for _, h := range f.Hosts {
			if c := regexCost(fullRegex(regexp.QuoteMeta(h), pathRegex(pt))); c > regexBudget {
				return fmt.Errorf("paths[%d]: %q is too long for a browser rule on host %q (cost %d, limit %d)", i, p, h, c, regexBudget)
			}
		}
	}
	return nil
}

// validateHost returns why h is not a lower-case DNS host name without port.
func validateHost(h string) error {
	if h == "" {
		return fmt.Errorf("is empty")
	}
	if len(h) > 253 {
		return fmt.Errorf("is longer than 253 characters")
	}
	if strings.ToLower(h) != h {
		return fmt.Errorf("must be lower case")
	}
	if strings.Contains(h, ":") {
		return fmt.Errorf("must be a host name without port or scheme")
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" {
			return fmt.Errorf("has an empty label")
		}
		if len(label) > 63 {
			return fmt.Errorf("has a label longer than 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("has a label that starts or ends with '-'")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("may only contain a-z, 0-9, '-' and '.'")
			}
		}
	}
	return nil
}

// validatePattern returns why p is not a normalized path pattern.
func validatePattern(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("%q must start with '/'", p)
	}
	if p == "/" {
		return nil
	}
	if strings.HasSuffix(p, "/") {
		return fmt.Errorf("%q must not end with '/'", p)
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		switch {
		case s == "":
			return fmt.Errorf("%q has an empty segment", p)
		case s == "**":
			if i != len(segs)-1 {
				return fmt.Errorf(`"**" may only be the last segment`)
			}
			continue
		case s == "*":
			continue
		case s == "." || s == "..":
			return fmt.Errorf("%q has a %q segment", p, s)
		case strings.Contains(s, "*"):
			return fmt.Errorf("%q: '*' must be a whole segment", p)
		}
		for j := 0; j < len(s); j++ {
			c := s[j]
			switch {
			case c >= 'A' && c <= 'Z':
				return fmt.Errorf("%q must be lower case", p)
			case c <= ' ' || c >= 0x7f || strings.IndexByte("\"#<>?\\`{}", c) >= 0:
				r, _ := utf8.DecodeRuneInString(s[j:])
				return fmt.Errorf("%q contains %q, which a URL path never has (write it percent-encoded)", p, r)
			case c == '%':
				if j+2 >= len(s) || !isLowerHex(s[j+1]) || !isLowerHex(s[j+2]) {
					return fmt.Errorf("%q: '%%' must start a lower-case escape like %%2f", p)
				}
			}
		}
	}
	return nil
}

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// NormalizePath normalizes a URL path (docs/feeds.md): lower case, repeated
// slashes collapsed, the trailing slash dropped except for the root "/". An
// empty path is "/". The query and fragment must already be removed.
func NormalizePath(p string) string {
	if isNormalized(p) {
		return p
	}
	p = strings.ToLower(p)
	b := make([]byte, 0, len(p)+1)
	b = append(b, '/')
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && b[len(b)-1] == '/' {
			continue
		}
		b = append(b, p[i])
	}
	if len(b) > 1 && b[len(b)-1] == '/' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// isNormalized reports whether p is already normalized, without allocating.
func isNormalized(p string) bool {
	if p == "/" {
		return true
	}
	if len(p) < 2 || p[0] != '/' || p[len(p)-1] == '/' {
		return false
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		if c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf || c == '/' && p[i-1] == '/' {
			return false
		}
	}
	return true
}

// pattern is a compiled path pattern: its segments, "**" dropped into rest.
type pattern struct {
	segs []string // literal text or "*"
	rest bool     // the pattern ended with "**"
}

// compilePattern normalizes p and splits it; ok is false for a pattern that
// cannot be used ("**" anywhere but last). Matches feeds.js.
func compilePattern(p string) (pattern, bool) {
	n := NormalizePath(p)
	if n == "/" {
		return pattern{}, true
	}
	segs := strings.Split(n[1:], "/")
	for i, s := range segs {
		if s == "**" {
			if i != len(segs)-1 {
				return pattern{}, false
			}
			return pattern{segs: segs[:i], rest: true}, true
		}
	}
	return pattern{segs: segs}, true
}

// match reports whether the normalized path p matches, without allocating.
func (pt pattern) match(p string) bool {
	rest := p[1:] // p is normalized: it starts with '/'
	for _, want := range pt.segs {
		if rest == "" {
			return false
		}
		seg := rest
		next := ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, next = rest[:i], rest[i+1:]
		}
		if want != "*" && want != seg {
			return false
		}
		rest = next
	}
	return rest == "" || pt.rest
}

// cleanHosts lower-cases hosts and drops empty and repeated ones, keeping
// order. Matches feeds.js.
func cleanHosts(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		h = strings.ToLower(h)
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

func cleanPatterns(paths []string) []pattern {
	out := make([]pattern, 0, len(paths))
	for _, p := range paths {
		if pt, ok := compilePattern(p); ok {
			out = append(out, pt)
		}
	}
	return out
}

// Hosts returns the sorted, unique host names of the enabled feeds.
func Hosts(feeds []Feed) []string {
	var out []string
	for _, f := range feeds {
		if f.Enabled && f.ID != "" {
			out = append(out, cleanHosts(f.Hosts)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
