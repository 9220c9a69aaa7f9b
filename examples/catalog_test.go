package examples

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regcat/regcat/snapshot"
)

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"empty", `{"repositories": []}`, "no repositories"},
		{"unknown field", `{"repositories": [], "extra": 1}`, "unknown field"},
		{"bad repository", `{"repositories": [{"name": "Bad/Name", "images": [{"tags": ["1"], "created": "2026-01-01T00:00:00Z", "steps": [{"created_by": "x"}]}]}]}`, `repository "Bad/Name"`},
		{"no images", `{"repositories": [{"name": "a/b"}]}`, "no images"},
		{"bad tag", `{"repositories": [{"name": "a/b", "images": [{"tags": ["../x"], "created": "2026-01-01T00:00:00Z", "steps": [{"created_by": "x"}]}]}]}`, `tag "../x"`},
		{"tag twice", `{"repositories": [{"name": "a/b", "images": [
			{"tags": ["1"], "created": "2026-01-01T00:00:00Z", "steps": [{"created_by": "x"}]},
			{"tags": ["1"], "created": "2026-01-01T00:00:00Z", "steps": [{"created_by": "x"}]}]}]}`, "tag 1 used twice"},
		{"no created", `{"repositories": [{"name": "a/b", "images": [{"tags": ["1"], "steps": [{"created_by": "x"}]}]}]}`, "no created time"},
		{"later base", `{"repositories": [
			{"name": "a/b", "images": [{"tags": ["1"], "created": "2026-01-01T00:00:00Z", "base": "a/c:1"}]},
			{"name": "a/c", "images": [{"tags": ["1"], "created": "2026-01-01T00:00:00Z", "steps": [{"created_by": "x"}]}]}]}`, "not an earlier image"},
		{"bad format", `{"repositories": [{"name": "a/b", "images": [{"tags": ["1"], "created": "2026-01-01T00:00:00Z", "format": "v1", "steps": [{"created_by": "x"}]}]}]}`, `unknown format "v1"`},
		{"layer without size", `{"repositories": [{"name": "a/b", "images": [{"tags": ["1"], "created": "2026-01-01T00:00:00Z", "steps": [{"created_by": "x", "layer": "l"}]}]}]}`, "needs a positive size"},
		{"nothing to build", `{"repositories": [{"name": "a/b", "images": [{"tags": ["1"], "created": "2026-01-01T00:00:00Z"}]}]}`, "no base and no steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestMergeEnv(t *testing.T) {
	tests := []struct {
		name            string
		def, over, want []string
	}{
		{"both empty", nil, nil, nil},
		{"inherit", []string{"A=1"}, nil, []string{"A=1"}},
		{"append", []string{"A=1"}, []string{"B=2"}, []string{"A=1", "B=2"}},
		{"replace in place", []string{"A=1", "B=2"}, []string{"A=3"}, []string{"A=3", "B=2"}},
		{"prefix is not a match", []string{"AB=1"}, []string{"A=2"}, []string{"AB=1", "A=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergeEnv(tt.def, tt.over); !slices.Equal(got, tt.want) {
				t.Errorf("mergeEnv(%q, %q) = %q, want %q", tt.def, tt.over, got, tt.want)
			}
		})
	}
}

