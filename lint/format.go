package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/regcat/regcat/snapshot"
)

// Formats are the output formats of Write.
var Formats = []string{"text", "json", "github"}

// Write prints findings to w in format: "text" (a line per finding,
// "error" for those fail says fail the run, else "warning"), "json" (an
// array of Finding objects, indented, with a trailing newline) or
// "github" (GitHub Actions workflow commands: ::error for failing
// findings, ::warning for the others). Every value printed is escaped:
// text and github print Message, whose values are quoted, and escape
// the rest as the format requires.
func Write(w io.Writer, format string, findings []Finding, fail func(Finding) bool) error {
	switch format {
	case "json":
		if findings == nil {
			findings = []Finding{}
		}
		b, err := json.MarshalIndent(findings, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", escapeJSON(string(b)))
		return err
	case "text", "github":
		for _, f := range findings {
			level := "warning"
			if fail(f) {
				level = "error"
			}
			var err error
			if format == "text" {
				_, err = fmt.Fprintf(w, "%s: %s %s: %s\n", level, where(f), f.Rule, f.Message)
			} else {
				_, err = fmt.Fprintf(w, "::%s title=%s::%s\n", level, ghProperty(f.Rule+" "+where(f)), ghData(f.Message))
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// where names a finding's image: "repo:tag@sha256:0123456789ab", with
// its display tag. Repository names and tags are validated by catalog.
func where(f Finding) string {
	s := f.Repo
	if len(f.Tags) > 0 {
		s += ":" + snapshot.DisplayTag(f.Tags)
	}
	return s + "@" + Short(f.Digest)
}

// ghData escapes the message of a workflow command as the Actions
// toolkit does (escapeData): "%", CR and LF.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value of a workflow command as the
// toolkit does (escapeProperty): as ghData, and ":" and ",".
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// escapeJSON writes the characters that encoding/json leaves as they are
// but that can mislead a reader or a terminal (C1 controls, DEL,
// formatting characters such as bidirectional overrides, U+2028 and
// U+2029 aside, which it escapes) as \u escapes. Outside strings JSON
// is ASCII, so every such character is inside a string.
func escapeJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) {
			if r1, r2 := utf16.EncodeRune(r); r1 != unicode.ReplacementChar {
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
