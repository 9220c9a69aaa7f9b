package main

import (
	"path/filepath"
	"strconv"
	"testing"
)

// badgeImages is JavaScript listing the images of the "Get the badges"
// section as the browser decoded them.
const badgeImages = `Array.from(document.querySelectorAll("section.badges img")).map(function (i) {
  return {src: i.getAttribute("src"), complete: i.complete, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight,
    width: i.getAttribute("width"), height: i.getAttribute("height")};
})`

type badgeImageState struct {
	Src           string `json:"src"`
	Complete      bool   `json:"complete"`
	NaturalWidth  int    `json:"naturalWidth"`
	NaturalHeight int    `json:"naturalHeight"`
	Width         string `json:"width"`
	Height        string `json:"height"`
}

// TestBadgesInBrowser opens repository and image pages of the renderer's
// fixture from file:// in headless Chromium and checks that every badge
// loads as an image of the size the page declares for it: the SVG is
// valid, found, allowed by the Content Security Policy, and as wide as
// badge.Width says.
func TestBadgesInBrowser(t *testing.T) {
	site := renderFixture(t)
	tb := newBrowser(t).newTab(t)
	pages := []string{
		"r/base~alpine/index.html", // an index: size of linux/amd64
		"r/evil/index.html",        // hostile labels
		"r/charts~api/index.html",  // an artifact: unknown badges
		"r/team-a~api/sha256-62bb36a39f4374817e9ea05402067c26b12d2d8ee36723b56bcf7da7cfcb8db3.html", // tag latest, which has badges of its own
	}
	// One tab for all pages, whose helpers fail the test itself: no
	// subtests.
	for _, p := range pages {
		for _, problem := range tb.visit(fileURL(t, filepath.Join(site, filepath.FromSlash(p)))) {
			t.Errorf("%s: %s", p, problem)
		}
		imgs := eval[[]badgeImageState](tb, badgeImages)
		if len(imgs) != 10 {
			t.Errorf("%s shows %d badges, want 10", p, len(imgs))
		}
		for _, i := range imgs {
			if !i.Complete || strconv.Itoa(i.NaturalWidth) != i.Width || strconv.Itoa(i.NaturalHeight) != i.Height || i.NaturalWidth < 40 {
				t.Errorf("%s: badge %s loaded %v at %d×%d, declared %s×%s", p, i.Src, i.Complete, i.NaturalWidth, i.NaturalHeight, i.Width, i.Height)
			}
		}
	}
}
