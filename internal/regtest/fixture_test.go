package regtest

import (
	"bytes"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func digests(fx *Fixture) []string {
	var out []string
	for _, r := range fx.Repos {
		for _, t := range r.Tags {
			out = append(out, r.Name+":"+t.Name+"@"+t.Digest.String())
		}
	}
	return out
}

func TestFixturesAreDeterministic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func() *Fixture
	}{
		{"standard", func() *Fixture { return Standard(t) }},
		{"large", func() *Fixture { return Large(t, 3, 12) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tt.build(), tt.build()
			if !slices.Equal(digests(a), digests(b)) {
				t.Errorf("two builds differ:\n%q\n%q", digests(a), digests(b))
			}
			if !slices.IsSorted(a.RepoNames()) {
				t.Errorf("repos not sorted: %q", a.RepoNames())
			}
			for repo, tags := range a.TagNames() {
				if !slices.IsSorted(tags) {
					t.Errorf("tags of %s not sorted: %q", repo, tags)
				}
			}
		})
	}
}

func created(t *testing.T, img v1.Image) string {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cf.Created.UTC().Format("2006-01-02T15:04:05Z")
}

// TestStandardFacts checks the properties Standard's doc comment promises.
func TestStandardFacts(t *testing.T) {
	t.Parallel()
	fx := Standard(t)
	tag := func(repo, name string) Tag {
		t.Helper()
		tg, ok := fx.Tag(repo, name)
		if !ok {
			t.Fatalf("no %s:%s", repo, name)
		}
		return tg
	}
	child := func(idx v1.ImageIndex, arch string) v1.Image {
		t.Helper()
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range im.Manifests {
			if d.Platform != nil && d.Platform.Architecture == arch {
				img, err := idx.Image(d.Digest)
				if err != nil {
					t.Fatal(err)
				}
				return img
			}
		}
		t.Fatalf("no %s child", arch)
		return nil
	}

	t.Run("aliases", func(t *testing.T) {
		want := map[string][]string{"base/os": {"3", "3.19", "latest"}, "team-a/api": {"latest", "v1.9"}, "team-a/tools/cli": {"1.1", "edge"}, "a/b/c/d": {"1.0", "latest"}}
		for repo, group := range want {
			got := fx.Aliases(repo)[tag(repo, group[0]).Digest]
			if !slices.Equal(got, group) {
				t.Errorf("aliases in %s of %s = %q, want %q", repo, group[0], got, group)
			}
		}
	})
	t.Run("created against tag order", func(t *testing.T) {
		v110 := created(t, child(tag("team-a/api", "v1.10").Index, "amd64"))
		v19 := created(t, child(tag("team-a/api", "v1.9").Index, "amd64"))
		if !(v110 < v19) {
			t.Errorf("v1.10 created %s, v1.9 created %s: want v1.10 older", v110, v19)
		}
	})
	t.Run("media types", func(t *testing.T) {
		want := map[string]types.MediaType{
			"a/b/c/d:1.0":         types.DockerManifestList,
			"base/os:3.18":        types.DockerManifestSchema2,
			"charts/web:0.3.1":    types.OCIManifestSchema1,
			"legacy/app:1.0":      types.DockerManifestSchema1Signed,
			"team-a/api:v1.9":     types.OCIImageIndex,
			"team-a/worker:2.0.0": types.OCIManifestSchema1,
		}
		for ref, mt := range want {
			repo, name, _ := strings.Cut(ref, ":")
			if got := tag(repo, name).MediaType; got != mt {
				t.Errorf("%s is %s, want %s", ref, got, mt)
			}
		}
	})
	t.Run("attestations", func(t *testing.T) {
		idx := tag("team-a/api", "v1.9").Index
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		platforms := map[string]v1.Hash{}
		var refs []v1.Hash
		for _, d := range im.Manifests {
			p := d.Platform.OS + "/" + d.Platform.Architecture + d.Platform.Variant
			if d.Annotations[AnnotationReferenceType] == "attestation-manifest" {
				if p != "unknown/unknown" {
					t.Errorf("attestation platform %s", p)
				}
				h, err := v1.NewHash(d.Annotations[AnnotationReferenceDigest])
				if err != nil {
					t.Fatal(err)
				}
				refs = append(refs, h)
				continue
			}
			platforms[p] = d.Digest
		}
		if len(platforms) != 3 || platforms["linux/arm64v8"] == (v1.Hash{}) || platforms["linux/armv7"] == (v1.Hash{}) {
			t.Errorf("platforms %v", platforms)
		}
		for _, h := range refs {
			if !slices.Contains(slices.Collect(maps.Values(platforms)), h) {
				t.Errorf("attestation refers to %s, not a platform manifest", h)
			}
		}
		if len(refs) != 3 {
			t.Errorf("%d attestations, want 3", len(refs))
		}
	})
	t.Run("lineage", func(t *testing.T) {
		base := tag("base/os", "3.19")
		baseLayers, err := base.Image.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, img := range []v1.Image{child(tag("team-a/api", "v1.9").Index, "amd64"), tag("team-a/worker", "2.0.0").Image} {
			m, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			d0, _ := baseLayers[0].Digest()
			if m.Layers[0].Digest != d0 || m.Annotations[AnnotationBaseDigest] != base.Digest.String() || m.Annotations[AnnotationBaseName] != "base/os:3.19" {
				t.Errorf("layer 0 %s, annotations %v; want base layer %s and digest %s", m.Layers[0].Digest, m.Annotations, d0, base.Digest)
			}
		}
	})
	t.Run("labels", func(t *testing.T) {
		cf, err := tag("team-a/tools/cli", "1.0").Image.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.Config.Labels != nil {
			t.Errorf("cli has labels %v", cf.Config.Labels)
		}
		cf, err = tag("base/os", "3.19").Image.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.Config.Labels["org.label-schema.version"] != "3.19" {
			t.Errorf("base/os labels %v", cf.Config.Labels)
		}
		empty := 0
		for _, h := range cf.History {
			if h.EmptyLayer {
				empty++
			}
		}
		if empty == 0 || len(cf.History)-empty != len(cf.RootFS.DiffIDs) {
			t.Errorf("history %+v does not match %d layers", cf.History, len(cf.RootFS.DiffIDs))
		}
	})
	t.Run("stats", func(t *testing.T) {
		s, err := fx.Stats()
		if err != nil {
			t.Fatal(err)
		}
		// 2 base + 2×(index + 3 images + 3 attestations) + 2 cli + worker +
		// (list + 2) + chart + schema1 + artifact + referrers index; the
		// artifact and the referrers index are referrers tags.
		want := Stats{Repos: 7, Tags: 18, ReferrerTags: 2, Manifests: 2 + 14 + 2 + 1 + 3 + 4, Configs: 2 + 12 + 2 + 1 + 2}
		if s != want {
			t.Errorf("Stats = %+v, want %+v", s, want)
		}
	})
}

