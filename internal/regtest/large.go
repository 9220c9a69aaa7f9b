package regtest

import (
	"fmt"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Large returns a synthetic fixture for benchmarks: repos repositories
// "bench/rNNNN" (zero-padded to at least four digits, all to the same
// width) with tagsPerRepo tags "1.0.N" each. Every tag is a distinct
// single-platform OCI image (its own config and manifest: created one
// minute after the previous tag, a version label), and all images share
// one small layer, so pushing is quick. Same arguments, same bytes.
// NewSynthetic serves the same content without a push.
func Large(tb testing.TB, repos, tagsPerRepo int) *Fixture {
	tb.Helper()
	fx, err := NewLarge(repos, tagsPerRepo)
	if err != nil {
		tb.Fatalf("regtest: %v", err)
	}
	return fx
}

// NewLarge is [Large] for programs outside tests (internal/cmd/benchsnap):
// it returns the error that Large fails the test with.
func NewLarge(repos, tagsPerRepo int) (*Fixture, error) {
	b := &builder{}
	shared := b.layer(types.OCILayer, largeFiles...)
	g := &largeGen{repos: repos, tags: tagsPerRepo, width: largeWidth(repos)}
	fx := &Fixture{Repos: make([]Repo, repos)}
	for i := range repos {
		name := g.repoName(i)
		tags := make([]Tag, tagsPerRepo)
		for j := range tagsPerRepo {
			version := tagName(j)
			created := g.created(i, j)
			img := b.image(imageSpec{
				platform: archs["amd64"],
				created:  created,
				config: v1.Config{Labels: map[string]string{
					"org.opencontainers.image.title":   name,
					"org.opencontainers.image.version": version,
				}},
				layers:  []v1.Layer{shared},
				history: []v1.History{{Created: v1.Time{Time: created}, CreatedBy: "COPY bench /bench # buildkit"}},
			})
			tags[j] = b.tag(version, img)
		}
		sortTags(tags)
		fx.Repos[i] = Repo{Name: name, Tags: tags}
	}
	if b.err != nil {
		return nil, fmt.Errorf("build large fixture: %w", b.err)
	}
	return fx, nil
}
