package render

import (
	"strings"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

// TestAttestations checks that the attestations table of an image page
// names the platform each entry attests, by its
// vnd.docker.reference.digest annotation, and links to that platform on
// the page.
func TestAttestations(t *testing.T) {
	amd := platform("amd64", "multi", day(1), nil, nil, "a")
	arm := platform("arm64", "multi", day(1), nil, nil, "b")
	arm.Variant = "v8"
	ref := func(digest, typ string) map[string]string {
		m := map[string]string{}
		if digest != "" {
			m["vnd.docker.reference.digest"] = digest
		}
		if typ != "" {
			m["vnd.docker.reference.type"] = typ
		}
		return m
	}
	tests := []struct {
		name        string
		annotations map[string]string
		wantAttests string // text of the Attests cell
		wantHref    string // its link, "" for none
		wantType    string
	}{
		{"first platform", ref(amd.Digest, "attestation-manifest"), "linux/amd64", "#platform-1", "attestation-manifest"},
		{"second platform", ref(arm.Digest, "attestation-manifest"), "linux/arm64/v8", "#platform-2", "attestation-manifest"},
		{"platform not in the index", ref(dg("elsewhere"), "attestation-manifest"), shortDigest(dg("elsewhere")) + " not in this index", "", "attestation-manifest"},
		{"not a digest", ref("<b>not a digest at all, and long</b>", ""), "<b>not a digest at … not in this index", "", "not given"},
		{"no annotations", nil, "not given", "", "not given"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im := snapshot.Image{
				Digest: dg("index multi"), MediaType: "application/vnd.oci.image.index.v1+json", Kind: snapshot.KindIndex,
				Tags: []string{"latest"}, Created: day(1), Size: amd.Size + arm.Size, Platforms: []snapshot.Platform{amd, arm},
				Attestations: []snapshot.Descriptor{{Digest: dg("attestation"), MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 840, Annotations: tc.annotations}},
			}
			snap, err := snapshot.Build(snapshot.Index{Registry: "r.example"}, []snapshot.Repository{{Name: "ns/repo", Images: []snapshot.Image{im}, Tags: tagsOf(im)}})
			if err != nil {
				t.Fatal(err)
			}
			site := readTree(t, renderTo(t, Config{}, snap))
			doc := parsePage(t, site[imagePage("ns/repo", im.Digest)])
			var table []string
			for _, s := range elements(doc, "section") {
				if attr(s, "aria-labelledby") == "attestations" {
					table = append(table, "found")
					cells := elements(first(t, s, "tbody"), "td")
					if got := nodeText(cells[0]); got != tc.wantAttests {
						t.Errorf("attests %q, want %q", got, tc.wantAttests)
					}
					var href string
					if a := elements(cells[0], "a"); len(a) > 0 {
						href = attr(a[0], "href")
					}
					if href != tc.wantHref {
						t.Errorf("attests links to %q, want %q", href, tc.wantHref)
					}
					if got := nodeText(cells[1]); got != tc.wantType {
						t.Errorf("reference type %q, want %q", got, tc.wantType)
					}
					if got := nodeText(cells[2]); got != shortDigest(dg("attestation")) {
						t.Errorf("digest %q, want the attestation's own", got)
					}
				}
			}
			if len(table) != 1 {
				t.Fatalf("%d attestation sections, want 1", len(table))
			}
			if tc.wantHref != "" {
				id := strings.TrimPrefix(tc.wantHref, "#")
				var target string
				for _, d := range elements(doc, "details", "platform") {
					if attr(d, "id") == id {
						target = nodeText(first(t, d, "strong"))
					}
				}
				if target != tc.wantAttests {
					t.Errorf("%s is the platform %q, want %q", tc.wantHref, target, tc.wantAttests)
				}
			}
		})
	}
}
