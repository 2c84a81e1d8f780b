package store

import (
	"encoding/json"
	"math"
	"testing"
)

// appendJSON writes what encoding/json reads back as the same value.
func TestAppendJSON(t *testing.T) {
	for _, v := range []any{nil, int64(-42), int64(1 << 62), 3.25, 1e-7, "plain", `quote " and \ backslash`,
		"tab\tnewline\n\x00\x1f", "ünïcødé ✓ 🙂", "bad \xff utf-8", "</script>&"} {
		b := appendJSON(nil, v)
		var got any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("appendJSON(%q) = %s: %v", v, b, err)
			continue
		}
		switch x := v.(type) {
		case int64:
			if got.(float64) != float64(x) {
				t.Errorf("%d: got %v", x, got)
			}
		case float64:
			if got.(float64) != x {
				t.Errorf("%g: got %v", x, got)
			}
		case string:
			want := x
			if x == "bad \xff utf-8" {
				want = "bad \ufffd utf-8"
			}
			if got != want {
				t.Errorf("%q: got %q", x, got)
			}
		case nil:
			if got != nil {
				t.Errorf("nil: got %v", got)
			}
		}
	}
	if string(appendJSON(nil, math.NaN())) != "null" {
		t.Error("NaN is not null")
	}
	row := rowJSON(nil, quotedKeys([]string{"a", "b\"c"}), []any{int64(1), "x"})
	var m map[string]any
	if err := json.Unmarshal(row, &m); err != nil || m["a"] != 1.0 || m["b\"c"] != "x" {
		t.Errorf("rowJSON = %s (%v)", row, err)
	}
}
