package render

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// svgDoc is what the chart tests read of an SVG document.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	Width   int      `xml:"width,attr"`
	Height  int      `xml:"height,attr"`
	ViewBox string   `xml:"viewBox,attr"`
	Role    string   `xml:"role,attr"`
	Title   string   `xml:"title"`
	Desc    string   `xml:"desc"`
	Circles []struct {
		Title string `xml:"title"`
	} `xml:"circle"`
	Links []struct {
		Href string   `xml:"href,attr"`
		Text []string `xml:"g>text"`
	} `xml:"a"`
}

// parseSVG decodes b strictly as XML (every element closed, attributes
// quoted, entities known) into an svgDoc.
func parseSVG(t *testing.T, name string, b []byte) svgDoc {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
	}
	var d svgDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

// TestSizeCharts reads the size charts of the golden site (the files
// TestGolden keeps) as XML and checks what they say against the
// fixture: team-a/api has three tagged images, v1.0.0 to v1.2.0 (latest)
// of about 6 MB, base/alpine two (3.19 and the 3.20 index, by its
// linux/amd64 size); the other repositories have fewer than two images
// and no chart.
func TestSizeCharts(t *testing.T) {
	tests := []struct {
		repo    string
		circles []string
		desc    string
	}{
		{"team-a~api", []string{"v1.0.0: 6 MB, 2024-05-02", "v1.1.0: 6 MB, 2024-05-05", "latest: 6 MB, 2024-05-08"},
			"3 tagged images created from 2024-05-02 to 2024-05-08"},
		{"base~alpine", []string{"3.19: 1 MB, 2024-05-01", "latest: 1 MB, 2024-05-10"},
			"2 tagged images created from 2024-05-01 to 2024-05-10"},
	}
	for _, tt := range tests {
		t.Run(tt.repo, func(t *testing.T) {
			name := filepath.Join(goldenDir, "r", tt.repo, sizeChartFile)
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			d := parseSVG(t, name, b)
			if d.Width != chartWidth || d.Height != chartHeight || d.ViewBox != "0 0 640 240" || d.Role != "img" {
				t.Errorf("svg %d×%d viewBox %q role %q", d.Width, d.Height, d.ViewBox, d.Role)
			}
			if d.Title != "Image size over time: "+strings.ReplaceAll(tt.repo, "~", "/") || !strings.HasPrefix(d.Desc, tt.desc) {
				t.Errorf("title %q, desc %q", d.Title, d.Desc)
			}
			var got []string
			for _, c := range d.Circles {
				got = append(got, c.Title)
			}
			if strings.Join(got, "|") != strings.Join(tt.circles, "|") {
				t.Errorf("points %q, want %q", got, tt.circles)
			}
		})
	}
	for _, repo := range []string{"team-a~web", "evil", "charts~api"} {
		if _, err := os.Stat(filepath.Join(goldenDir, "r", repo, sizeChartFile)); !os.IsNotExist(err) {
			t.Errorf("%s has a size chart (%v), but fewer than two tagged images", repo, err)
		}
	}
}

// inlineSVG is the first <svg> element of an HTML page.
var inlineSVG = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// TestLineageGraph reads the graph on base/alpine:3.19's page as XML:
// one box for team-a/api, linked to its page, with its four tags (three
// images, v1.2.0 also latest).
func TestLineageGraph(t *testing.T) {
	name := filepath.Join(goldenDir, "r", "base~alpine", "sha256-8409df0bf42985a34a97370bb5e3a60c51622461ecfbcf2463114743c664a392.html")
	page, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	b := inlineSVG.Find(page)
	if b == nil {
		t.Fatalf("%s has no inline SVG", name)
	}
	d := parseSVG(t, name, b)
	if d.Width != graphWidth || d.Height != graphRow+8 || d.Title != "Repositories built on base/alpine:3.19" ||
		d.Desc != "1 repository built on it: team-a/api (4 tags)" {
		t.Errorf("graph %d×%d %q %q", d.Width, d.Height, d.Title, d.Desc)
	}
	if len(d.Links) != 1 || d.Links[0].Href != "../team-a~api/index.html" || strings.Join(d.Links[0].Text, "|") != "team-a/api|4 tags" {
		t.Errorf("links %+v", d.Links)
	}
	// The image built on nothing has no graph.
	web, err := os.ReadFile(filepath.Join(goldenDir, "r", "team-a~web", "sha256-57f75d3bcc262212585c3fc9e7bf033bd1bca61d47d8034ef39065e75925cfb0.html"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(web, []byte("<svg")) {
		t.Errorf("team-a/web has a lineage graph, but nothing is built on it")
	}
}
