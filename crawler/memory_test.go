package crawler

import (
	"runtime"
	"testing"

	"github.com/regcat/regcat/internal/memwatch"
	"github.com/regcat/regcat/internal/regtest"
)

// BenchmarkCrawlLargeRepo crawls one repository at the default tag cap,
// 10,000 tags, every tag its own image, and reports the peak heap: of the
// whole process (the in-process registry included) and above the heap
// before the crawl, which is the crawler's share.
func BenchmarkCrawlLargeRepo(b *testing.B) {
	fx := regtest.Large(b, 1, DefaultMaxTags)
	reg := populate(b, regtest.NewGGCR(b), fx)
	cfg := testConfig(reg)
	var peak, base uint64
	var st Stats
	for b.Loop() {
		runtime.GC()
		base = memwatch.Heap()
		h := memwatch.Start(nil)
		snap, s := mustCrawl(b, cfg)
		peak = h.Stop()
		st = s
		if n := len(snap.Repositories[0].Tags); n != DefaultMaxTags || st.Truncated != 0 || st.Failures != 0 {
			b.Fatalf("crawled %d tags, stats %+v; want %d, no truncation, no failure", n, st, DefaultMaxTags)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(base, peak))/(1<<20), "crawl-heap-MiB")
	b.ReportMetric(float64(st.Requests), "requests/op")
}
