package crawler

import (
	"context"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
)

// TestIncremental: an unchanged registry costs the list calls, one HEAD
// per tag and the referrers requests (plus the handshakes): here the probe
// that finds no referrers API and one GET per referrers or cosign tag. A
// changed tag costs its manifest and config, nothing else.
func TestIncremental(t *testing.T) {
	t.Parallel()
	for _, r := range registries {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			fx := fixtureFor(t, r.schema1)
			reg := populate(t, r.start(t), fx)
			first, _ := mustCrawl(t, testConfig(reg))
			fst, _ := fx.Stats()
			releases := fst.Tags - fst.ReferrerTags

			reg.Counter.Reset()
			cfg := testConfig(reg)
			cfg.Previous = first
			second, st := mustCrawl(t, cfg)
			diffFiles(t, files(t, first), files(t, second))
			lists := reg.Counter.Get(regtest.RouteCatalog) + reg.Counter.Get(regtest.RouteTags)
			handshakes := reg.Counter.Get(regtest.RouteBase) + reg.Counter.Get(regtest.RouteToken)
			if heads := reg.Counter.Get(regtest.RouteManifestHead); heads != releases {
				t.Errorf("%d manifest HEADs, want one per tag (%d)", heads, releases)
			}
			refs := reg.Counter.Get(regtest.RouteReferrers) + reg.Counter.Get(regtest.RouteManifestGet)
			if want := 1 + fst.ReferrerTags; refs != want || st.Referrers != want {
				t.Errorf("referrers requests: %s, stats %d; want the probe and one GET per referrers tag, %d", reg.Counter, st.Referrers, want)
			}
			if total := reg.Counter.Total(); total != lists+releases+refs+handshakes {
				t.Errorf("unchanged re-crawl made %s; want only lists, one HEAD per tag, referrers and handshakes", reg.Counter)
			}
			if st.Reused != releases || st.ManifestGets != 0 || st.ConfigGets != 0 {
				t.Errorf("stats %+v: want every tag reused", st)
			}

			// Point base/os:3.18 at an image the registry never had.
			fresh := regtest.Large(t, 1, 1).Repos[0].Tags[0]
			fresh.Name = "3.18"
			if err := reg.Populate(context.Background(), &regtest.Fixture{Repos: []regtest.Repo{{Name: "base/os", Tags: []regtest.Tag{fresh}}}}); err != nil {
				t.Fatal(err)
			}
			reg.Counter.Reset()
			cfg.Previous = second
			third, st := mustCrawl(t, cfg)
			if g, b := reg.Counter.Get(regtest.RouteManifestGet), reg.Counter.Get(regtest.RouteBlobGet); g != 1+fst.ReferrerTags || b != 1 {
				t.Errorf("changed tag: %s; want one manifest GET and one config GET (and the referrers tags)", reg.Counter)
			}
			if st.Reused != releases-1 {
				t.Errorf("reused %d tags, want %d", st.Reused, releases-1)
			}
			for _, tg := range repo(t, third, "base/os").Tags {
				if tg.Name == "3.18" && tg.Digest != fresh.Digest.String() {
					t.Errorf("3.18 -> %s, want the new %s", tg.Digest, fresh.Digest)
				}
			}
			// --full: the previous snapshot is ignored.
			reg.Counter.Reset()
			cfg.Previous = nil
			full, _ := mustCrawl(t, cfg)
			diffFiles(t, files(t, third), files(t, full))
			if reg.Counter.Get(regtest.RouteManifestHead) != 0 {
				t.Errorf("full crawl made HEADs: %s", reg.Counter)
			}
		})
	}
}
