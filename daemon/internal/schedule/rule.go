package schedule

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Rule is a break rule as stored: the spec text as the user wrote it.
type Rule struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`  // "weekly" | "once"
	Start   string   `json:"start"` // the spec text: "Fri 15:30" or "2026-12-24 18:00"
	End     string   `json:"end"`   // "Sat 16:00", "07:00" or "2026-12-26 09:00"
	Locked  bool     `json:"locked"`
	Sites   []string `json:"sites,omitempty"` // nil = every host of every enabled feed
	Enabled bool     `json:"enabled"`
}

// Rule kinds.
const (
	KindWeekly = "weekly"
	KindOnce   = "once"
)

// Validate checks a rule as the user may define it: a name of 1 to 64
// characters; kind "weekly" or "once"; start and end that parse for the
// kind (ParseWeekly, ParseOnce); sites nil, or a non-empty list of unique
// lower-case host names without scheme, port or path. The error is a
// *FieldError naming the field, e.g. `sites[2]: "x.com:443" must be a host
// name without scheme, port or path`.
//
// An empty, non-nil Sites is refused: stored as JSON with omitempty it would
// come back nil, which means every site.
func (r Rule) Validate() error {
	_, err := r.compile()
	return err
}

// compiled is a rule's parsed spec: exactly one of weekly and once is set.
type compiled struct {
	weekly *Weekly
	once   *Once
}

func (r Rule) compile() (compiled, error) {
	if err := validateName(r.Name); err != nil {
		return compiled{}, err
	}
	var c compiled
	switch r.Kind {
	case KindWeekly:
		w, err := ParseWeekly(r.Start, r.End)
		if err != nil {
			return compiled{}, err
		}
		c.weekly = &w
	case KindOnce:
		o, err := ParseOnce(r.Start, r.End)
		if err != nil {
			return compiled{}, err
		}
		c.once = &o
	case "":
		return compiled{}, fieldErr("kind", "is empty (use %q or %q)", KindWeekly, KindOnce)
	default:
		return compiled{}, fieldErr("kind", "unknown kind %q (use %q or %q)", r.Kind, KindWeekly, KindOnce)
	}
	if r.Sites != nil && len(r.Sites) == 0 {
		return compiled{}, fieldErr("sites", "is an empty list: name at least one site, or leave sites out for every site")
	}
	for i, h := range r.Sites {
		field := fmt.Sprintf("sites[%d]", i)
		if err := validateHost(h); err != "" {
			return compiled{}, fieldErr(field, "%q %s", h, err)
		}
		if slices.Index(r.Sites, h) < i {
			return compiled{}, fieldErr(field, "%q is listed twice", h)
		}
	}
	return c, nil
}

func validateName(name string) error {
	if !utf8.ValidString(name) {
		return fieldErr("name", "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(name); n < 1 || n > 64 || strings.TrimSpace(name) == "" {
		return fieldErr("name", "%q must be 1 to 64 characters", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fieldErr("name", "%q contains a control character", name)
		}
	}
	return nil
}

// validateHost returns why h is not a lower-case host name without scheme,
// port or path, or "".
func validateHost(h string) string {
	switch {
	case h == "":
		return "is empty"
	case strings.Contains(h, "://") || strings.ContainsAny(h, ":/?#@"):
		return "must be a host name without scheme, port or path (e.g. \"www.reddit.com\")"
	case len(h) > 253:
		return "is longer than 253 characters"
	case strings.ToLower(h) != h:
		return "must be lower case"
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" {
			return "has an empty label"
		}
		if len(label) > 63 {
			return "has a label longer than 63 characters"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "has a label that starts or ends with '-'"
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "may only contain a-z, 0-9, '-' and '.'"
			}
		}
	}
	return ""
}
