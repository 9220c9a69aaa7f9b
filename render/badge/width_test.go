package badge

import (
	"math"
	"testing"
)

// TestPreferredWidth checks text widths against widths that shields.io's
// badge-maker produced. Each is the textLength/10 of a badge shields drew
// or a width a public port asserts equal to shields' output:
//
//   - "build" 27, "passing" 41, "docs" 25: textLength 270, 410 and 250 in
//     the build-passing and docs-passing badges served by img.shields.io,
//     copied into many projects' sources and tests.
//   - "label" 27, "value" 29, "status" 33, "online" 33, "offline" 33,
//     "N/A" 21: a Rust port's tests of preferred_width_of against shields.
func TestPreferredWidth(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"build", 27},
		{"passing", 41},
		{"docs", 25},
		{"label", 27},
		{"value", 29},
		{"status", 33},
		{"online", 33},
		{"offline", 33},
		{"N/A", 21},
		{"", 1}, // badge-maker rounds 0 up to odd too
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := preferredWidth(tt.text); got != tt.want {
				t.Errorf("preferredWidth(%q) = %d, want %d (text width %.4f)", tt.text, got, tt.want, textWidth(tt.text))
			}
		})
	}
}

// TestTextWidth checks raw widths against anafanafo's own tests ("m" is
// exactly 10.7 and "v1.2.511" 49.48 ± 0.1 in 11px Verdana) and the rules of
// its table consumer: controls are zero-width, unknown runes are as wide as
// "m", and widths add up.
func TestTextWidth(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		want, tol float64
	}{
		{"em", "m", 10.7, 0},
		{"anafanafo version", "v1.2.511", 49.48, 0.1},
		{"space", " ", 3.87, 0},
		{"digits", "0123456789", 69.9, 1e-9},
		{"controls are zero-width", "\x00\x1f\x7f", 0, 0},
		{"soft hyphen is zero-width", "\u00ad", 0, 0},
		{"latin-1", "é", 6.55, 0},
		{"unknown rune is an em", "许", 10.7, 0},
		{"y diaeresis is not in the table", "ÿ", 10.7, 0},
		{"ellipsis is guessed", Ellipsis, 10.7, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := textWidth(tt.text); math.Abs(got-tt.want) > tt.tol {
				t.Errorf("textWidth(%q) = %v, want %v ± %v", tt.text, got, tt.want, tt.tol)
			}
		})
	}
}

// TestRuneWidthReferences checks single characters against 11px Verdana
// widths that public ports quote from anafanafo's verdana-11px-normal.json
// (a TypeScript badge generator's table and a Rust port's tests).
func TestRuneWidthReferences(t *testing.T) {
	want := map[rune]float64{
		' ': 3.87, '0': 6.99, '5': 6.99, '9': 6.99,
		'A': 7.52, 'B': 7.54, 'C': 7.68, 'D': 8.48, 'F': 6.32,
		'M': 9.27, 'Q': 8.66, 'S': 7.52, 'T': 6.78,
		'a': 6.61, 'm': 10.7,
	}
	for r, w := range want {
		if got := runeWidth(r); got != w {
			t.Errorf("runeWidth(%q) = %v, want %v", r, got, w)
		}
	}
}

// TestWidthTableShape checks the table is plausible for Verdana: every
// printable character has a width between "i"-narrow and "%"-wide, "m"
// matches emWidth, and the same glyph shapes share widths.
func TestWidthTableShape(t *testing.T) {
	for r := rune(0x20); r < 0x7f; r++ {
		if w := runeWidth(r); w < 2.9 || w > 11.9 {
			t.Errorf("runeWidth(%q) = %v, outside Verdana's 2.95–11.84", r, w)
		}
	}
	if runeWidth('m') != emWidth {
		t.Errorf("runeWidth('m') = %v, emWidth = %v", runeWidth('m'), emWidth)
	}
	same := [][2]rune{{'0', '9'}, {'(', ')'}, {'[', ']'}, {'A', 'À'}, {'a', 'å'}, {'O', 'Ø'}, {' ', '\u00a0'}}
	for _, p := range same {
		if runeWidth(p[0]) != runeWidth(p[1]) {
			t.Errorf("runeWidth(%q) = %v, runeWidth(%q) = %v; Verdana draws them equally wide", p[0], runeWidth(p[0]), p[1], runeWidth(p[1]))
		}
	}
}
