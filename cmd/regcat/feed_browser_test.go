package main

import (
	"path/filepath"
	"testing"
)

// feedState is what Chromium made of a feed: a feed that parses is
// shown by its XML viewer, which keeps the source document in an element
// of id webkit-xml-viewer-source-xml; one that does not has a
// parsererror element.
type feedState struct {
	Viewer       bool
	ParseErrors  int
	Entries      int
	Alternate    int
	ChangesLinks int
}

// TestBrowserFeeds opens the site's and a repository's Atom feed from
// file:// in headless Chromium: each parses as XML, with its Atom
// entries and no parse error or console problem. changes.html and a repository
// page open without problems too, and link the feeds from their head.
func TestBrowserFeeds(t *testing.T) {
	site := renderFixture(t)
	tb := newBrowser(t).newTab(t)
	for _, tt := range []struct {
		path    string
		entries int
	}{
		{"feed.xml", 4},
		{"r/team-a~api/feed.xml", 1},
		{"r/charts~api/feed.xml", 0},
	} {
		if problems := tb.visit(fileURL(t, filepath.Join(site, filepath.FromSlash(tt.path)))); len(problems) > 0 {
			t.Errorf("%s: %v", tt.path, problems)
		}
		st := eval[feedState](tb, `({Viewer: !!document.getElementById("webkit-xml-viewer-source-xml"),
  ParseErrors: document.getElementsByTagName("parsererror").length,
  Entries: document.getElementsByTagNameNS("http://www.w3.org/2005/Atom", "entry").length})`)
		if !st.Viewer || st.ParseErrors != 0 || st.Entries != tt.entries {
			t.Errorf("%s in Chromium: %+v, want an Atom feed with %d entries and no parse error", tt.path, st, tt.entries)
		}
	}
	for _, tt := range []struct {
		path  string
		feeds int // alternate links in the head
	}{{"changes.html", 1}, {"r/team-a~api/index.html", 2}} {
		if problems := tb.visit(fileURL(t, filepath.Join(site, filepath.FromSlash(tt.path)))); len(problems) > 0 {
			t.Errorf("%s: %v", tt.path, problems)
		}
		st := eval[feedState](tb, `({Alternate: document.head.querySelectorAll('link[rel=alternate][type="application/atom+xml"]').length,
  ChangesLinks: document.querySelectorAll("article.change").length})`)
		if st.Alternate != tt.feeds || st.ChangesLinks == 0 {
			t.Errorf("%s in Chromium: %d feed links in the head, %d changes; want %d and some", tt.path, st.Alternate, st.ChangesLinks, tt.feeds)
		}
	}
}