// TestCatalogShowsEveryFeature keeps the demo honest: each case is
// something the rendered site is meant to show off.
func TestCatalogShowsEveryFeature(t *testing.T) {
	c, arts := build(t)
	tests := []struct {
		name string
		ok   func() bool
	}{
		{"aliases latest, 1, 1.4, 1.4.2 share a digest", func() bool {
			a := find(t, arts, "team-a/api", "1.4.2")
			return slices.Equal(a.Tags, []string{"1.4.2", "1.4", "1", "latest"})
		}},
		{"a repository whose created order differs from its tag order", func() bool {
			for _, r := range c.Repositories {
				byTag := slices.Clone(r.Images)
				slices.SortFunc(byTag, func(a, b Image) int { return compareVersions(a.Tags[0], b.Tags[0]) })
				byCreated := slices.Clone(r.Images)
				slices.SortFunc(byCreated, func(a, b Image) int { return a.Created.Compare(b.Created) })
				for i := range byTag {
					if byTag[i].Tags[0] != byCreated[i].Tags[0] {
						return true
					}
				}
			}
			return false
		}},
		{"created dates spread over months", func() bool {
			lo, hi := c.Repositories[0].Images[0].Created, c.Repositories[0].Images[0].Created
			for _, r := range c.Repositories {
				for _, img := range r.Images {
					lo, hi = minTime(lo, img.Created), maxTime(hi, img.Created)
				}
			}
			return hi.Sub(lo).Hours() > 24*90
		}},
		{"an image without labels", func() bool {
			return anySpec(c, func(s Spec) bool { return len(s.Labels) == 0 && s.Base == "" })
		}},
		{"label-schema labels on an older image", func() bool {
			return anySpec(c, func(s Spec) bool { return s.Labels["org.label-schema.schema-version"] == "1.0" })
		}},
		{"a Docker v2 schema 2 image", func() bool {
			a := find(t, arts, "team-b/web", "1.8.0")
			mt, err := a.Image.MediaType()
			return err == nil && mt == types.DockerManifestSchema2
		}},
		{"a secret-looking environment variable", func() bool {
			return anySpec(c, func(s Spec) bool { return slices.Contains(s.Env, "SECRET_TOKEN=demo-not-secret") })
		}},
		{"markdown in a description", func() bool {
			return anySpec(c, func(s Spec) bool {
				return strings.Contains(s.Labels["org.opencontainers.image.description"], "**")
			})
		}},
		{"a layer shared across repositories", func() bool {
			alp := images(t, find(t, arts, "library/alpine-base", "3.20.3"))[0]
			web := images(t, find(t, arts, "team-b/web", "2.0.0"))[0]
			l1, err1 := alp.Layers()
			l2, err2 := web.Layers()
			if err1 != nil || err2 != nil {
				return false
			}
			d1, _ := l1[0].Digest()
			d2, _ := l2[0].Digest()
			return d1 == d2
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok() {
				t.Error("the catalog does not show it")
			}
		})
	}
}

func TestMultiPlatformIndex(t *testing.T) {
	_, arts := build(t)
	a := find(t, arts, "tools/cli", "latest")
	if a.Index == nil {
		t.Fatal("tools/cli:latest is not an index")
	}
	im, err := a.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	images := map[string]bool{}
	for _, d := range im.Manifests {
		if d.Annotations[snapshot.KeyRefType] != snapshot.RefTypeAttestation {
			platforms = append(platforms, d.Platform.String())
			images[d.Digest.String()] = true
		}
	}
	if want := []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}; !slices.Equal(platforms, want) {
		t.Errorf("platforms %q, want %q", platforms, want)
	}
	attested := 0
	for _, d := range im.Manifests {
		if d.Annotations[snapshot.KeyRefType] != snapshot.RefTypeAttestation {
			continue
		}
		attested++
		if d.Platform.String() != "unknown/unknown" {
			t.Errorf("attestation platform %s, want unknown/unknown", d.Platform)
		}
		if !images[d.Annotations[snapshot.KeyRefDigest]] {
			t.Errorf("attestation refers to %s, not a platform image of the index", d.Annotations[snapshot.KeyRefDigest])
		}
		att, err := a.Index.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		m, err := att.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Layers) != 1 || m.Layers[0].MediaType != inTotoMediaType || m.Layers[0].Annotations[snapshot.KeyPredicateType] != provenanceType {
			t.Errorf("attestation layers %+v, want one in-toto provenance statement", m.Layers)
		}
	}
	if attested != len(platforms) {
		t.Errorf("%d attestations for %d platforms", attested, len(platforms))
	}
}

// compareVersions orders dotted numeric versions ("1.9.4" < "1.10.0").
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(pa), len(pb)) {
		if len(pa[i]) != len(pb[i]) {
			return len(pa[i]) - len(pb[i])
		}
		if c := strings.Compare(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	return len(pa) - len(pb)
}

func anySpec(c *Catalog, f func(Spec) bool) bool {
	for _, r := range c.Repositories {
		for _, img := range r.Images {
			if f(r.spec(img)) {
				return true
			}
		}
	}
	return false
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
