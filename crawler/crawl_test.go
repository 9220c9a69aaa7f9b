package crawler

import (
	"maps"
	"slices"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// registries are the real registries every integration test runs against.
var registries = []struct {
	name    string
	start   func(testing.TB) *regtest.Registry
	schema1 bool
}{
	{"ggcr", func(tb testing.TB) *regtest.Registry { return regtest.NewGGCR(tb) }, true},
	{"distribution", func(tb testing.TB) *regtest.Registry { return regtest.NewDistribution(tb) }, false},
	{"distribution-basic", func(tb testing.TB) *regtest.Registry { return regtest.NewDistribution(tb, regtest.WithBasicAuth()) }, false},
	{"distribution-token", func(tb testing.TB) *regtest.Registry { return regtest.NewDistribution(tb, regtest.WithTokenAuth()) }, false},
	{"distribution-small-pages", func(tb testing.TB) *regtest.Registry {
		return regtest.NewDistribution(tb, regtest.WithTokenAuth(), regtest.WithPageSize(2))
	}, false},
}

// fixtureFor returns the standard fixture a registry can hold.
func fixtureFor(t testing.TB, schema1 bool) *regtest.Fixture {
	fx := regtest.Standard(t)
	if !schema1 {
		fx = fx.WithoutSchema1()
	}
	return fx
}

// TestCrawlStandard crawls the standard fixture on every registry and
// checks the snapshot against what the fixture says it holds.
func TestCrawlStandard(t *testing.T) {
	t.Parallel()
	for _, r := range registries {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			fx := fixtureFor(t, r.schema1)
			reg := populate(t, r.start(t), fx)
			snap, _ := mustCrawl(t, testConfig(reg))
			checkAgainstFixture(t, fx, snap)
			if n := len(failures(snap)); n != 0 {
				t.Errorf("failures: %+v", failures(snap))
			}
			if len(snap.Index.Skipped) != 0 {
				t.Errorf("skipped: %+v", snap.Index.Skipped)
			}
		})
	}
}

// checkAgainstFixture asserts the facts of fx in snap: repositories, tags,
// digests, aliases, kinds, platforms, attestations, configs and sizes.
func checkAgainstFixture(t *testing.T, fx *regtest.Fixture, snap *snapshot.Snapshot) {
	t.Helper()
	var names []string
	for _, r := range snap.Repositories {
		names = append(names, r.Name)
	}
	if want := fx.RepoNames(); !slices.Equal(names, want) {
		t.Fatalf("repositories %v, want %v", names, want)
	}
	for _, fr := range fx.Repos {
		r := repo(t, snap, fr.Name)
		var tags []string
		for _, tg := range r.Tags {
			tags = append(tags, tg.Name)
		}
		// Referrers and cosign tags are not releases (see referrers_test.go).
		want := slices.DeleteFunc(slices.Clone(fx.TagNames()[fr.Name]), regtest.IsReferrerTag)
		if !slices.Equal(tags, want) {
			t.Errorf("%s: tags %v, want %v", fr.Name, tags, want)
		}
		aliases := map[string][]string{}
		for d, ts := range fx.Aliases(fr.Name) {
			if ts = slices.DeleteFunc(ts, regtest.IsReferrerTag); len(ts) > 0 {
				aliases[d.String()] = ts
			}
		}
		got := map[string][]string{}
		for _, im := range r.Images {
			got[im.Digest] = im.Tags
		}
		if !maps.EqualFunc(aliases, got, slices.Equal[[]string]) {
			t.Errorf("%s: images and their tags %v, want %v", fr.Name, got, aliases)
		}
		for _, ft := range fr.Tags {
			if regtest.IsReferrerTag(ft.Name) {
				continue
			}
			im := image(r, ft.Digest.String())
			if im == nil {
				t.Errorf("%s:%s: no image %s", fr.Name, ft.Name, ft.Digest)
				continue
			}
			if im.MediaType != string(ft.MediaType) {
				t.Errorf("%s:%s: media type %s, want %s", fr.Name, ft.Name, im.MediaType, ft.MediaType)
			}
			checkTag(t, fr.Name+":"+ft.Name, ft, im)
		}
	}
}

func image(r *snapshot.Repository, digest string) *snapshot.Image {
	for i := range r.Images {
		if r.Images[i].Digest == digest {
			return &r.Images[i]
		}
	}
	return nil
}

