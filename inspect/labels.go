package inspect

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

// LabelLines returns the labels whose key starts with prefix as
// "key=value" lines, sorted by key, each ending in a newline. Keys and
// values are escaped with [Escape] ("=" in a key too), so every label is
// one line that a shell pipeline can split at its first "=".
func LabelLines(labels map[string]string, prefix string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		b.WriteString(strings.ReplaceAll(Escape(k), "=", `\x3d`))
		b.WriteByte('=')
		b.WriteString(Escape(labels[k]))
		b.WriteByte('\n')
	}
	return b.String()
}

// Escape makes registry text safe to print on a terminal: a backslash
// becomes `\\`; control characters (newlines and ESC included), bidi
// and other invisible formatting characters, and invalid UTF-8 bytes
// become `\xNN` (ASCII and invalid bytes) or `\uNNNN` escapes. Other
// text is kept, non-ASCII letters included.
func Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Format executes the --format template t on o and writes the result to
// w, ending it with a newline as skopeo does. Template output is not
// escaped: `{{ index .Labels "k" }}` prints the label as it is.
func Format(w io.Writer, t *template.Template, o *Output) error {
	var b bytes.Buffer
	if err := t.Execute(&b, o); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}
