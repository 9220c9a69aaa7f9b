package badge

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// shieldsBuildPassing is img.shields.io/badge/build-passing-brightgreen as
// badge-maker draws it (flat style, no logo, no links), quoted verbatim in
// public ports that test themselves against shields.
const shieldsBuildPassing = `<svg xmlns="http://www.w3.org/2000/svg" width="88" height="20" role="img" aria-label="build: passing"><title>build: passing</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="88" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="37" height="20" fill="#555"/><rect x="37" width="51" height="20" fill="#4c1"/><rect width="88" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110"><text aria-hidden="true" x="195" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="270">build</text><text x="195" y="140" transform="scale(.1)" fill="#fff" textLength="270">build</text><text aria-hidden="true" x="615" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="410">passing</text><text x="615" y="140" transform="scale(.1)" fill="#fff" textLength="410">passing</text></g></svg>`

// paint summarises what a badge draws, independent of how the markup
// groups it: the root's size and accessible name, each rectangle, and each
// text with its effective fill and opacity, sorted.
func paint(t *testing.T, svg []byte) []string {
	t.Helper()
	elems := mustParseSVG(t, svg)
	root := elems[0].attrs
	out := []string{fmt.Sprintf("svg %s×%s %q", root["width"], root["height"], root["aria-label"])}
	for _, e := range elems {
		a := e.attrs
		switch e.name {
		case "title":
			out = append(out, fmt.Sprintf("title %q", e.text))
		case "rect", "path":
			b, ok := boxOf(e)
			if !ok {
				t.Fatalf("<%s> %v is not a box", e.name, a)
			}
			if b.rx != "" {
				b.fill = "" // a clip path's fill paints nothing
			}
			out = append(out, fmt.Sprintf("box x=%d w=%d h=%d rx=%s fill=%s", b.x, b.width, b.height, b.rx, b.fill))
		case "text":
			fill, opacity := a["fill"], "1"
			if a["y"] == "150" { // shadow
				opacity = ".3"
				if fill == "" {
					fill = "#010101"
				}
			}
			if fill == "" {
				fill = "#fff"
			}
			out = append(out, fmt.Sprintf("text x=%s y=%s len=%s fill=%s opacity=%s %q", a["x"], a["y"], a["textLength"], fill, opacity, e.text))
		}
	}
	slices.Sort(out)
	return out
}

