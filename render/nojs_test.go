package render

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestScriptControlsShipHidden checks that the controls only site.js makes
// work (copy buttons, the index filter box) are hidden in the HTML, so
// that a page without JavaScript shows no button that does nothing;
// site.js reveals them.
func TestScriptControlsShipHidden(t *testing.T) {
	site := readTree(t, renderFixture(t, Config{}))
	counts := map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(site)) {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		doc := parsePage(t, site[name])
		controls := map[string][]*html.Node{
			"copy button": elements(doc, "button", "copy"),
			"filter box":  nil,
		}
		for _, n := range elements(doc, "") {
			if hasAttr(n, "data-copy") && n.Data != "button" {
				t.Errorf("%s: data-copy on <%s>, want only buttons", name, n.Data)
			}
			if hasAttr(n, "data-filter") {
				controls["filter box"] = append(controls["filter box"], n)
			}
		}
		for kind, ns := range controls {
			for _, n := range ns {
				counts[kind]++
				if !hasAttr(n, "hidden") {
					t.Errorf("%s: %s %q is not hidden until site.js runs", name, kind, attr(n, "data-copy"))
				}
			}
		}
	}
	// The fixture has pull commands, digests and badge snippets to copy,
	// and an index.
	if counts["copy button"] < 20 || counts["filter box"] != 1 {
		t.Errorf("found %v, want at least 20 copy buttons and 1 filter box", counts)
	}
}

// hasAttr reports whether n has the attribute key, with any value.
func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}
