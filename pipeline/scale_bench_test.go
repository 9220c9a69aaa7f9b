package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/internal/memlimit"
	"github.com/regcat/regcat/internal/memwatch"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
)

// BenchmarkScale runs the default crawl and render of internal/regtest's
// synthetic registry (repositories × 20 tags, every tag its own image) in
// one process, as `regcat build` does (under its soft memory limit, see
// internal/memlimit), and reports the rates (tags/s of
// the crawl, pages/s of the render, µs per tag of the whole run) and the
// peaks of the heap (live and not yet swept), of the live heap (as the
// last collection found it) and of the resident set, of the run and of
// each phase. The process's figures include the in-process registry, which
// stores nothing. The target: 200k tags in under 400 MB. Sizes
// above 2k tags are skipped under -short. Run with -benchtime 1x, e.g.
// go test ./pipeline -run '^$' -bench 'Scale/20k' -benchtime 1x.
//
// With REGCAT_SCALE_PROFILE=PREFIX set, it writes a heap profile near each
// phase's peak of live data to PREFIX-crawl.pprof and PREFIX-render.pprof
// (inspect with go tool pprof -top -sample_index=inuse_space): whenever
// the live heap of the last collection (which the profile's in-use
// figures are of) grows 5% past the last profile's, at most every 250 ms,
// the profile is written again. Writing profiles slows the run: take
// rates from a run without them.
func BenchmarkScale(b *testing.B) {
	// Every run's files stay until the last size is done: on ext4, files
	// created in the minutes after a large tree was deleted cost several
	// times as much (the file system searches the recently deleted
	// inodes), and the next size would pay for the last one's cleanup.
	root := b.TempDir()
	for _, size := range []struct {
		name  string
		repos int
	}{{"2k", 100}, {"20k", 1000}, {"200k", 10000}} {
		b.Run(size.name, func(b *testing.B) {
			const tags = 20
			if testing.Short() && size.repos*tags > 2000 {
				b.Skip("above 2k tags under -short")
			}
			benchScale(b, root, size.repos, tags)
		})
	}
}

func benchScale(b *testing.B, root string, repos, tags int) {
	reg := regtest.NewSynthetic(b, regtest.SyntheticConfig{Repos: repos, TagsPerRepo: tags})
	// As the regcat command runs (a GOMEMLIMIT in the environment wins).
	b.Cleanup(memlimit.Start(context.Background(), memlimit.Floor))
	var last scaleRun
	for b.Loop() {
		last = runScale(b, root, reg.Host)
	}
	n := repos * tags
	if got := last.res.Crawl.TagsDone; got != n || last.res.Failures != 0 {
		b.Fatalf("crawled %d tags with %d failures, want %d and none", got, last.res.Failures, n)
	}
	// A page per image (every tag is one) and per repository, and the
	// site's own pages, whose number does not grow with the registry.
	if pages := last.res.Render.Pages; pages != n+repos+sitePages {
		b.Fatalf("rendered %d pages, want %d images + %d repositories + %d", pages, n, repos, sitePages)
	}
	b.ReportMetric(float64(n)/last.crawl.Seconds(), "tags/s")
	b.ReportMetric(float64(last.res.Render.Pages)/last.render.Seconds(), "pages/s")
	b.ReportMetric(float64(last.total.Microseconds())/float64(n), "µs/tag")
	b.ReportMetric(last.crawl.Seconds(), "crawl-s")
	b.ReportMetric(last.render.Seconds(), "render-s")
	b.ReportMetric(mib(max(last.crawlHeap, last.renderHeap, last.writeHeap)), "peak-heap-MiB")
	b.ReportMetric(mib(last.live), "peak-live-MiB")
	b.ReportMetric(mib(last.crawlHeap), "crawl-heap-MiB")
	b.ReportMetric(mib(last.renderHeap), "render-heap-MiB")
	b.ReportMetric(mib(last.writeHeap), "write-heap-MiB")
	if last.rssOK {
		b.ReportMetric(float64(max(last.crawlRSS, last.renderRSS, last.writeRSS))/1e6, "peak-RSS-MB")
		b.ReportMetric(float64(last.crawlRSS)/1e6, "crawl-RSS-MB")
		b.ReportMetric(float64(last.renderRSS)/1e6, "render-RSS-MB")
		b.ReportMetric(float64(last.writeRSS)/1e6, "write-RSS-MB")
	}
}

