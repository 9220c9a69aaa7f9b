package badge

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "passing", "passing"},
		{"markup is kept, to be escaped later", `<b>&"'`, `<b>&"'`},
		{"controls dropped", "a\x00b\x1bc\x7fd\u0085e\u009bf", "abcd ef"}, // NEL is a line break
		{"whitespace collapsed and trimmed", " \t a \n\r  b  \v", "a b"},
		{"line and paragraph separators are spaces", "a\u2028b\u2029c", "a b c"},
		{"no-break space kept", "a\u00a0b", "a\u00a0b"},
		{"bidi overrides dropped", "\u202eabc\u202c", "abc"},
		{"bidi isolates and marks dropped", "\u2066a\u2069\u200eb\u200f\u061c", "ab"},
		{"byte-order mark and noncharacters dropped", "\ufeffa\ufffeb\uffff", "ab"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb\xc3", "a\ufffdb\ufffd"},
		{"U+FFFD kept", "\ufffd", "\ufffd"},
		{"only controls", "\x01\x02", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clean(tt.in, 100); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("a", MaxMessageRunes+10)
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "abc", 3, "abc"},
		{"one over", "abcd", 3, "ab…"},
		{"runes, not bytes", "ééééé", 4, "ééé…"},
		{"no space before the ellipsis", "ab cd", 4, "ab…"},
		{"message limit", long, MaxMessageRunes, strings.Repeat("a", MaxMessageRunes-1) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := truncate(tt.in, tt.max); got != tt.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// TestSVGTruncates checks the documented limits reach the drawing and
// the endpoint JSON alike.
func TestSVGTruncates(t *testing.T) {
	b := Badge{strings.Repeat("L", 100), strings.Repeat("m", 100), Blue}
	texts := visibleTexts(mustParseSVG(t, SVG(b, Flat)))
	if len(texts) != 2 {
		t.Fatalf("visible texts = %q, want label and message", texts)
	}
	for i, max := range []int{MaxLabelRunes, MaxMessageRunes} {
		if n := utf8.RuneCountInString(texts[i]); n != max || !strings.HasSuffix(texts[i], Ellipsis) {
			t.Errorf("text %q has %d runes, want %d ending in %q", texts[i], n, max, Ellipsis)
		}
	}
	if !strings.Contains(string(Endpoint(b)), texts[1]) {
		t.Errorf("endpoint JSON %s lacks truncated message %q", Endpoint(b), texts[1])
	}
}
