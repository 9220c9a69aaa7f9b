package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"math"
	"strconv"
	"time"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/internal/sitefs"
	"github.com/regcat/regcat/lint"
	"github.com/regcat/regcat/snapshot"
)

// The charts of the site: each repository's image size over time, a
// static SVG file beside its page (sizeChartFile) shown with <img> and a
// table fallback, and on a base image's page the repositories built on
// it, an SVG inline in the page so that its nodes can be links. Both are
// drawn from the catalog alone, with integer coordinates, so the same
// snapshot gives the same bytes.

// sizeChartFile is the size chart's file name in a repository's
// directory.
const sizeChartFile = "size.svg"

// The size chart's box and the margins around its plot, in pixels.
const (
	chartWidth, chartHeight = 640, 240
	chartLeft, chartRight   = 72, 24
	chartTop, chartBottom   = 16, 40
)

// chartOutput writes the size chart of every repository that has one.
var chartOutput = output{name: "charts",
	write: func(_ context.Context, r *renderer, s *sitefs.Dir, _ spawner) error { return r.mkRepoDirs(s) },
	repo: func(r *renderer, s *sitefs.Dir, spawn spawner, rp *catalog.Repo, _ *catalog.Full) error {
		pts := sizePoints(rp)
		if len(pts) < 2 {
			return nil
		}
		return spawn(func(context.Context) error {
			return s.Write(repoDir(rp.Name)+sizeChartFile, sizeChartSVG(rp.Name, pts))
		})
	}}

// sizePoint is one image on a size chart.
type sizePoint struct {
	im       *catalog.Image
	size     Size
	platform string
}

// sizePoints are a repository's tagged images and indexes of known
// creation time, oldest first, each with the size the tables show (an
// index's default platform).
func sizePoints(rp *catalog.Repo) []sizePoint {
	var out []sizePoint
	for i := len(rp.Images) - 1; i >= 0; i-- {
		ip := rp.Images[i]
		if !lint.Linted(ip) || len(ip.Tags) == 0 || ip.Created.IsZero() {
			continue
		}
		size, platform := shownSize(ip)
		out = append(out, sizePoint{im: ip, size: size, platform: platform})
	}
	return out
}

// sizeChartView is the view of a repository's size chart, or nil when
// it has fewer than two points. It has no table of its data: the tag
// history lists the same sizes and dates, and repeating them would make
// the page a third larger.
func sizeChartView(rp *catalog.Repo) *Chart {
	pts := sizePoints(rp)
	if len(pts) < 2 {
		return nil
	}
	return &Chart{Src: sizeChartFile, Width: chartWidth, Height: chartHeight, Alt: sizeChartTitle(rp.Name) + ". " + sizeChartDesc(pts)}
}

func sizeChartTitle(repo string) string { return "Image size over time: " + repo }

// sizeChartDesc says what the chart shows in a sentence.
func sizeChartDesc(pts []sizePoint) string {
	lo, hi := pts[0], pts[0]
	for _, p := range pts {
		if p.size.Bytes < lo.size.Bytes {
			lo = p
		}
		if p.size.Bytes > hi.size.Bytes {
			hi = p
		}
	}
	first, last := pts[0].im.Created, pts[len(pts)-1].im.Created
	return strconv.Itoa(len(pts)) + " tagged images created from " + first.UTC().Format(time.DateOnly) +
		" to " + last.UTC().Format(time.DateOnly) + "; smallest " + lo.size.Text + " (" + lo.im.DisplayTag() +
		"), largest " + hi.size.Text + " (" + hi.im.DisplayTag() + ")"
}

// niceCeil is the smallest of 1, 2, 2.5 and 5 times a power of ten that
// is at least v (v > 0): the top of a chart's axis.
func niceCeil(v float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*e >= v {
			return m * e
		}
	}
	return 10 * e
}

// svgWriter writes SVG markup with escaped text and integer
// coordinates.
type svgWriter struct{ bytes.Buffer }

func (w *svgWriter) text(s string) {
	// Writes to a bytes.Buffer cannot fail.
	_ = xml.EscapeText(w, []byte(oneLine(s)))
}

func (w *svgWriter) raw(parts ...string) {
	for _, p := range parts {
		w.WriteString(p)
	}
}

func itoa(v float64) string { return strconv.Itoa(int(math.Round(v))) }

// maxChartDots is the most points a size chart marks with a dot and a
// tooltip; past it the line alone shows them, so that the chart of a
// repository at the tag cap stays small.
const maxChartDots = 1000

