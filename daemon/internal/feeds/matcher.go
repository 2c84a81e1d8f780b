package feeds

import (
	"regexp"
	"strings"
)

// Matcher matches URLs against a catalog. It is immutable and safe for
// concurrent use. Build a new one when the catalog changes.
type Matcher struct {
	byHost map[string][]*compiledFeed
}

type compiledFeed struct {
	id       string
	patterns []pattern
}

// NewMatcher compiles the enabled feeds (disabled ones, and feeds without an
// id, are skipped; unusable patterns are skipped). When two feeds share a
// host, the earlier one wins.
func NewMatcher(feeds []Feed) *Matcher {
	m := &Matcher{byHost: make(map[string][]*compiledFeed)}
	for _, f := range feeds {
		if !f.Enabled || f.ID == "" {
			continue
		}
		cf := &compiledFeed{id: f.ID, patterns: cleanPatterns(f.Paths)}
		for _, h := range cleanHosts(f.Hosts) {
			m.byHost[h] = append(m.byHost[h], cf)
		}
	}
	return m
}

// Match matches an absolute URL as a browser reports it. Only http and https
// URLs can match; the query and fragment are ignored. key is the visit key
// "feedID normalizedPath". A URL that is not http(s), has a malformed
// authority, or is no feed gives ok == false.
func (m *Matcher) Match(rawURL string) (feedID, key string, ok bool) {
	host, path, ok := splitURL(rawURL)
	if !ok {
		return "", "", false
	}
	return m.match(host, path)
}

// MatchHostPath matches a host name (without port; any case) and a URL path
// (a query or fragment in it is ignored).
func (m *Matcher) MatchHostPath(host, path string) (feedID, key string, ok bool) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	return m.match(host, path)
}

func (m *Matcher) match(host, rawPath string) (feedID, key string, ok bool) {
	cands := m.byHost[host]
	if cands == nil {
		if !hasUpper(host) {
			return "", "", false
		}
		cands = m.byHost[strings.ToLower(host)]
		if cands == nil {
			return "", "", false
		}
	}
	p := NormalizePath(rawPath)
	for _, cf := range cands {
		for _, pt := range cf.patterns {
			if pt.match(p) {
				return cf.id, cf.id + " " + p, true
			}
		}
	}
	return "", "", false
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// splitURL cuts an http(s) URL into its host name (port and user info
// removed, not yet lower-cased) and its raw path (backslashes, which browsers
// read as slashes in http(s) URLs, turned into slashes). It does not
// allocate for URLs without backslashes.
func splitURL(raw string) (host, path string, ok bool) {
	raw = strings.TrimSpace(raw)
	var rest string
	switch {
	case hasPrefixFold(raw, "https://"):
		rest = raw[len("https://"):]
	case hasPrefixFold(raw, "http://"):
		rest = raw[len("http://"):]
	default:
		return "", "", false
	}
	end := strings.IndexAny(rest, "/\\?#")
	authority, tail := rest, ""
	if end >= 0 {
		authority, tail = rest[:end], rest[end:]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	host = authority
	port := ""
	if strings.HasPrefix(authority, "[") {
		i := strings.IndexByte(authority, ']')
		if i < 0 {
			return "", "", false
		}
		host, port = authority[:i+1], authority[i+1:]
		if port != "" && port[0] != ':' {
			return "", "", false
		}
	} else if i := strings.IndexByte(authority, ':'); i >= 0 {
		host, port = authority[:i], authority[i:]
	}
	if port != "" {
		if !validPort(port[1:]) {
			return "", "", false
		}
	}
	if host == "" {
		return "", "", false
	}
	if i := strings.IndexAny(tail, "?#"); i >= 0 {
		tail = tail[:i]
	}
	if strings.IndexByte(tail, '\\') >= 0 {
		tail = strings.ReplaceAll(tail, "\\", "/")
	}
	return host, tail, true
}

func validPort(p string) bool {
	if len(p) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n <= 65535
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Regexes returns the declarativeNetRequest regexFilter strings of a feed:
// one RE2 regex per usable path pattern, matching whole http(s) URLs on any
// of the feed's hosts and ports, with any query and fragment. They are
// written for lower-case input; rules set isUrlFilterCaseSensitive: false
// (in Go, prefix "(?i)"). A feed without hosts has none. feedRegexes in
// extension/src/shared/feeds.js returns the same strings.
func Regexes(f Feed) []string {
	hosts := cleanHosts(f.Hosts)
	if len(hosts) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`^https?://(?:`)
	for i, h := range hosts {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(regexp.QuoteMeta(h))
	}
	b.WriteString(`)(?::\d+)?`)
	prefix := b.String()
	var out []string
	for _, pt := range cleanPatterns(f.Paths) {
		out = append(out, prefix+pathRegex(pt)+`(?:[?#].*)?$`)
	}
	return out
}

// pathRegex translates a pattern: each '/' may repeat (normalization
// collapses them), "*" is one segment, a final "**" any further segments,
// and a trailing slash may follow.
func pathRegex(pt pattern) string {
	var b strings.Builder
	for _, s := range pt.segs {
		b.WriteString(`/+`)
		if s == "*" {
			b.WriteString(`[^/?#]+`)
		} else {
			b.WriteString(regexp.QuoteMeta(s))
		}
	}
	if pt.rest {
		b.WriteString(`(?:/[^?#]*)?`)
	} else {
		b.WriteString(`/*`)
	}
	return b.String()
}
