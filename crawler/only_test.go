package crawler

import (
	"context"
	"slices"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// TestOnly: a crawl with Only requests nothing but the named repositories
// (no catalog, no other repository), finds their changes and a new
// repository, and carries every other repository of the previous snapshot
// over byte for byte.
func TestOnly(t *testing.T) {
	t.Parallel()
	reg := populate(t, regtest.NewDistribution(t), fixtureFor(t, false))
	first, _ := mustCrawl(t, testConfig(reg))

	// Move base/os:3.18 and push a new repository; change team-a/worker
	// too, which the crawl is not told about and must not see.
	fresh := regtest.Large(t, 3, 1).Repos
	moved, added, unseen := fresh[0].Tags[0], fresh[1], fresh[2].Tags[0]
	moved.Name, added.Name, unseen.Name = "3.18", "team-b/new", "2.0"
	push := &regtest.Fixture{Repos: []regtest.Repo{
		{Name: "base/os", Tags: []regtest.Tag{moved}},
		added,
		{Name: "team-a/worker", Tags: []regtest.Tag{unseen}},
	}}
	if err := reg.Populate(context.Background(), push); err != nil {
		t.Fatal(err)
	}

	reg.Counter.Reset()
	cfg := testConfig(reg)
	cfg.Previous = first
	cfg.Only = []string{"team-b/new", "base/os", "base/os"}
	cfg.Exclude = []string{"excluded/*"}
	second, st := mustCrawl(t, cfg)

	if got, want := reg.Counter.Repos(), []string{"base/os", "team-b/new"}; !slices.Equal(got, want) {
		t.Errorf("requests were about %v, want only %v (%s)", got, want, reg.Counter)
	}
	if n := reg.Counter.Get(regtest.RouteCatalog); n != 0 {
		t.Errorf("%d catalog requests, want none", n)
	}
	if st.Repos != 2 {
		t.Errorf("crawled %d repositories, want 2", st.Repos)
	}
	if d := tagDigest(repo(t, second, "base/os"), "3.18"); d != moved.Digest.String() {
		t.Errorf("base/os:3.18 -> %s, want the moved %s", d, moved.Digest)
	}
	if r := repo(t, second, "team-b/new"); len(r.Tags) != len(added.Tags) {
		t.Errorf("new repository has %d tags, want %d", len(r.Tags), len(added.Tags))
	}
	if d := tagDigest(repo(t, second, "team-a/worker"), "2.0"); d == unseen.Digest.String() {
		t.Error("team-a/worker was re-crawled though Only did not name it")
	}
	if len(second.Repositories) != len(first.Repositories)+1 {
		t.Errorf("%d repositories, want the %d previous ones and the new one", len(second.Repositories), len(first.Repositories))
	}
	// Every repository not named is the previous one, byte for byte.
	before, after := files(t, first), files(t, second)
	for _, r := range first.Repositories {
		if r.Name == "base/os" {
			continue
		}
		p, err := snapshot.RepoPath(r.Name)
		if err != nil {
			t.Fatal(err)
		}
		if string(before[p]) != string(after[p]) {
			t.Errorf("%s changed though Only did not name it", p)
		}
	}

	// Without a previous snapshot, Only cannot keep anything: the whole
	// registry is crawled.
	cfg.Previous = nil
	whole, _ := mustCrawl(t, cfg)
	if len(whole.Repositories) != len(second.Repositories) {
		t.Errorf("Only without Previous: %d repositories, want the whole registry's %d", len(whole.Repositories), len(second.Repositories))
	}
}

func TestOnlyFilters(t *testing.T) {
	t.Parallel()
	reg := populate(t, regtest.NewDistribution(t), fixtureFor(t, false))
	first, _ := mustCrawl(t, testConfig(reg))
	tests := []struct {
		name string
		cfg  func(*Config)
		want []string
	}{
		{"excluded", func(c *Config) { c.Exclude = []string{"base/*"} }, nil},
		{"not included", func(c *Config) { c.Include = []string{"team-a/*"} }, nil},
		{"not in Repos", func(c *Config) { c.Repos = []string{"team-a/api"} }, nil},
		{"in Repos", func(c *Config) { c.Repos = []string{"base/os"} }, []string{"base/os"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg.Counter.Reset()
			cfg := testConfig(reg)
			cfg.Previous = first
			cfg.Only = []string{"base/os"}
			tt.cfg(&cfg)
			snap, _ := mustCrawl(t, cfg)
			if got := reg.Counter.Repos(); !slices.Equal(got, tt.want) {
				t.Errorf("requests were about %v, want %v", got, tt.want)
			}
			if len(snap.Repositories) != len(first.Repositories) {
				t.Errorf("%d repositories, want the previous %d", len(snap.Repositories), len(first.Repositories))
			}
		})
	}
	bad := testConfig(reg)
	bad.Only = []string{"../x"}
	if err := bad.Validate(); err == nil {
		t.Error("Validate accepted an invalid Only name")
	}
}

// tagDigest is the digest tag points at in r, or "".
func tagDigest(r *snapshot.Repository, tag string) string {
	for _, tg := range r.Tags {
		if tg.Name == tag {
			return tg.Digest
		}
	}
	return ""
}