// sitePages is the number of pages of the default site beside those of
// images and repositories (20 tags fit one history page): index, 404,
// failures, changes, coverage, rebuild, the label index, and one page for
// each label key (title and version).
const sitePages = 7 + 2

// scaleRun is what one run of BenchmarkScale measured, by phase (the
// write is the snapshot's). Peaks are in bytes; a phase's RSS peak is at least the RSS it started with.
type scaleRun struct {
	res                              pipeline.Result
	crawl, render, total             time.Duration
	crawlHeap, renderHeap, writeHeap uint64
	live                             uint64 // the live heap's peak
	crawlRSS, renderRSS, writeRSS    int64
	rssOK                            bool
}

// runScale crawls host and renders its site into a new directory under
// root, timing and sampling each phase through Config.Phase.
func runScale(b *testing.B, root, host string) scaleRun {
	dir, err := os.MkdirTemp(root, "run")
	if err != nil {
		b.Fatal(err)
	}
	var m scaleRun
	runtime.GC()
	m.rssOK = memwatch.ResetRSS()
	heap := watchHeap(os.Getenv("REGCAT_SCALE_PROFILE"))
	start := time.Now()
	phaseStart := start
	res, err := pipeline.Run(context.Background(), pipeline.Config{
		SnapshotDir: filepath.Join(dir, "snapshot"),
		Crawl:       &crawler.Config{Registry: host},
		Full:        true,
		Render:      &render.Config{Out: filepath.Join(dir, "site")},
		Phase: func(p pipeline.Phase) {
			now := time.Now()
			switch p {
			case pipeline.PhaseRender:
				m.crawl, m.crawlHeap = now.Sub(phaseStart), heap.cut("render")
				m.crawlRSS, m.rssOK = rssCut(m.rssOK)
			case pipeline.PhaseWrite:
				m.render, m.renderHeap = now.Sub(phaseStart), heap.cut("write")
				m.renderRSS, m.rssOK = rssCut(m.rssOK)
			}
			phaseStart = now
		},
	})
	m.total = time.Since(start)
	m.writeHeap = heap.Stop()
	m.live = heap.live
	m.writeRSS, m.rssOK = rssCut(m.rssOK)
	if err != nil {
		b.Fatal(err)
	}
	m.res = res
	return m
}

func mib(bytes uint64) float64 { return float64(bytes) / (1 << 20) }

// heapWatch samples the heap through memwatch, keeping the peak of each
// phase, and writes heap profiles near it when prefix is set.
type heapWatch struct {
	*memwatch.Sampler
	mu       sync.Mutex
	prefix   string // heap profiles' path prefix, or ""
	phase    string
	profiled uint64    // live heap at the phase's last profile
	live     uint64    // the live heap's peak, of the whole run
	at       time.Time // time of the last profile
}

func watchHeap(prefix string) *heapWatch {
	h := &heapWatch{prefix: prefix, phase: "crawl"}
	h.Sampler = memwatch.Start(h.profile)
	return h
}

// profile keeps the live heap's peak and writes a heap profile of the
// phase when the live heap grew by a twentieth since the last one, at
// most four times a second.
func (h *heapWatch) profile(uint64) {
	live := memwatch.Live()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.live = max(h.live, live)
	if h.prefix == "" || h.phase == "write" || time.Since(h.at) < 250*time.Millisecond {
		return
	}
	if live > h.profiled+h.profiled/20 {
		h.profiled, h.at = live, time.Now()
		writeHeapProfile(h.prefix + "-" + h.phase + ".pprof")
	}
}

// writeHeapProfile writes the heap profile to path; a failure leaves no
// profile, which the reader of the benchmark notices.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}

// cut returns the peak since the last cut and starts the phase next.
func (h *heapWatch) cut(next string) uint64 {
	p := h.Cut()
	h.mu.Lock()
	h.phase, h.profiled = next, 0
	h.mu.Unlock()
	return p
}

// rssCut returns the resident set's peak since the last reset and
// resets it, or false (and from then on) when the system cannot tell.
func rssCut(ok bool) (int64, bool) {
	if !ok {
		return 0, false
	}
	rss, ok := memwatch.PeakRSS()
	return rss, ok && memwatch.ResetRSS()
}
