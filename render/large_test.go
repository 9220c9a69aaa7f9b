package render

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/regcat/regcat/internal/memwatch"
	"github.com/regcat/regcat/snapshot"
)

// The bounds of issue 8 for one repository at the crawler's tag cap
// (10,000 tags, each its own image): each of its pages stays under
// maxRepoPage bytes of HTML and the render under 300 MB of memory.
const (
	largeTags   = 10000
	maxRepoPage = 1 << 20
)

// repoPageBytes renders page n of snap's only repository into memory.
func repoPageBytes(t testing.TB, snap *snapshot.Snapshot, n int) []byte {
	t.Helper()
	tmpl, _, err := loadTemplates("", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r := newRenderer(Config{}, tmpl, [32]byte{})
	if err := r.read(context.Background(), snap, nil); err != nil {
		t.Fatal(err)
	}
	rp := r.cat.Repos[0]
	full, err := r.cat.Load(context.Background(), rp)
	if err != nil {
		t.Fatal(err)
	}
	d, err := repoHTML.data(r, subject{repo: rp, full: full, page: n})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.tmpl[repoHTML.template].Execute(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLargeRepositoryPage: the pages of a repository with 10,000 tags,
// every tag its own image, list them all, DefaultPageSize a page, and
// each stays under maxRepoPage.
func TestLargeRepositoryPage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-image snapshot")
	}
	snap := synthetic(t, 1, largeTags)
	pages := largeTags / DefaultPageSize
	rows, largest := 0, 0
	for n := 1; n <= pages; n++ {
		page := repoPageBytes(t, snap, n)
		if got := bytes.Count(page, []byte("<tr><th scope=row>")); got != DefaultPageSize {
			t.Errorf("page %d lists %d images, want %d", n, got, DefaultPageSize)
		}
		rows += DefaultPageSize
		largest = max(largest, len(page))
	}
	if rows != largeTags {
		t.Errorf("%d pages list %d images, want %d", pages, rows, largeTags)
	}
	if largest > maxRepoPage {
		t.Errorf("largest repository page is %d bytes, want at most %d", largest, maxRepoPage)
	}
	t.Logf("repository of %d tags: %d pages, the largest %d bytes", largeTags, pages, largest)
}

// BenchmarkLargeRepository renders a site of one repository with 10,000
// tags, every tag its own image, and reports the peak heap during the
// render (sampled from runtime/metrics), the process's peak RSS
// (VmHWM, Linux only, snapshot included) and the size of the
// repository's page. Run with -benchtime=1x.
func BenchmarkLargeRepository(b *testing.B) {
	snap := synthetic(b, 1, largeTags)
	out := filepath.Join(b.TempDir(), "site")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc // the snapshot, live
	var peak uint64
	var st Stats
	for b.Loop() {
		b.StopTimer()
		os.RemoveAll(out)
		b.StartTimer()
		h := memwatch.Start(nil)
		var err error
		st, err = Render(context.Background(), Config{Out: out}, snap)
		peak = max(peak, h.Stop())
		if err != nil {
			b.Fatal(err)
		}
	}
	if want := largeTags + sitePages + largeTags/DefaultPageSize; st.Pages != want {
		b.Fatalf("rendered %d pages, want %d", st.Pages, want)
	}
	page, err := os.ReadFile(filepath.Join(out, repoPage(snap.Repositories[0].Name)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(before)/1e6, "snapshot-heap-MB")
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
	if hwm, ok := memwatch.PeakRSS(); ok {
		b.ReportMetric(float64(hwm)/1e6, "peak-rss-MB")
	}
	b.ReportMetric(float64(len(page))/1e6, "repo-page-MB")
	b.ReportMetric(float64(st.Files), "files")
}
