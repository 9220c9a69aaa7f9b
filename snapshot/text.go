package snapshot

import "unicode/utf8"

// Ellipsis marks text that [Truncate] cut.
const Ellipsis = "…"

// Truncate returns s when it has at most n runes; else its first n-1
// runes followed by [Ellipsis], n runes in all. It never splits a UTF-8
// sequence; invalid bytes count as one rune each, as range does.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	i := 0
	for range n - 1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + Ellipsis
}