// checkTag compares one image record with the fixture's image or index.
func checkTag(t *testing.T, name string, ft regtest.Tag, im *snapshot.Image) {
	t.Helper()
	switch {
	case ft.Image != nil:
		if im.Kind != snapshot.KindImage || len(im.Platforms) != 1 {
			t.Errorf("%s: kind %s with %d platforms, want one image platform", name, im.Kind, len(im.Platforms))
			return
		}
		checkPlatform(t, name, ft.Image, &im.Platforms[0])
		if im.Size != im.Platforms[0].Size || !im.Created.Equal(im.Platforms[0].Config.Created) {
			t.Errorf("%s: image size %d created %s, platform %d %s", name, im.Size, im.Created, im.Platforms[0].Size, im.Platforms[0].Config.Created)
		}
	case ft.Index != nil:
		idx, err := ft.Index.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		if im.Kind != snapshot.KindIndex {
			t.Errorf("%s: kind %s, want index", name, im.Kind)
		}
		var platforms, attestations int
		var size int64
		var created time.Time
		for _, d := range idx.Manifests {
			if d.Platform != nil && d.Platform.OS == "unknown" {
				attestations++
				if !slices.ContainsFunc(im.Attestations, func(a snapshot.Descriptor) bool { return a.Digest == d.Digest.String() }) {
					t.Errorf("%s: attestation %s not among attestations", name, d.Digest)
				}
				continue
			}
			platforms++
			i := slices.IndexFunc(im.Platforms, func(p snapshot.Platform) bool { return p.Digest == d.Digest.String() })
			if i < 0 {
				t.Errorf("%s: platform %s missing", name, d.Digest)
				continue
			}
			p := &im.Platforms[i]
			if p.OS != d.Platform.OS || p.Architecture != d.Platform.Architecture || p.Variant != d.Platform.Variant {
				t.Errorf("%s: platform %s/%s/%s, want %s/%s/%s", name, p.OS, p.Architecture, p.Variant, d.Platform.OS, d.Platform.Architecture, d.Platform.Variant)
			}
			child, err := ft.Index.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			checkPlatform(t, name+"@"+p.Architecture, child, p)
			size += p.Size
			if p.Config.Created.After(created) {
				created = p.Config.Created
			}
		}
		if len(im.Platforms) != platforms || len(im.Attestations) != attestations {
			t.Errorf("%s: %d platforms %d attestations, want %d and %d", name, len(im.Platforms), len(im.Attestations), platforms, attestations)
		}
		if im.Size != size || !im.Created.Equal(created) {
			t.Errorf("%s: size %d created %s, want the platforms' %d and %s", name, im.Size, im.Created, size, created)
		}
	}
}

// checkPlatform compares a platform record with the fixture image.
func checkPlatform(t *testing.T, name string, img v1.Image, p *snapshot.Platform) {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.Digest != m.Config.Digest.String() {
		t.Errorf("%s: config %s, want %s", name, p.Config.Digest, m.Config.Digest)
	}
	if !p.Config.Created.Equal(cf.Created.Time) {
		t.Errorf("%s: created %s, want %s", name, p.Config.Created, cf.Created.Time)
	}
	if !maps.Equal(p.Config.Labels, cf.Config.Labels) {
		t.Errorf("%s: labels %v, want %v", name, p.Config.Labels, cf.Config.Labels)
	}
	if !slices.Equal(p.Config.Entrypoint, cf.Config.Entrypoint) || !slices.Equal(p.Config.Cmd, cf.Config.Cmd) || p.Config.User != cf.Config.User {
		t.Errorf("%s: entrypoint %v cmd %v user %q, want %v %v %q", name, p.Config.Entrypoint, p.Config.Cmd, p.Config.User, cf.Config.Entrypoint, cf.Config.Cmd, cf.Config.User)
	}
	if len(p.Config.History) != len(cf.History) {
		t.Errorf("%s: %d history entries, want %d", name, len(p.Config.History), len(cf.History))
	} else {
		for i, h := range cf.History {
			g := p.Config.History[i]
			if g.CreatedBy != h.CreatedBy || g.EmptyLayer != h.EmptyLayer || g.Comment != h.Comment {
				t.Errorf("%s: history %d = %+v, want %+v", name, i, g, h)
			}
		}
	}
	if len(p.Config.DiffIDs) != len(cf.RootFS.DiffIDs) {
		t.Errorf("%s: %d diff ids, want %d", name, len(p.Config.DiffIDs), len(cf.RootFS.DiffIDs))
	}
	size := m.Config.Size
	if len(p.Layers) != len(m.Layers) {
		t.Fatalf("%s: %d layers, want %d", name, len(p.Layers), len(m.Layers))
	}
	for i, l := range m.Layers {
		if p.Layers[i].Digest != l.Digest.String() || p.Layers[i].Size != l.Size || p.Layers[i].MediaType != string(l.MediaType) {
			t.Errorf("%s: layer %d = %+v, want %s %d %s", name, i, p.Layers[i], l.Digest, l.Size, l.MediaType)
		}
		size += l.Size
	}
	if p.Size != size {
		t.Errorf("%s: size %d, want %d", name, p.Size, size)
	}
}

