package crawler

import (
	"slices"
	"testing"

	"github.com/regcat/regcat/snapshot"

	"github.com/regcat/regcat/internal/regtest"
)

// TestCrawlSynthetic crawls internal/regtest's synthetic registry, paged
// two names at a time, and a registry populated with the fixture it
// generates: the snapshots are the same, and hold what the fixture says.
func TestCrawlSynthetic(t *testing.T) {
	t.Parallel()
	const repos, tags = 3, 5
	fx := regtest.Large(t, repos, tags)
	synth := regtest.NewSynthetic(t, regtest.SyntheticConfig{Repos: repos, TagsPerRepo: tags, PageSize: 2})
	got, st := mustCrawl(t, testConfig(synth))
	want, _ := mustCrawl(t, testConfig(populate(t, regtest.NewGGCR(t), fx)))
	if st.TagsDone != repos*tags || st.Failures != 0 || len(failures(got)) != 0 {
		t.Fatalf("crawled %d tags, %d failures (%v); want %d, none", st.TagsDone, st.Failures, failures(got), repos*tags)
	}
	for _, r := range fx.Repos {
		sr := repo(t, got, r.Name)
		if len(sr.Tags) != len(r.Tags) {
			t.Errorf("%s: %d tags, want %d", r.Name, len(sr.Tags), len(r.Tags))
		}
		for k, tag := range r.Tags {
			if k >= len(sr.Images) || k >= len(sr.Tags) || sr.Tags[k].Name != tag.Name || sr.Tags[k].Digest != tag.Digest.String() {
				t.Errorf("%s: tag %d is not %s %s: %v", r.Name, k, tag.Name, tag.Digest, sr.Tags)
				continue
			}
			im := sr.Images[slices.IndexFunc(sr.Images, func(im snapshot.Image) bool { return im.Digest == tag.Digest.String() })]
			if v := im.Platforms[0].Config.Labels["org.opencontainers.image.version"]; v != tag.Name {
				t.Errorf("%s:%s: version label %q", r.Name, tag.Name, v)
			}
		}
	}
	want.Index.Registry = got.Index.Registry
	diffFiles(t, files(t, want), files(t, got))
}
