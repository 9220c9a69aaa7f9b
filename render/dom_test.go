package render

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// parsePage parses an HTML page.
func parsePage(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// elements returns the elements under n, in document order, named tag
// ("" for any) that have every class in classes.
func elements(n *html.Node, tag string, classes ...string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (tag == "" || n.Data == tag) {
			have := strings.Fields(attr(n, "class"))
			if !slices.ContainsFunc(classes, func(c string) bool { return !slices.Contains(have, c) }) {
				out = append(out, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// first returns the first element elements would return, failing the
// test when there is none.
func first(t *testing.T, n *html.Node, tag string, classes ...string) *html.Node {
	t.Helper()
	els := elements(n, tag, classes...)
	if len(els) == 0 {
		t.Fatalf("no <%s> with classes %q", tag, classes)
	}
	return els[0]
}

// nodeText is the text content of n with runs of white space made one
// space, trimmed.
func nodeText(n *html.Node) string {
	return strings.Join(strings.Fields(rawText(n, nil)), " ")
}

// rawText is the text content of n, with a newline after every element
// named in breaks.
func rawText(n *html.Node, breaks []string) string {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && slices.Contains(breaks, n.Data) {
			sb.WriteString("\n")
		}
	}
	walk(n)
	return sb.String()
}

// blocks are the elements after which pageText breaks the line.
var blocks = []string{"p", "div", "h1", "h2", "h3", "li", "dt", "dd", "th", "td", "caption", "summary", "title", "nav", "header", "footer", "section", "details", "table", "tr", "pre"}

// pageText is the text of a page as a person reads it: one line per
// block element, runs of white space made one space.
func pageText(t *testing.T, b []byte) string {
	t.Helper()
	text := rawText(parsePage(t, b), blocks)
	var lines []string
	for l := range strings.Lines(text) {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
