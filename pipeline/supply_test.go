package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/snapshot"
)

// TestSupplyChainSite builds the supply fixture from go-containerregistry's
// registry (referrers API) and the distribution registry (referrers tag
// schema) and reads the site as a browser and a README would: the tag
// table lists releases only, with signed, SBOM and provenance markers; the
// image page lists every referrer with hostile text inert; the signed and
// sbom badges (SVG and badges.json) say what is attached; api/ carries
// the referrers.
func TestSupplyChainSite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		start func(testing.TB) *regtest.Registry
	}{
		{"ggcr-referrers-api", func(tb testing.TB) *regtest.Registry { return regtest.NewGGCR(tb, regtest.WithReferrersAPI()) }},
		{"distribution-tag-schema", func(tb testing.TB) *regtest.Registry { return regtest.NewDistribution(tb) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := tc.start(t)
			fx := regtest.Supply(t)
			if err := reg.Populate(context.Background(), fx); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var log bytes.Buffer
			cfg := build(reg, dir, &log)
			if _, err := pipeline.Run(context.Background(), cfg); err != nil {
				t.Fatalf("%v\n%s", err, log.String())
			}
			site := cfg.Render.Out
			digest := func(tag string) string {
				ft, _ := fx.Tag("sec/app", tag)
				return ft.Digest.String()
			}
			page := func(tag string) string {
				return filepath.Join(site, "r", "sec~app", strings.Replace(digest(tag), ":", "-", 1)+".html")
			}

			// Tag table: releases only, with markers.
			rows := tagRows(t, parseFile(t, filepath.Join(site, "r", "sec~app", "index.html")))
			var tags []string
			for _, r := range rows {
				tags = append(tags, r.tags...)
			}
			slices.Sort(tags)
			if want := []string{"1.0", "2.0", "3.0", "sbom"}; !slices.Equal(tags, want) {
				t.Errorf("tag table lists %v, want %v (no referrers tags)", tags, want)
			}
			wantMarks := map[string][]string{
				"1.0":  {"signed: Signed: cosign, notation", "SBOM: Software bill of materials: CycloneDX, SPDX", "provenance: Build provenance attestation (SLSA)"},
				"2.0":  {"signed: Signed: cosign", "provenance: Build provenance attestation (SLSA)"},
				"3.0":  nil,
				"sbom": nil,
			}
			for _, r := range rows {
				if w := wantMarks[r.tags[0]]; !slices.Equal(r.marks, w) {
					t.Errorf("row %v markers %q, want %q", r.tags, r.marks, w)
				}
			}

			// Image page: one row per referrer, kinds named.
			kinds := supplyKinds(t, parseFile(t, page("1.0")))
			if want := []string{"Provenance", "SBOM", "SBOM", "Signature", "Signature"}; !slices.Equal(kinds, want) {
				t.Errorf("1.0 page lists kinds %v, want %v", kinds, want)
			}
			if kinds := supplyKinds(t, parseFile(t, page("3.0"))); len(kinds) != 0 {
				t.Errorf("3.0 page lists %v, want no section", kinds)
			}
			ft, _ := fx.Tag("sec/hostile", "1.0")
			hostile := filepath.Join(site, "r", "sec~hostile", strings.Replace(ft.Digest.String(), ":", "-", 1)+".html")
			doc := parseFile(t, hostile)
			text := textOf(doc)
			if !strings.Contains(text, regtest.HostileArtifactType) || !strings.Contains(text, regtest.HostileAnnotation) {
				t.Errorf("hostile artifactType or annotation not shown as text")
			}
			for _, n := range elements(doc, "script") {
				if src := attr(n, "src"); src == "" || strings.Contains(textOf(n), "alert") {
					t.Errorf("script element from registry text: %q", textOf(n))
				}
			}
			for _, n := range elements(doc, "img") {
				if attr(n, "onerror") != "" {
					t.Errorf("img with onerror from registry text")
				}
			}

			// A referrers tag of another repository's image is listed
			// apart on the repository page, not in its tag table.
			orphan := "sha256-" + strings.TrimPrefix(digest("2.0"), "sha256:")
			hrepo := parseFile(t, filepath.Join(site, "r", "sec~hostile", "index.html"))
			for _, r := range tagRows(t, hrepo) {
				if slices.Contains(r.tags, orphan) {
					t.Errorf("sec/hostile tag table lists %s", orphan)
				}
			}
			if listed := strings.Contains(textOf(hrepo), orphan); listed != (tc.name == "distribution-tag-schema") {
				t.Errorf("sec/hostile page lists the unattached tag %s: %v", orphan, listed)
			}

			// Badges.
			for _, b := range []struct{ tag, kind, msg, color string }{
				{"1.0", "signed", "cosign, notation", "blue"},
				{"1.0", "sbom", "CycloneDX, SPDX", "blue"},
				{"2.0", "signed", "cosign", "blue"},
				{"2.0", "sbom", "none", "lightgrey"},
				{"3.0", "signed", "no", "lightgrey"},
			} {
				dir := filepath.Join(site, "badges", "sec", "app", b.tag)
				base := filepath.Join(dir, b.kind)
				var set map[string]struct{ Label, Message, Color string }
				readJSON(t, filepath.Join(dir, "badges.json"), &set)
				if ep := set[b.kind]; ep.Label != b.kind || ep.Message != b.msg || ep.Color != b.color {
					t.Errorf("%s/badges.json %s = %+v, want %s %q %s", b.tag, b.kind, ep, b.kind, b.msg, b.color)
				}
				if svg := svgText(t, base+".svg"); !strings.Contains(svg, b.kind) || !strings.Contains(svg, b.msg) {
					t.Errorf("%s/%s.svg says %q, want %q", b.tag, b.kind, svg, b.msg)
				}
			}

			// api/ carries the referrers.
			f, err := os.Open(filepath.Join(site, "api", "repos", "sec~app.json"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			repo, err := snapshot.DecodeRepository(f)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, im := range repo.Images {
				n += len(im.Referrers)
			}
			if n != 7 || len(repo.ReferrerTags) == 0 {
				t.Errorf("api: %d referrers and %d referrer tags, want 7 and some", n, len(repo.ReferrerTags))
			}
		})
	}
}

// tagRow is one row of a tag table: its tags and markers ("text: title").
type tagRow struct{ tags, marks []string }

func tagRows(t *testing.T, doc *html.Node) []tagRow {
	t.Helper()
	var out []tagRow
	// The tag history is the page's first table (the size chart's data
	// table below it has rows too).
	tables := elements(doc, "table")
	if len(tables) == 0 {
		t.Fatal("no tag table")
	}
	for _, tr := range elements(tables[0], "tr") {
		ths := elements(tr, "th")
		if len(ths) == 0 || attr(ths[0], "scope") != "row" {
			continue
		}
		var r tagRow
		for _, a := range elements(ths[0], "a") {
			r.tags = append(r.tags, textOf(a))
		}
		for _, m := range elements(ths[0], "abbr") {
			r.marks = append(r.marks, textOf(m)+": "+attr(m, "title"))
		}
		out = append(out, r)
	}
	return out
}

// supplyKinds are the kinds of the "Signatures and attestations" rows,
// sorted.
func supplyKinds(t *testing.T, doc *html.Node) []string {
	t.Helper()
	var out []string
	for _, tb := range elements(doc, "table") {
		if attr(tb, "class") != "supply" {
			continue
		}
		for _, th := range elements(tb, "th") {
			if attr(th, "scope") == "row" {
				out = append(out, textOf(th))
			}
		}
	}
	slices.Sort(out)
	return out
}

func parseFile(t *testing.T, name string) *html.Node {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func elements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.Data == tag {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// svgText is the text of an SVG badge, parsed as XML.
func svgText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out.String()
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			out.Write(cd)
			out.WriteByte(' ')
		}
	}
}
