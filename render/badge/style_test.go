package badge

import "testing"

func TestParseStyle(t *testing.T) {
	for _, s := range []Style{Flat, FlatSquare} {
		got, err := ParseStyle(s.String())
		if err != nil || got != s {
			t.Errorf("ParseStyle(%q) = %v, %v; want %v", s.String(), got, err, s)
		}
	}
	for _, name := range []string{"", "plastic", "Flat", "for-the-badge"} {
		if _, err := ParseStyle(name); err == nil {
			t.Errorf("ParseStyle(%q) succeeded, want an error", name)
		}
	}
}
