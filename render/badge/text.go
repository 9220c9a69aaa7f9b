package badge

import (
	"strings"
	"unicode/utf8"
)

// MaxLabelRunes and MaxMessageRunes bound the text of a badge, counted in
// runes after cleaning. Longer text keeps its first Max-1 runes (less
// trailing spaces) followed by Ellipsis, so a label is at most about 32 "m"
// widths (≈ 340px) and a message at most 48 (≈ 510px): room for a
// 40-character tag or a 64-bit hex digest prefix, yet no page layout broken
// by a 128-character tag name.
const (
	MaxLabelRunes   = 32
	MaxMessageRunes = 48
)

// Ellipsis ends truncated text.
const Ellipsis = "…"

// clean makes registry text safe and stable to draw: invalid UTF-8 becomes
// U+FFFD; characters XML 1.0 forbids (C0 controls, U+FFFE, U+FFFF) and C1
// controls are dropped; bidirectional embeddings, overrides, isolates and
// marks are dropped so text cannot reorder what surrounds it (the
// "Trojan Source" trick); a byte-order mark is dropped; and whitespace runs
// (tabs and line breaks included) collapse to one space with none at either
// end, which is how SVG's default xml:space draws text anyway, so the
// measured width is the drawn one. Then text is cut to max runes.
func clean(s string, max int) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending, written before the next rune
	for _, r := range s {
		// Ranging over a string yields U+FFFD for each invalid byte.
		if isSpace(r) {
			space = b.Len() > 0
			continue
		}
		if dropped(r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return truncate(b.String(), max)
}

// isSpace reports whether r is whitespace that clean folds into one space.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// dropped reports whether clean removes r: runes XML cannot carry, control
// characters, and invisible format characters that reorder or hide text.
func dropped(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // Arabic letter mark, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0xfeff, r == 0xfffe, r == 0xffff: // BOM, noncharacters XML forbids
		return true
	}
	return false
}

// truncate cuts s to at most max runes, ending in Ellipsis when cut.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	i := 0
	for range max - 1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return strings.TrimRight(s[:i], " ") + Ellipsis
}

// xmlEscaper escapes text for XML character data and quoted attributes,
// as badge-maker's escapeXml does.
var xmlEscaper = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	`"`, "&quot;",
	"'", "&apos;",
)
