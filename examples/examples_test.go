package examples

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regcat/regcat/snapshot"
)

// build loads and builds the embedded catalog.
func build(t testing.TB) (*Catalog, []Artifact) {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	arts, err := c.Build()
	if err != nil {
		t.Fatal(err)
	}
	return c, arts
}

// find returns the artifact that repo:tag names.
func find(t *testing.T, arts []Artifact, repo, tag string) Artifact {
	t.Helper()
	for _, a := range arts {
		if a.Repository == repo && slices.Contains(a.Tags, tag) {
			return a
		}
	}
	t.Fatalf("no artifact %s:%s", repo, tag)
	return Artifact{}
}

// images returns the artifact's platform images (not its attestations).
func images(t *testing.T, a Artifact) []v1.Image {
	t.Helper()
	if a.Image != nil {
		return []v1.Image{a.Image}
	}
	im, err := a.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []v1.Image
	for _, d := range im.Manifests {
		if d.Annotations[snapshot.KeyRefType] == snapshot.RefTypeAttestation {
			continue
		}
		i, err := a.Index.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, i)
	}
	return out
}

// blobSizes returns the size of every distinct blob (manifests, configs,
// layers) of arts, by digest.
func blobSizes(t testing.TB, arts []Artifact) map[v1.Hash]int64 {
	t.Helper()
	out := map[v1.Hash]int64{}
	addImage := func(im v1.Image) {
		m, err := im.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := im.RawManifest()
		if err != nil {
			t.Fatal(err)
		}
		d, _ := im.Digest()
		out[d] = int64(len(raw))
		out[m.Config.Digest] = m.Config.Size
		for _, l := range m.Layers {
			out[l.Digest] = l.Size
		}
	}
	for _, a := range arts {
		if a.Image != nil {
			addImage(a.Image)
			continue
		}
		raw, err := a.Index.RawManifest()
		if err != nil {
			t.Fatal(err)
		}
		d, _ := a.Index.Digest()
		out[d] = int64(len(raw))
		im, err := a.Index.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, desc := range im.Manifests {
			i, err := a.Index.Image(desc.Digest)
			if err != nil {
				t.Fatal(err)
			}
			addImage(i)
		}
	}
	return out
}

func TestBuildIsDeterministic(t *testing.T) {
	_, a1 := build(t)
	_, a2 := build(t)
	if len(a1) != len(a2) {
		t.Fatalf("%d artifacts, then %d", len(a1), len(a2))
	}
	for i := range a1 {
		d1, err := a1[i].Digest()
		if err != nil {
			t.Fatal(err)
		}
		d2, err := a2[i].Digest()
		if err != nil {
			t.Fatal(err)
		}
		if d1 != d2 {
			t.Errorf("%s:%s: digest %s, then %s", a1[i].Repository, a1[i].Tags[0], d1, d2)
		}
	}
	b1, b2 := blobSizes(t, a1), blobSizes(t, a2)
	if len(b1) != len(b2) {
		t.Errorf("%d blobs, then %d", len(b1), len(b2))
	}
	var total int64
	for d, n := range b1 {
		if b2[d] != n {
			t.Errorf("blob %s: %d bytes, then %d", d, n, b2[d])
		}
		total += n
	}
	// The demo must stay quick to push and light to hold in memory.
	if total > 40<<20 {
		t.Errorf("catalog holds %d bytes of blobs, want at most 40 MiB", total)
	}
}

func TestDerivedImagesStartWithTheirBase(t *testing.T) {
	c, arts := build(t)
	n := 0
	for _, r := range c.Repositories {
		for _, img := range r.Images {
			s := r.spec(img)
			if s.Base == "" {
				continue
			}
			n++
			t.Run(r.Name+":"+img.Tags[0], func(t *testing.T) {
				a := find(t, arts, r.Name, img.Tags[0])
				baseRepo, baseTag, _ := strings.Cut(s.Base, ":")
				base := find(t, arts, baseRepo, baseTag)
				baseDigest, err := base.Digest()
				if err != nil {
					t.Fatal(err)
				}
				im, bim := images(t, a)[0], images(t, base)[0]
				m, err := im.Manifest()
				if err != nil {
					t.Fatal(err)
				}
				bm, err := bim.Manifest()
				if err != nil {
					t.Fatal(err)
				}
				if len(m.Layers) <= len(bm.Layers) {
					t.Fatalf("%d layers, base has %d", len(m.Layers), len(bm.Layers))
				}
				for i, l := range bm.Layers {
					if m.Layers[i].Digest != l.Digest {
						t.Errorf("layer %d is %s, base's is %s", i, m.Layers[i].Digest, l.Digest)
					}
				}
				if got := m.Annotations[snapshot.KeyBaseName]; got != s.Base {
					t.Errorf("%s = %q, want %q", snapshot.KeyBaseName, got, s.Base)
				}
				if got := m.Annotations[snapshot.KeyBaseDigest]; got != baseDigest.String() {
					t.Errorf("%s = %q, want %q", snapshot.KeyBaseDigest, got, baseDigest)
				}
				cf, err := im.ConfigFile()
				if err != nil {
					t.Fatal(err)
				}
				bcf, err := bim.ConfigFile()
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(cf.History[:len(bcf.History)], bcf.History) {
					t.Error("history does not start with the base's history")
				}
			})
		}
	}
	if n < 3 {
		t.Errorf("%d images have a base, want a lineage of at least 3", n)
	}
}

func TestConfigsAreConsistent(t *testing.T) {
	_, arts := build(t)
	for _, a := range arts {
		for _, im := range images(t, a) {
			cf, err := im.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			name := a.Repository + ":" + a.Tags[0] + " " + cf.Platform().String()
			layers, err := im.Layers()
			if err != nil {
				t.Fatal(err)
			}
			nonEmpty := 0
			for _, h := range cf.History {
				if !h.EmptyLayer {
					nonEmpty++
				}
			}
			if nonEmpty != len(layers) || len(cf.RootFS.DiffIDs) != len(layers) {
				t.Errorf("%s: %d layers, %d diff_ids, %d non-empty history steps", name, len(layers), len(cf.RootFS.DiffIDs), nonEmpty)
			}
			for i, l := range layers {
				d, err := l.DiffID()
				if err != nil {
					t.Fatal(err)
				}
				if d != cf.RootFS.DiffIDs[i] {
					t.Errorf("%s: layer %d diff_id %s, config says %s", name, i, d, cf.RootFS.DiffIDs[i])
				}
				// The uncompressed stream must hash to the diff_id: real
				// tools (crane export, docker load) check it.
				rc, err := l.Uncompressed()
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := v1.SHA256(rc)
				rc.Close()
				if err != nil || got != d {
					t.Errorf("%s: layer %d uncompresses to %s (%v), want %s", name, i, got, err, d)
				}
			}
			if cf.Created.IsZero() {
				t.Errorf("%s: no created time", name)
			}
		}
	}
}