// TestSVGMatchesShields draws what shields draws: the same size, boxes,
// colours, text positions and lengths as badge-maker's own build-passing
// badge.
func TestSVGMatchesShields(t *testing.T) {
	got := paint(t, SVG(Badge{"build", "passing", BrightGreen}, Flat))
	want := paint(t, []byte(shieldsBuildPassing))
	if !slices.Equal(got, want) {
		t.Errorf("paint differs from shields'\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSVGGeometry checks widths and text centres against badges served by
// img.shields.io (docs-passing: 86 wide, split at 35, texts at 18.5px and
// 59.5px; build-failing: 80 wide, split at 37) and against badge-maker's
// formulas for a badge without a label.
func TestSVGGeometry(t *testing.T) {
	tests := []struct {
		name       string
		badge      Badge
		width      int
		rects      []string // x:width of each coloured part
		textCentre []string // x of each visible text, tenths of a pixel
	}{
		{"build passing", Badge{"build", "passing", BrightGreen}, 88, []string{"0:37", "37:51"}, []string{"195", "615"}},
		{"docs passing", Badge{"docs", "passing", BrightGreen}, 86, []string{"0:35", "35:51"}, []string{"185", "595"}},
		{"build failing", Badge{"build", "failing", Red}, 80, []string{"0:37", "37:43"}, []string{"195", "575"}},
		// No label: one part, the message centred in it.
		{"message only", Badge{"", "passing", BrightGreen}, 51, []string{"0:51"}, []string{"255"}},
	}
	for _, tt := range tests {
		for _, style := range []Style{Flat, FlatSquare} {
			t.Run(tt.name+"/"+style.String(), func(t *testing.T) {
				if got := Width(tt.badge); got != tt.width {
					t.Errorf("Width = %d, want %d", got, tt.width)
				}
				elems := mustParseSVG(t, SVG(tt.badge, style))
				if got := elems[0].attrs["width"]; got != fmt.Sprint(tt.width) {
					t.Errorf("svg width = %s, want %d", got, tt.width)
				}
				var rects, centres []string
				for _, e := range elems {
					if b, ok := boxOf(e); ok && b.rx == "" && !strings.HasPrefix(b.fill, "url(") {
						rects = append(rects, fmt.Sprintf("%d:%d", b.x, b.width))
					}
					if e.name == "text" && e.attrs["y"] == "140" {
						centres = append(centres, e.attrs["x"])
					}
				}
				if !slices.Equal(rects, tt.rects) {
					t.Errorf("rects = %v, want %v", rects, tt.rects)
				}
				if !slices.Equal(centres, tt.textCentre) {
					t.Errorf("text centres = %v, want %v", centres, tt.textCentre)
				}
			})
		}
	}
}

// TestSVGStyles checks what sets the styles apart: flat has rounded
// corners, a gradient and shadows; flat-square has none of them.
func TestSVGStyles(t *testing.T) {
	b := Badge{"build", "passing", BrightGreen}
	flat, square := string(SVG(b, Flat)), string(SVG(b, FlatSquare))
	for _, s := range []string{`rx="3"`, `<linearGradient`, `url(#s)`, `fill-opacity=".3"`, `y="150"`} {
		if !strings.Contains(flat, s) {
			t.Errorf("flat badge lacks %s", s)
		}
		if strings.Contains(square, s) {
			t.Errorf("flat-square badge has %s", s)
		}
	}
	if !strings.Contains(square, `shape-rendering="crispEdges"`) {
		t.Error("flat-square badge is not crispEdges")
	}
	if got := string(SVG(b, Style(7))); got != flat {
		t.Error("an unknown style does not draw as flat")
	}
}

// TestSVGTextColors checks text darkens on grounds brighter than .69 and
// stays white on shields' named colours, with its shadow, as badge-maker
// does.
func TestSVGTextColors(t *testing.T) {
	tests := []struct {
		color, ink, shade string
	}{
		{BrightGreen, "#fff", "#010101"},
		{Yellow, "#fff", "#010101"}, // brightness .68, just under .69
		{"#ff0", "#333", "#ccc"},
		{"#FFFFFF", "#333", "#ccc"},
		{"#b1b1b1", "#fff", "#010101"}, // brightness .694, rounds to .69: still white
		{"#b2b2b2", "#333", "#ccc"},    // brightness .698, rounds to .70
	}
	for _, tt := range tests {
		t.Run(tt.color, func(t *testing.T) {
			_, fill := normalizeColor(tt.color)
			ink, shade := textColors(fill)
			if ink != tt.ink || shade != tt.shade {
				t.Errorf("textColors = %s, %s; want %s, %s", ink, shade, tt.ink, tt.shade)
			}
		})
	}
}

// TestSVGDeterministic draws the same badges twice and compares bytes.
func TestSVGDeterministic(t *testing.T) {
	for _, b := range sampleBadges {
		for _, s := range []Style{Flat, FlatSquare} {
			if !bytes.Equal(SVG(b, s), SVG(b, s)) {
				t.Errorf("SVG(%+v, %v) differs between calls", b, s)
			}
		}
	}
}

// sampleBadges are typical regcat badges.
var sampleBadges = []Badge{
	{"version", "1.27.3-alpine3.19", Blue},
	{"size", HumanSize(48_234_567), Blue},
	{"layers", "12", Blue},
	{"image", HumanSize(48_234_567) + " | 12 layers", Blue},
	{"created", "2024-05-01", Blue},
	{"commit", "a1b2c3d", Blue},
	{"license", "Apache-2.0 OR MIT", Blue},
	{"platforms", "linux/amd64, linux/arm64", Blue},
	Unknown("license"),
	NotGiven("commit"),
}

// TestSVGSize keeps typical badges within 1 KB.
func TestSVGSize(t *testing.T) {
	for _, b := range sampleBadges {
		for _, s := range []Style{Flat, FlatSquare} {
			if n := len(SVG(b, s)); n > 1024 {
				t.Errorf("SVG(%q: %q, %v) is %d bytes, over 1 KB", b.Label, b.Message, s, n)
			}
		}
	}
}
