package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenWidths are CSS widths of screens pages must fit: a small phone
// (iPhone SE, 8, 13 mini) and a tablet held upright.
var screenWidths = []int64{375, 768}

// overflow is JavaScript giving the page's width, what sticks out of the
// viewport (wide tables must scroll inside their own .scroll box, so the
// page itself never scrolls sideways) and the wide columns squeezed
// narrower than 150 px.
const overflow = `(function () {
  var vw = window.innerWidth, out = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5) return;
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible" && p.getBoundingClientRect().right <= vw + 0.5) return;
    }
    out.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + " right=" + Math.round(r.right));
  });
  var narrow = Array.from(document.querySelectorAll("td.wide")).filter(function (td) { return td.getBoundingClientRect().width < 150; })
    .map(function (td) { return td.closest("table").className + " " + Math.round(td.getBoundingClientRect().width) + "px"; });
  return {innerWidth: vw, scrollWidth: document.documentElement.scrollWidth, out: out.slice(0, 8), narrow: narrow.slice(0, 4)};
})()`

type overflowState struct {
	InnerWidth  int      `json:"innerWidth"`
	ScrollWidth int      `json:"scrollWidth"`
	Out         []string `json:"out"`
	Narrow      []string `json:"narrow"`
}

// TestBrowserNarrowScreens opens pages at the width of a small phone and
// of a tablet and checks that none is wider than the screen: the index,
// repository pages with wide tag histories, image pages with layers,
// labels and attestations, and the renderer's fixture with its hostile
// labels.
func TestBrowserNarrowScreens(t *testing.T) {
	b := newBrowser(t)
	demo := buildDemoSite(t)
	fixture := renderFixture(t)
	tb := b.newTab(t)
	base := fileURL(t, demo) + "/"
	pages := []string{
		base + "index.html",
		base + "r/team-b~web/index.html",
		base + "r/tools~cli/index.html",
		imagePageForTag(tb, base, "r/tools~cli/", "latest"),     // platforms, attestations
		imagePageForTag(tb, base, "r/team-a~worker/", "latest"), // labels, long build steps
		base + "failures.html",
	}
	for _, p := range htmlPages(t, fixture) {
		if strings.HasPrefix(p, "r/") || p == "index.html" || p == "changes.html" {
			pages = append(pages, fileURL(t, filepath.Join(fixture, filepath.FromSlash(p))))
		}
	}
	// One tab for all pages, whose helpers fail the test itself: no
	// subtests.
	for _, w := range screenWidths {
		if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(w, 812)); err != nil {
			t.Fatalf("emulate a %d px screen: %v", w, err)
		}
		for _, u := range pages {
			for _, problem := range tb.visit(u) {
				t.Errorf("%s: %s", u, problem)
			}
			st := eval[overflowState](tb, overflow)
			if int64(st.InnerWidth) != w {
				t.Fatalf("%s: window is %d px wide, want %d", u, st.InnerWidth, w)
			}
			if st.ScrollWidth > st.InnerWidth {
				t.Errorf("%s is %d px wide on a %d px screen; sticking out: %q", u, st.ScrollWidth, st.InnerWidth, st.Out)
			}
			// Wide columns (descriptions, build steps, label values) keep
			// room for a few words a line; their table scrolls instead.
			if len(st.Narrow) > 0 {
				t.Errorf("%s at %d px: wide columns squeezed under 150 px: %q", u, w, st.Narrow)
			}
		}
		tb.screenshot(artifactsDir(t), "narrow-"+strconv.FormatInt(w, 10)+"-last.png")
	}
}
