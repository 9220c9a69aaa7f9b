package render

import (
	"strings"
	"unicode/utf8"
)

// replacement stands in for bytes and characters that must not reach a
// page: it is visible, so a hidden trick shows as a mark.
const replacement = '\uFFFD'

// clean makes registry text safe to display: invalid UTF-8, C0 and C1
// control characters (other than tab and newline) and bidirectional
// formatting characters (which can make text read differently from what
// it is, CVE-2021-42574 "Trojan Source") become U+FFFD; CRLF and lone CR
// become LF. html/template escapes the rest.
func clean(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(replacement)
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				n = 2
			}
		case r == '\t' || r == '\n':
			b.WriteRune(r)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || isBidiControl(r):
			b.WriteRune(replacement)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII (and tab/newline), the
// common case that needs no copy.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x7f || (c < 0x20 && c != '\t' && c != '\n') {
			return false
		}
	}
	return true
}

// isBidiControl reports the Unicode bidirectional formatting characters:
// ALM, LRM, RLM, the embeddings and overrides LRE..RLO with PDF, and the
// isolates LRI..PDI.
func isBidiControl(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// oneLine is clean with runs of white space collapsed to one space, for
// table cells and headings.
func oneLine(s string) string {
	s = clean(s)
	if !strings.ContainsAny(s, "\t\n") && !strings.Contains(s, "  ") &&
		!strings.HasPrefix(s, " ") && !strings.HasSuffix(s, " ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
