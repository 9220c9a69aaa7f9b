package crawler

import (
	"context"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
)

// Benchmark sizes: at least 200 repositories × 10 tags.
const benchRepos, benchTags = 200, 10

var benchRegistries = []struct {
	name  string
	start func(testing.TB) *regtest.Registry
}{
	{"ggcr", func(tb testing.TB) *regtest.Registry { return regtest.NewGGCR(tb) }},
	{"distribution-token", func(tb testing.TB) *regtest.Registry { return regtest.NewDistribution(tb, regtest.WithTokenAuth()) }},
}

// BenchmarkCrawl crawls 200 repositories × 10 tags in full. It checks its
// own request accounting: every request is a list page, a manifest, a
// config or a handshake (ping and tokens), each manifest and config
// fetched once.
func BenchmarkCrawl(b *testing.B) {
	for _, r := range benchRegistries {
		b.Run(r.name, func(b *testing.B) {
			fx := regtest.Large(b, benchRepos, benchTags)
			fst, err := fx.Stats()
			if err != nil {
				b.Fatal(err)
			}
			reg := populate(b, r.start(b), fx)
			cfg := testConfig(reg)
			var st Stats
			var server int
			for b.Loop() {
				reg.Counter.Reset()
				_, st = mustCrawl(b, cfg)
				server = reg.Counter.Total()
			}
			checkRequests(b, st, server, fst.Tags)
			if st.ManifestGets != fst.Manifests || st.ConfigGets != fst.Configs || st.Manifests != fst.Manifests || st.Configs != fst.Configs {
				b.Errorf("fetched %d manifests (%d unique), %d configs (%d unique); the fixture has %d and %d",
					st.ManifestGets, st.Manifests, st.ConfigGets, st.Configs, fst.Manifests, fst.Configs)
			}
			b.ReportMetric(float64(st.TagsDone)/st.Elapsed.Seconds(), "tags/s")
			b.ReportMetric(float64(st.Requests)/float64(st.TagsDone), "requests/tag")
			b.ReportMetric(float64(st.Handshakes), "handshakes/op")
			b.ReportMetric(float64(st.Requests), "requests/op")
		})
	}
}

// BenchmarkRecrawl re-crawls the same unchanged registry with the previous
// snapshot: list pages, one HEAD per tag and handshakes, nothing else.
func BenchmarkRecrawl(b *testing.B) {
	for _, r := range benchRegistries {
		b.Run(r.name, func(b *testing.B) {
			fx := regtest.Large(b, benchRepos, benchTags)
			reg := populate(b, r.start(b), fx)
			cfg := testConfig(reg)
			cfg.Previous, _ = mustCrawl(b, cfg)
			var st Stats
			var server int
			for b.Loop() {
				reg.Counter.Reset()
				_, st = mustCrawl(b, cfg)
				server = reg.Counter.Total()
			}
			checkRequests(b, st, server, benchRepos*benchTags)
			if st.ManifestHeads != st.TagsDone || st.ManifestGets != 0 || st.ConfigGets != 0 || st.Reused != st.TagsDone {
				b.Errorf("re-crawl: %+v; want one HEAD per tag and every record reused", st)
			}
			b.ReportMetric(float64(st.TagsDone)/st.Elapsed.Seconds(), "tags/s")
			b.ReportMetric(float64(st.Requests)/float64(st.TagsDone), "requests/tag")
			b.ReportMetric(float64(st.Requests), "requests/op")
		})
	}
}

// checkRequests asserts that the client's attempts are exactly its list,
// manifest, HEAD, config and handshake requests (no retries happened), and
// that the server saw the same, except the ping's https probe that a
// plain-HTTP server never receives as a request.
func checkRequests(b *testing.B, st Stats, server, tags int) {
	b.Helper()
	if st.TagsDone != tags || st.Failures != 0 || st.Retries != 0 {
		b.Fatalf("crawl %+v: want %d tags, no failures, no retries", st, tags)
	}
	own := st.ListPages + st.ManifestGets + st.ManifestHeads + st.ConfigGets + st.Referrers
	if st.Requests != own+st.Handshakes {
		b.Errorf("%d requests, but %d list pages + %d manifest GETs + %d HEADs + %d config GETs + %d referrers + %d handshakes = %d",
			st.Requests, st.ListPages, st.ManifestGets, st.ManifestHeads, st.ConfigGets, st.Referrers, st.Handshakes, own+st.Handshakes)
	}
	if probe := st.Requests - server; probe < 0 || probe > 1 {
		b.Errorf("client sent %d requests, server saw %d", st.Requests, server)
	}
}

// TestBenchmarkAccounting runs the request accounting of the benchmarks
// on a small registry, so that `go test` checks it too.
func TestBenchmarkAccounting(t *testing.T) {
	t.Parallel()
	fx := regtest.Large(t, 3, 4)
	fst, _ := fx.Stats()
	reg := populate(t, regtest.NewDistribution(t, regtest.WithTokenAuth()), fx)
	cfg := testConfig(reg)
	reg.Counter.Reset()
	snap, st, err := Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	server := reg.Counter.Total()
	// Ping (its https probe and the http GET) + catalog token + one token per repository.
	if want := 2 + 1 + fst.Repos; st.Handshakes != want {
		t.Errorf("%d handshakes, want %d (%s)", st.Handshakes, want, reg.Counter)
	}
	if st.ManifestGets != fst.Manifests || st.ConfigGets != fst.Configs {
		t.Errorf("stats %+v, fixture %+v", st, fst)
	}
	// One referrers request: the probe that finds no referrers API.
	own := st.ListPages + st.ManifestGets + st.ManifestHeads + st.ConfigGets + st.Referrers
	if st.Requests != own+st.Handshakes || st.Requests-server != 1 || st.Referrers != 1 {
		t.Errorf("stats %+v; server saw %s", st, reg.Counter)
	}
	cfg.Previous = snap
	reg.Counter.Reset()
	_, st, err = Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.ManifestHeads != fst.Tags || st.Referrers != 1 || st.Requests != st.ListPages+st.ManifestHeads+st.Referrers+st.Handshakes {
		t.Errorf("re-crawl stats %+v; server saw %s", st, reg.Counter)
	}
}
