package crawler

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/regcat/regcat/internal/regtest"
)

// heapSampler records the peak of live heap objects while it runs.
type heapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap starts sampling every few milliseconds; Stop returns the peak.
func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), peak: heapNow()}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.peak = max(h.peak, heapNow())
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.wg.Wait()
	return max(h.peak, heapNow())
}

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
		base = heapNow()
		h := sampleHeap()
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
