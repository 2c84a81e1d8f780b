package feeds

import (
	"regexp"
	"slices"
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

// regexBudget bounds regexCost of every regex Regexes returns. Chromium
// refuses a regexFilter whose RE2 program exceeds 2 KB (isRegexSupported
// reason "memoryLimitExceeded"), which a 6-host alternation already does; a
// regex within this budget compiles within that limit with room to spare.
// Same as REGEX_BUDGET in feeds.js.
const regexBudget = 120

// regexCost is a conservative estimate of a generated regex's RE2 program
// size under case folding: one per byte, more for letters that fold to
// non-ASCII (k, s), character classes and ".*". Measured against RE2
// (Debian 12's and Chromium 156's), the program size stays below 0.75 ×
// this estimate. Same as regexCost in feeds.js.
func regexCost(re string) int {
	cost := len(re)
	for i := 0; i < len(re); i++ {
		switch re[i] {
		case 'k':
			cost += 3
		case 's':
			cost += 2
		case '[':
			cost += 8
		}
	}
	return cost + 8*strings.Count(re, ".*")
}

// hostKey is what hosts are grouped by: their last two labels.
func hostKey(host string) string {
	i := strings.LastIndexByte(host, '.')
	if i < 0 {
		return host
	}
	j := strings.LastIndexByte(host[:i], '.')
	if j < 0 {
		return host
	}
	return host[j+1:]
}

// hostRegex matches the hosts prefix+key for the given prefixes ("" or
// labels ending in '.').
func hostRegex(key string, prefixes []string) string {
	hasBare := false
	var subs []string
	for _, p := range prefixes {
		if p == "" {
			hasBare = true
		} else {
			subs = append(subs, regexp.QuoteMeta(p[:len(p)-1]))
		}
	}
	if len(subs) == 0 {
		return regexp.QuoteMeta(key)
	}
	inner := subs[0]
	if len(subs) > 1 {
		inner = "(?:" + strings.Join(subs, "|") + ")"
	}
	if hasBare {
		return "(?:" + inner + `\.)?` + regexp.QuoteMeta(key)
	}
	return inner + `\.` + regexp.QuoteMeta(key)
}

func fullRegex(hostPart, pathPart string) string {
	return `^https?://` + hostPart + `(?::\d+)?` + pathPart + `(?:[?#].*)?$`
}

// Regexes returns the declarativeNetRequest regexFilter strings of a feed:
// RE2 regexes matching whole http(s) URLs on the feed's hosts (any port, any
// query and fragment) whose path matches one of its patterns. Hosts sharing
// their last two labels are factored into one regex
// ("(?:(?:www|m)\.)?reddit\.com"), split so that every regex stays within
// regexBudget; the result is ordered by pattern, then host group. The
// regexes are written for lower case: rules set isUrlFilterCaseSensitive:
// false (in Go, prefix "(?i)"). A feed without hosts has none.
// feedRegexes in extension/src/shared/feeds.js returns the same strings.
func Regexes(f Feed) []string {
	type group struct {
		key      string
		prefixes []string
	}
	var groups []*group
	for _, h := range cleanHosts(f.Hosts) {
		key := hostKey(h)
		i := slices.IndexFunc(groups, func(g *group) bool { return g.key == key })
		if i < 0 {
			groups = append(groups, &group{key: key})
			i = len(groups) - 1
		}
		groups[i].prefixes = append(groups[i].prefixes, h[:len(h)-len(key)])
	}
	if len(groups) == 0 {
		return nil
	}
	var out []string
	for _, pt := range cleanPatterns(f.Paths) {
		pathPart := pathRegex(pt)
		for _, g := range groups {
			var chunk []string
			for _, p := range g.prefixes {
				if len(chunk) > 0 && regexCost(fullRegex(hostRegex(g.key, append(slices.Clone(chunk), p)), pathPart)) > regexBudget {
					out = append(out, fullRegex(hostRegex(g.key, chunk), pathPart))
					chunk = nil
				}
				chunk = append(chunk, p)
			}
			out = append(out, fullRegex(hostRegex(g.key, chunk), pathPart))
		}
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
