package main

import (
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// controls is JavaScript counting the controls that need site.js (copy
// buttons, the index filter box, the header's search box, sort buttons),
// all and those a person can see, and the header's link to the label
// index, which answers instead of the search box.
const controls = `(function () {
  function seen(el) { return el.getClientRects().length > 0; }
  var copy = Array.from(document.querySelectorAll("button[data-copy]"));
  var filter = Array.from(document.querySelectorAll("[data-filter]"));
  var search = Array.from(document.querySelectorAll("[data-search]"));
  return {copy: copy.length, copyShown: copy.filter(seen).length,
    filter: filter.length, filterShown: filter.filter(seen).length,
    search: search.length, searchShown: search.filter(seen).length,
    labelsLink: Array.from(document.querySelectorAll('header nav a[href$="labels/index.html"]')).filter(seen).length,
    sortShown: Array.from(document.querySelectorAll("button.sort")).filter(seen).length,
    rows: document.querySelectorAll("tbody tr").length};
})()`

type controlState struct {
	Copy, CopyShown     int
	Filter, FilterShown int
	Search, SearchShown int
	LabelsLink          int
	SortShown           int
	Rows                int
}

// TestBrowserWithoutScript opens pages of the renderer's fixture with
// JavaScript off and checks that they show their tables but no control
// that would do nothing (copy buttons, the filter box, sort buttons);
// then with JavaScript on, that every copy button shows and copies.
func TestBrowserWithoutScript(t *testing.T) {
	site := renderFixture(t)
	tb := newBrowser(t).newTab(t)
	shots := artifactsDir(t)
	pages := []string{
		"index.html",
		"r/team-a~api/index.html",
		"r/base~alpine/sha256-e4fbc9d84109244aada6409624209e83406a67ed67ebd04b3ef0515d05429462.html", // an index: pull commands, digests, badge snippets
		"labels/index.html", // what answers without the search box
	}
	setScript := func(on bool) {
		t.Helper()
		if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
			t.Fatalf("turn JavaScript on=%v: %v", on, err)
		}
	}
	// One tab for all pages, whose helpers fail the test itself: no
	// subtests.
	setScript(false)
	for _, p := range pages {
		// tab.visit would wait for a timer, which does not run without
		// JavaScript; navigate and look only.
		if err := chromedp.Do(tb.ctx, chromedp.Navigate(fileURL(t, filepath.Join(site, filepath.FromSlash(p))))); err != nil {
			t.Fatalf("open %s: %v", p, err)
		}
		st := eval[controlState](tb, controls)
		if st.Rows == 0 {
			t.Errorf("%s without JavaScript: no table rows", p)
		}
		if st.Search != 1 || st.LabelsLink != 1 {
			t.Errorf("%s: %d search boxes and %d label index links in the header, want one each", p, st.Search, st.LabelsLink)
		}
		if st.CopyShown != 0 || st.FilterShown != 0 || st.SortShown != 0 || st.SearchShown != 0 {
			t.Errorf("%s without JavaScript shows controls that need it: %+v", p, st)
		}
		if p == pages[2] {
			tb.screenshot(shots, "no-script-image.png")
		}
	}
	setScript(true)
	for _, p := range pages {
		for _, problem := range tb.visit(fileURL(t, filepath.Join(site, filepath.FromSlash(p)))) {
			t.Errorf("%s: %s", p, problem)
		}
		st := eval[controlState](tb, controls)
		if st.CopyShown != st.Copy || st.FilterShown != st.Filter || st.SearchShown != st.Search {
			t.Errorf("%s with JavaScript hides controls: %+v", p, st)
		}
		if p == pages[0] {
			if st.Filter != 1 {
				t.Errorf("index: %d filter boxes, want 1", st.Filter)
			}
			continue
		}
		if p == pages[3] {
			if st.SortShown == 0 {
				t.Errorf("labels/index.html: no sort buttons: %+v", st)
			}
			continue
		}
		if st.Copy == 0 || st.SortShown == 0 && p == pages[1] {
			t.Errorf("%s: want copy buttons and, on a repository page, sort buttons: %+v", p, st)
		}
		testCopyButton(tb, p)
		if p == pages[2] {
			tb.screenshot(shots, "script-image.png")
		}
	}
}
