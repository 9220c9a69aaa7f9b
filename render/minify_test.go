package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestPagesAreMinified checks what skipping the minifier after a page is
// executed may cost: minifying a rendered page again (as every page was
// before templates were minified at load time) changes no element,
// attribute, text or white space between elements that a browser sees,
// and saves under 8% of its bytes, which are the quotes html/template's
// escaping keeps and the character references it writes longer.
func TestPagesAreMinified(t *testing.T) {
	for _, cfg := range []Config{{}, {BaseURL: "https://example.github.io/catalog/"}} {
		site := readTree(t, renderTo(t, cfg, hostileSnapshot()))
		m := newMinifier()
		n := 0
		for name, b := range site {
			if !strings.HasSuffix(name, ".html") {
				continue
			}
			n++
			min, err := m.Bytes(typeHTML, bytes.Clone(b)) // it rewrites its input
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got, want := domDump(parsePage(t, b)), domDump(parsePage(t, min)); got != want {
				t.Errorf("%s: minifying the page again changes its document:\n%s", name, firstDiff(got, want))
			}
			if 100*(len(b)-len(min)) > 8*len(b) {
				t.Errorf("%s: minifying the page again makes %d bytes of %d", name, len(min), len(b))
			}
			if strings.Contains(string(b), "\n\n") {
				t.Errorf("%s: holds a blank line", name)
			}
		}
		if n == 0 {
			t.Fatal("no pages")
		}
	}
}

// domDump is the document under n as a browser sees it: elements with
// their attributes, text with runs of white space made one space (kept
// in <pre>), one line per element.
func domDump(n *html.Node) string {
	var sb strings.Builder
	var walk func(n *html.Node, pre bool)
	walk = func(n *html.Node, pre bool) {
		switch n.Type {
		case html.ElementNode:
			sb.WriteString("<" + n.Data)
			for _, a := range n.Attr {
				fmt.Fprintf(&sb, " %s=%q", a.Key, a.Val)
			}
			sb.WriteString(">")
			pre = pre || n.Data == "pre"
		case html.TextNode:
			t := n.Data
			if !pre {
				t = strings.Join(strings.Fields(t), " ")
				if strings.TrimLeft(n.Data, " \t\n") != n.Data {
					t = " " + t
				}
				if t != " " && strings.TrimRight(n.Data, " \t\n") != n.Data {
					t += " "
				}
			}
			fmt.Fprintf(&sb, "[%s]", t)
		case html.DoctypeNode:
			sb.WriteString("<!doctype " + n.Data + ">")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, pre)
		}
		if n.Type == html.ElementNode {
			sb.WriteString("</" + n.Data + ">\n")
		}
	}
	walk(n, false)
	return sb.String()
}

// firstDiff is the first line where a and b differ, from each.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "got  " + la[i] + "\nwant " + lb[i]
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(la), len(lb))
}