// TestReferrersFallbackBytes checks that the fixture's referrers fallback
// index is byte for byte what go-containerregistry's push writes.
func TestReferrersFallbackBytes(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var puts [][]byte
	reg := NewGGCR(t, WithWrap(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/sha256-") && !strings.HasSuffix(r.URL.Path, ".sbom") {
				var b bytes.Buffer
				_, _ = b.ReadFrom(r.Body)
				mu.Lock()
				puts = append(puts, b.Bytes())
				mu.Unlock()
				r.Body = readCloser{bytes.NewReader(b.Bytes())}
			}
			h.ServeHTTP(w, r)
		})
	}))
	fx := Standard(t)
	if err := reg.Populate(t.Context(), fx); err != nil {
		t.Fatal(err)
	}
	var want []byte
	for _, tg := range fx.Repos[slices.IndexFunc(fx.Repos, func(r Repo) bool { return r.Name == "team-a/api" })].Tags {
		if tg.Raw != nil && tg.MediaType == types.OCIImageIndex {
			want = tg.Raw.Manifest
		}
	}
	if len(puts) != 2 {
		t.Fatalf("%d PUTs of the fallback tag, want 2 (the push's own, then the fixture's)", len(puts))
	}
	for _, p := range puts {
		if !bytes.Equal(p, want) {
			t.Errorf("pushed fallback index\n%s\nwant\n%s", p, want)
		}
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
