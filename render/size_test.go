package render

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// TestShownSize checks the size the index and the tag history give for
// an image: for an index that of one platform, the same one the size
// badge shows, named beside it and used as the sort key; the image page
// gives the total, labelled as such.
func TestShownSize(t *testing.T) {
	plat := func(os, arch, variant string, layers ...string) snapshot.Platform {
		p := platform(arch, "im "+arch+variant, day(3), nil, nil, layers...)
		p.OS, p.Variant = os, variant
		return p
	}
	index := func(ps ...snapshot.Platform) snapshot.Image {
		im := snapshot.Image{Digest: dg("index"), MediaType: "application/vnd.oci.image.index.v1+json", Kind: snapshot.KindIndex, Tags: []string{"latest"}, Created: day(3), Platforms: ps}
		for _, p := range ps {
			im.Size += p.Size
		}
		return im
	}
	amd := plat("linux", "amd64", "", "a")
	arm := plat("linux", "arm64", "", "b", "c") // larger than amd64
	armv7 := plat("linux", "arm", "v7", "d")
	win := plat("windows", "amd64", "", "e", "f", "g")
	chart := snapshot.Image{
		Digest: dg("chart"), MediaType: "application/vnd.oci.image.manifest.v1+json", Kind: snapshot.KindArtifact,
		ArtifactType: "application/vnd.cncf.helm.config.v1+json", Tags: []string{"latest"}, Size: 4321,
		Layers: []snapshot.Layer{{Digest: dg("chart layer"), MediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", Size: 3210}},
	}
	tests := []struct {
		name         string
		im           snapshot.Image
		want         int64
		wantPlatform string
	}{
		{"index with linux/amd64", index(arm, amd, armv7), amd.Size, "linux/amd64"},
		{"index without linux/amd64: largest", index(armv7, arm), arm.Size, "linux/arm64"},
		{"windows/amd64 is not linux/amd64", index(amd, win), amd.Size, "linux/amd64"},
		{"index of one platform", index(armv7), armv7.Size, "linux/arm/v7"},
		{"single image", single("single", []string{"latest"}, amd), amd.Size, ""},
		{"artifact", chart, 4321, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := snapshot.Repository{Name: "ns/repo", Images: []snapshot.Image{tc.im}, Tags: tagsOf(tc.im)}
			snap, err := snapshot.Build(snapshot.Index{Registry: "r.example"}, []snapshot.Repository{r})
			if err != nil {
				t.Fatal(err)
			}
			site := readTree(t, renderTo(t, Config{}, snap))
			wantText := badge.HumanSize(tc.want)
			wantSub := "latest"
			if tc.wantPlatform != "" {
				wantSub += " · " + tc.wantPlatform
			}
			// The size cell is the last of the index row and the fourth of
			// the history row.
			index := elements(first(t, parsePage(t, site[indexPage]), "tbody"), "td")
			checkSizeCell(t, "index", index[len(index)-1], tc.want, wantText, wantSub)
			history := elements(first(t, parsePage(t, site[repoPage("ns/repo")]), "tbody"), "td")
			checkSizeCell(t, "tag history", history[2], tc.want, wantText, tc.wantPlatform)

			var set struct{ Size struct{ Message string } }
			if err := json.Unmarshal(site["badges/ns/repo/"+badgeSetFile], &set); err != nil {
				t.Fatal(err)
			}
			e := set.Size
			wantBadge := wantText
			if tc.wantPlatform != "" {
				wantBadge += " (" + tc.wantPlatform + ")"
			}
			if e.Message != wantBadge {
				t.Errorf("size badge says %q, the tables %q", e.Message, wantBadge)
			}

			facts := textOf(t, site[imagePage("ns/repo", tc.im.Digest)])
			wantTotal := badge.HumanSize(tc.im.Size)
			if tc.im.Kind == snapshot.KindIndex {
				n := len(tc.im.Platforms)
				wantTotal += " total of " + strconv.Itoa(n) + " platform"
				if n != 1 {
					wantTotal += "s"
				}
			}
			if !strings.Contains(facts, "Size"+wantTotal+"Kind") {
				t.Errorf("image page does not give the size as %q", wantTotal)
			}
		})
	}
}

// checkSizeCell checks a table cell giving a size: its sort key, its
// text and the notes under it, joined by " · ".
func checkSizeCell(t *testing.T, table string, td *html.Node, bytes int64, text, sub string) {
	t.Helper()
	if got := attr(td, "data-key"); got != strconv.FormatInt(bytes, 10) {
		t.Errorf("%s: size sorts by %s, want %d (the bytes shown)", table, got, bytes)
	}
	var subs []string
	for _, s := range elements(td, "span", "sub") {
		subs = append(subs, nodeText(s))
	}
	gotSub := strings.Join(subs, " · ")
	if got := strings.TrimSuffix(nodeText(td), strings.Join(subs, "")); got != text {
		t.Errorf("%s: size %q, want %q", table, got, text)
	}
	if gotSub != sub {
		t.Errorf("%s: size note %q, want %q", table, gotSub, sub)
	}
}
