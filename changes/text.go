package changes

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode"
)

// WriteText writes s for a terminal: a line with the registry and the
// crawl times, the summary, then per repository its name and status and
// one line per change: "+ tag digest" (new), "~ tag old -> new" (moved),
// "- tag digest" (deleted), "+ image digest" and "- image digest".
// Names with characters that are not printable are quoted.
func (s *Set) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	since := "(none)"
	if !s.Since.IsZero() {
		since = s.Since.Format(time.RFC3339)
	}
	fmt.Fprintf(bw, "%s: %s -> %s\n%s\n", printable(s.Registry), since, s.CrawledAt.Format(time.RFC3339), s.Summary())
	for _, r := range s.Repositories {
		fmt.Fprintf(bw, "\n%s (%s)\n", printable(r.Name), r.Status)
		for _, t := range r.NewTags {
			fmt.Fprintf(bw, "  + %s %s\n", printable(t.Name), printable(t.Digest))
		}
		for _, m := range r.ChangedTags {
			fmt.Fprintf(bw, "  ~ %s %s -> %s\n", printable(m.Name), printable(m.OldDigest), printable(m.Digest))
		}
		for _, t := range r.DeletedTags {
			fmt.Fprintf(bw, "  - %s %s\n", printable(t.Name), printable(t.Digest))
		}
		for _, d := range r.NewImages {
			fmt.Fprintf(bw, "  + image %s\n", printable(d))
		}
		for _, d := range r.DeletedImages {
			fmt.Fprintf(bw, "  - image %s\n", printable(d))
		}
	}
	return bw.Flush()
}

// printable is s, or s quoted when it holds a character that is not
// printable (a terminal escape in a hostile name) or a space.
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) || r == ' ' {
			return strconv.Quote(s)
		}
	}
	return s
}