// sizeChartSVG draws the size chart of repo: a line through the points
// by creation time, a dot per image with a tooltip (up to maxChartDots), and a size axis
// with four steps from 0. Colours are mid-tones readable on light and
// dark pages, since an SVG shown by <img> sees no page style.
func sizeChartSVG(repo string, pts []sizePoint) []byte {
	const (
		plotW = chartWidth - chartLeft - chartRight
		plotH = chartHeight - chartTop - chartBottom
		ink   = "#768390"
		line  = "#2f81f7"
	)
	var top int64 = 1
	for _, p := range pts {
		top = max(top, p.size.Bytes)
	}
	yMax := niceCeil(float64(top))
	t0, t1 := pts[0].im.Created, pts[len(pts)-1].im.Created
	x := func(t time.Time) float64 {
		if !t1.After(t0) {
			return chartLeft + plotW/2
		}
		return chartLeft + float64(plotW)*float64(t.Sub(t0))/float64(t1.Sub(t0))
	}
	y := func(n int64) float64 { return chartTop + plotH - float64(plotH)*float64(n)/yMax }

	var w svgWriter
	w.raw(`<svg xmlns="http://www.w3.org/2000/svg" width="`, strconv.Itoa(chartWidth), `" height="`, strconv.Itoa(chartHeight),
		`" viewBox="0 0 `, strconv.Itoa(chartWidth), " ", strconv.Itoa(chartHeight), `" role="img" aria-labelledby="t d">`)
	w.raw(`<title id="t">`)
	w.text(sizeChartTitle(repo))
	w.raw(`</title><desc id="d">`)
	w.text(sizeChartDesc(pts))
	w.raw(`</desc><g font-family="sans-serif" font-size="12" fill="`, ink, `">`)
	for i := range 5 {
		v := yMax * float64(i) / 4
		yy := itoa(y(int64(v)))
		w.raw(`<line x1="`, strconv.Itoa(chartLeft), `" y1="`, yy, `" x2="`, strconv.Itoa(chartWidth-chartRight), `" y2="`, yy,
			`" stroke="`, ink, `" stroke-opacity="0.35"/>`)
		w.raw(`<text x="`, strconv.Itoa(chartLeft-8), `" y="`, itoa(y(int64(v))+4), `" text-anchor="end">`)
		w.text(sizeView(int64(v)).Text)
		w.raw(`</text>`)
	}
	base := strconv.Itoa(chartHeight - chartBottom + 20)
	w.raw(`<text x="`, strconv.Itoa(chartLeft), `" y="`, base, `">`, t0.UTC().Format(time.DateOnly), `</text>`)
	if t1.After(t0) {
		w.raw(`<text x="`, strconv.Itoa(chartWidth-chartRight), `" y="`, base, `" text-anchor="end">`, t1.UTC().Format(time.DateOnly), `</text>`)
	}
	w.raw(`</g><polyline fill="none" stroke="`, line, `" stroke-width="2" points="`)
	for i, p := range pts {
		if i > 0 {
			w.raw(" ")
		}
		w.raw(itoa(x(p.im.Created)), ",", itoa(y(p.size.Bytes)))
	}
	w.raw(`"/>`)
	if len(pts) > maxChartDots {
		pts = nil
	}
	for _, p := range pts {
		w.raw(`<circle cx="`, itoa(x(p.im.Created)), `" cy="`, itoa(y(p.size.Bytes)), `" r="4" fill="`, line, `"><title>`)
		w.text(p.im.DisplayTag() + ": " + p.size.Text + ", " + p.im.Created.UTC().Format(time.DateOnly))
		w.raw(`</title></circle>`)
	}
	w.raw("</svg>\n")
	return w.Bytes()
}

// The lineage graph's layout, in pixels: the base's box on the left, a
// box per derived repository on the right, one row each.
const (
	graphWidth          = 600
	graphBoxH, graphRow = 44, 56
	graphBaseW          = 220
	graphChildW         = 260
	graphLabel          = 30 // runes of a box's label
	maxGraphRepos       = 12
)

// lineageGraph is the graph of the repositories built on ip, or nil
// when none is.
func lineageGraph(ip *catalog.Image) *Graph {
	type group struct {
		repo         *catalog.Repo
		images, tags int
	}
	var groups []*group
	for _, c := range ip.Children { // sorted by repository name first
		if len(groups) == 0 || groups[len(groups)-1].repo != c.Repo {
			groups = append(groups, &group{repo: c.Repo})
		}
		g := groups[len(groups)-1]
		g.images++
		g.tags += len(c.Tags)
	}
	if len(groups) == 0 {
		return nil
	}
	g := &Graph{Width: graphWidth, Title: "Repositories built on " + lint.Ref(ip)}
	if len(groups) > maxGraphRepos {
		g.More = len(groups) - maxGraphRepos
		groups = groups[:maxGraphRepos]
	}
	g.Height = len(groups)*graphRow + 8
	baseY := (g.Height - graphBoxH) / 2
	g.Base = graphNode(8, baseY, graphBaseW, lint.Ref(ip), "base image", "")
	desc := ""
	for i, gr := range groups {
		sub := plural(gr.tags, "tag", "tags")
		if gr.tags == 0 {
			sub = plural(gr.images, "untagged image", "untagged images")
		}
		n := graphNode(graphWidth-8-graphChildW, 4+(graphRow-graphBoxH)/2+i*graphRow, graphChildW, gr.repo.Name, sub, "../"+repoKey(gr.repo.Name)+"/"+indexPage)
		n.X1, n.Y1 = 8+graphBaseW, baseY+graphBoxH/2
		n.X2, n.Y2 = n.X, n.Y+graphBoxH/2
		g.Nodes = append(g.Nodes, n)
		if i > 0 {
			desc += "; "
		}
		desc += gr.repo.Name + " (" + sub + ")"
	}
	g.Desc = plural(len(groups)+g.More, "repository", "repositories") + " built on it: " + desc
	if g.More > 0 {
		g.Desc += "; and " + strconv.Itoa(g.More) + " more"
	}
	return g
}

func graphNode(x, y, w int, label, sub, href string) GraphNode {
	return GraphNode{X: x, Y: y, W: w, H: graphBoxH, TextX: x + 10, TextY: y + 18, SubY: y + 35,
		Label: oneLine(snapshot.Truncate(label, graphLabel)), Sub: sub, Href: href}
}