// TestCrawlFixtureFacts checks the facts that Standard documents in words:
// created order against tag order, artifacts, the schema1 image.
func TestCrawlFixtureFacts(t *testing.T) {
	t.Parallel()
	fx := regtest.Standard(t)
	reg := populate(t, regtest.NewGGCR(t), fx)
	snap, _ := mustCrawl(t, testConfig(reg))

	api := repo(t, snap, "team-a/api")
	v19, _ := fx.Tag("team-a/api", "v1.9")
	v110, _ := fx.Tag("team-a/api", "v1.10")
	new19, old110 := image(api, v19.Digest.String()), image(api, v110.Digest.String())
	if !new19.Created.After(old110.Created) {
		t.Errorf("v1.9 created %s should be after v1.10 created %s", new19.Created, old110.Created)
	}
	sum := snap.Index.Repositories[slices.IndexFunc(snap.Index.Repositories, func(s snapshot.RepoSummary) bool { return s.Name == "team-a/api" })]
	if sum.DefaultTag != "latest" || !sum.LastCreated.Equal(new19.Created) || sum.Title != "api" {
		t.Errorf("team-a/api summary %+v: want default tag latest (alias of v1.9), title api", sum)
	}

	tests := []struct {
		repo, tag    string
		kind         snapshot.Kind
		artifactType string
		subject      string
	}{
		{"charts/web", "0.3.1", snapshot.KindArtifact, string(regtest.MediaTypeHelmConfig), ""},
		{"legacy/app", "1.0", snapshot.KindSchema1, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.repo+":"+tt.tag, func(t *testing.T) {
			ft, ok := fx.Tag(tt.repo, tt.tag)
			if !ok {
				t.Fatal("no such fixture tag")
			}
			im := image(repo(t, snap, tt.repo), ft.Digest.String())
			if im == nil {
				t.Fatal("not crawled")
			}
			if im.Kind != tt.kind || im.ArtifactType != tt.artifactType || im.Subject != tt.subject {
				t.Errorf("kind %s artifactType %q subject %q, want %s %q %q", im.Kind, im.ArtifactType, im.Subject, tt.kind, tt.artifactType, tt.subject)
			}
			if tt.kind == snapshot.KindArtifact && (len(im.Platforms) != 0 || len(im.Layers) != 1) {
				t.Errorf("artifact with %d platforms and %d layers, want 0 and 1", len(im.Platforms), len(im.Layers))
			}
		})
	}

	legacy := repo(t, snap, "legacy/app").Images[0]
	p := legacy.Platforms[0]
	wantCreated := time.Date(2017, 5, 4, 12, 0, 0, 0, time.UTC)
	if p.OS != "linux" || p.Architecture != "amd64" || !p.Config.Created.Equal(wantCreated) || !legacy.Created.Equal(wantCreated) ||
		p.Config.Labels["maintainer"] != "ops@example.com" || !slices.Equal(p.Config.Cmd, []string{"/app"}) {
		t.Errorf("schema1 platform %+v", p)
	}
	if len(p.Config.History) != 2 || !p.Config.History[1].EmptyLayer || p.Config.History[0].EmptyLayer ||
		!p.Config.History[0].Created.Before(p.Config.History[1].Created) {
		t.Errorf("schema1 history %+v: want oldest first, the top one empty", p.Config.History)
	}
	if len(p.Layers) != 1 {
		t.Errorf("schema1 layers %+v: want the one non-throwaway layer", p.Layers)
	}

	cli := repo(t, snap, "team-a/tools/cli")
	for _, im := range cli.Images {
		if len(im.Platforms[0].Config.Labels) != 0 || im.Annotations != nil {
			t.Errorf("cli image %s has labels or annotations", im.Digest)
		}
	}
	if sum := snap.Index.Repositories[slices.IndexFunc(snap.Index.Repositories, func(s snapshot.RepoSummary) bool { return s.Name == "team-a/tools/cli" })]; sum.DefaultTag != "edge" || sum.Title != "" {
		t.Errorf("cli summary %+v: want default tag edge (the display tag of the newest image, 1.1 and edge), no title", sum)
	}
}

// TestDeterministic crawls twice: the files must be byte-identical except
// for the crawl time, whatever the catalog order and completion order.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	fx := regtest.Standard(t)
	reg := populate(t, regtest.NewGGCR(t), fx)
	a, _ := mustCrawl(t, testConfig(reg))
	cfg := testConfig(reg)
	cfg.Concurrency = 1
	b, _ := mustCrawl(t, cfg)
	diffFiles(t, files(t, a), files(t, b))
	if a.Index.CrawledAt.Equal(b.Index.CrawledAt) || a.Index.CrawledAt.IsZero() {
		t.Errorf("crawl times %s and %s: want two distinct times", a.Index.CrawledAt, b.Index.CrawledAt)
	}
}
