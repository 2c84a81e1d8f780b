package feeds

import (
	"strings"
	"testing"
)

// FuzzMatch matches arbitrary URLs against the built-in catalog plus one
// feed with an arbitrary path pattern (when the catalog's validation accepts
// it). Nothing may panic; a match names its feed in its key; the query and
// fragment never change the answer, nor does the case of the host.
func FuzzMatch(f *testing.F) {
	f.Add("https://www.reddit.com/r/golang/?utm=x#top", "/r/*")
	f.Add("https://www.youtube.com/shorts/abc", "/shorts/**")
	f.Add("http://[::1]:8080/a/b", "/")
	f.Add("https://EXAMPLE.test:443/%2e%2e/feed", "/feed")
	f.Add("javascript:alert(1)", "/**")
	f.Fuzz(func(t *testing.T, rawURL, pattern string) {
		feeds := Builtin()
		custom := Feed{ID: "fuzzfeed", Name: "Fuzz", Hosts: []string{"example.test"}, Paths: []string{pattern}, Enabled: true}
		if Validate(custom) == nil {
			feeds = append(feeds, custom)
		}
		m := NewMatcher(feeds)
		id, key, ok := m.Match(rawURL)
		if ok && (id == "" || !strings.HasPrefix(key, id+" ")) {
			t.Fatalf("Match(%q) = %q, %q: the key does not name the feed", rawURL, id, key)
		}
		if strings.ContainsAny(rawURL, "?#") {
			return
		}
		for _, variant := range []string{rawURL + "?q=1", rawURL + "#frag"} {
			id2, key2, ok2 := m.Match(variant)
			if id2 != id || key2 != key || ok2 != ok {
				t.Fatalf("Match(%q) = %q %q %v but Match(%q) = %q %q %v", rawURL, id, key, ok, variant, id2, key2, ok2)
			}
		}
	})
}
