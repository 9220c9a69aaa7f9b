package main

import (
	"path/filepath"
	"reflect"
	"testing"
)

// chartState is what the browser made of a chart: the size chart's
// <img> (decoded size and declared size) or the inline lineage graph's
// laid-out box, and what it links to.
type chartState struct {
	Found         bool     `json:"found"`
	Complete      bool     `json:"complete"`
	NaturalWidth  int      `json:"naturalWidth"`
	NaturalHeight int      `json:"naturalHeight"`
	Width         float64  `json:"width"`
	Height        float64  `json:"height"`
	Links         []string `json:"links"`
}

const sizeChartState = `(function () {
  var i = document.querySelector("figure.chart img");
  if (!i) return {found: false};
  var r = i.getBoundingClientRect();
  return {found: true, complete: i.complete, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight,
    width: r.width, height: r.height};
})()`

const graphState = `(function () {
  var s = document.querySelector("figure.graph svg");
  if (!s) return {found: false};
  var r = s.getBoundingClientRect();
  return {found: true, complete: true, width: r.width, height: r.height,
    links: Array.from(s.querySelectorAll("a")).map(function (a) { return a.href.baseVal || a.getAttribute("href"); })};
})()`

// TestChartsInBrowser opens the fixture's repository and base image
// pages from file:// in headless Chromium: the size chart loads as an
// image of its declared 640×240 (valid SVG, allowed by the Content
// Security Policy), and the lineage
// graph is laid out at 600 × (56 per repository + 8) pixels with a link
// per derived repository.
func TestChartsInBrowser(t *testing.T) {
	site := renderFixture(t)
	tb := newBrowser(t).newTab(t)
	tests := []struct {
		page  string
		js    string
		want  chartState
		links int
	}{
		{"r/team-a~api/index.html", sizeChartState, chartState{Found: true, Complete: true, NaturalWidth: 640, NaturalHeight: 240, Width: 640, Height: 240}, 0},
		{"r/base~alpine/index.html", sizeChartState, chartState{Found: true, Complete: true, NaturalWidth: 640, NaturalHeight: 240, Width: 640, Height: 240}, 0},
		{"r/base~alpine/sha256-8409df0bf42985a34a97370bb5e3a60c51622461ecfbcf2463114743c664a392.html", graphState, chartState{Found: true, Complete: true, Width: 600, Height: 64}, 1},
		{"r/base~alpine/sha256-e4fbc9d84109244aada6409624209e83406a67ed67ebd04b3ef0515d05429462.html", graphState, chartState{Found: true, Complete: true, Width: 600, Height: 64}, 1},
	}
	// One tab for all pages, whose helpers fail the test itself: no
	// subtests.
	for _, tt := range tests {
		for _, problem := range tb.visit(fileURL(t, filepath.Join(site, filepath.FromSlash(tt.page)))) {
			t.Errorf("%s: %s", tt.page, problem)
		}
		got := eval[chartState](tb, tt.js)
		links := got.Links
		got.Links, tt.want.Links = nil, nil
		if !reflect.DeepEqual(got, tt.want) || len(links) != tt.links {
			t.Errorf("%s: %+v with links %q, want %+v with %d links", tt.page, got, links, tt.want, tt.links)
		}
	}
}
