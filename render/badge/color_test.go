package badge

import "testing"

func TestNormalizeColor(t *testing.T) {
	tests := []struct {
		in, name, fill string
	}{
		{"brightgreen", "brightgreen", "#4c1"},
		{"Blue", "blue", "#007ec6"},
		{" red ", "red", "#e05d44"},
		{"informational", "blue", "#007ec6"},
		{"critical", "red", "#e05d44"},
		{"gray", "grey", "#555"},
		{"#ABC", "#abc", "#abc"},
		{"#a1b2c3", "#a1b2c3", "#a1b2c3"},
		{"", DefaultColor, "#9f9f9f"},
		{"abc", DefaultColor, "#9f9f9f"},               // shields allows bare hex; we ask for "#"
		{"#abcd", DefaultColor, "#9f9f9f"},             // #rgba is not accepted
		{"#ggg", DefaultColor, "#9f9f9f"},              // not hex
		{"rgb(1,2,3)", DefaultColor, "#9f9f9f"},        // CSS functions are not accepted
		{`red"/><script>`, DefaultColor, "#9f9f9f"},    // markup never reaches an attribute
		{"url(#s)", DefaultColor, "#9f9f9f"},           // nor a reference
		{"#fff\" onload=\"x", DefaultColor, "#9f9f9f"}, // nor an attribute
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			name, fill := normalizeColor(tt.in)
			if name != tt.name || fill != tt.fill {
				t.Errorf("normalizeColor(%q) = %q, %q; want %q, %q", tt.in, name, fill, tt.name, tt.fill)
			}
		})
	}
}

// TestNamedColorsTextWhite checks every named colour draws white text, as
// on shields.io.
func TestNamedColorsTextWhite(t *testing.T) {
	for name, fill := range namedColors {
		if ink, _ := textColors(fill); ink != "#fff" {
			t.Errorf("text on %s (%s) is %s, want #fff", name, fill, ink)
		}
	}
}
