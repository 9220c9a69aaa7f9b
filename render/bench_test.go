package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// synthetic is a snapshot of repos repositories with tags tags each, every
// tag its own single-platform image built on one of a few base images.
func synthetic(b testing.TB, repos, tags int) *snapshot.Snapshot {
	b.Helper()
	var rs []snapshot.Repository
	for i := range repos {
		name := fmt.Sprintf("team-%d/service-%d", i%25, i)
		r := snapshot.Repository{Name: name}
		for j := range tags {
			v := fmt.Sprintf("1.%d.0", j)
			labels := map[string]string{
				"org.opencontainers.image.title":       fmt.Sprintf("Service %d", i),
				"org.opencontainers.image.description": "Service **" + name + "** serves things.\n\nSee [docs](https://docs.example.com/" + name + ").",
				"org.opencontainers.image.version":     v,
				"org.opencontainers.image.revision":    fmt.Sprintf("%040x", i*1000+j),
				"org.opencontainers.image.source":      "https://github.com/example/" + fmt.Sprintf("service-%d", i),
				"org.opencontainers.image.licenses":    "Apache-2.0",
			}
			base := fmt.Sprintf("base-%d", i%5)
			p := platform("amd64", fmt.Sprintf("%s-%s", name, v), day(1).Add(time.Duration(i*tags+j)*time.Minute), labels,
				[]string{"PATH=/usr/bin"}, base, name+"-deps", name+"-"+v)
			im := single(name+v, []string{"v" + v}, p)
			r.Images = append(r.Images, im)
		}
		r.Images[tags-1].Tags = append(r.Images[tags-1].Tags, "latest")
		r.Tags = tagsOf(r.Images...)
		rs = append(rs, r)
	}
	s, err := snapshot.Build(snapshot.Index{Registry: "registry.example.com", CrawledAt: day(20)}, rs)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// sitePages is the number of site pages of a synthetic snapshot: index,
// failures, 404, coverage, rebuild, changes and labels, and a page for
// each of its 6 label keys.
const sitePages = 7 + 6

// BenchmarkRender renders a 1,000-repository × 20-tag snapshot (21,013
// pages, 46,023 files with the API and badges) with minification on:
// "fresh" into a new directory each time, "unchanged" over the previous
// identical site (which carries every repository's files, see
// incremental.go; pages/s counts the site's pages either way).
// "fresh-mem" is "fresh" in a directory on a memory file system
// (REGCAT_BENCH_MEMDIR, else /dev/shm when it exists), which tells the
// file system's share of the cost from the CPU's. cpu-s/op is the
// processor time (user and system) of one render.
func BenchmarkRender(b *testing.B) {
	snap := synthetic(b, 1000, 20)
	modes := []struct {
		name      string
		unchanged bool
		dir       func(b *testing.B) string
	}{
		{"fresh", false, (*testing.B).TempDir},
		{"unchanged", true, (*testing.B).TempDir},
		{"fresh-mem", false, memDir},
	}
	for _, mode := range modes {
		b.Run(mode.name, func(b *testing.B) {
			out := filepath.Join(mode.dir(b), "site")
			if mode.unchanged {
				if _, err := Render(context.Background(), Config{Out: out}, snap); err != nil {
					b.Fatal(err)
				}
			}
			var st Stats
			var cpu time.Duration
			cpuKnown := true
			n := 0
			for b.Loop() {
				if !mode.unchanged {
					b.StopTimer()
					os.RemoveAll(out)
					b.StartTimer()
				}
				c0, ok0 := cpuTime()
				var err error
				if st, err = Render(context.Background(), Config{Out: out}, snap); err != nil {
					b.Fatal(err)
				}
				c1, ok1 := cpuTime()
				cpu += c1 - c0
				cpuKnown = cpuKnown && ok0 && ok1
				n++
			}
			// A repository page and 20 image pages per repository, and
			// the site's pages. An unchanged render carries every
			// repository's pages from the previous site (see
			// incremental.go) and renders the site's.
			want := 1000*21 + sitePages
			switch {
			case !mode.unchanged && st.Pages != want:
				b.Fatalf("rendered %d pages, want %d", st.Pages, want)
			case mode.unchanged && (st.Pages != sitePages || st.Carried != 1000):
				b.Fatalf("rendered %d pages, carried %d repositories; want the %d site pages and all 1000", st.Pages, st.Carried, sitePages)
			}
			if mode.unchanged && st.Unchanged != st.Files {
				b.Fatalf("%d of %d files unchanged", st.Unchanged, st.Files)
			}
			if !mode.unchanged && st.Unchanged != 0 {
				b.Fatalf("%d files unchanged in a fresh render", st.Unchanged)
			}
			sec := b.Elapsed().Seconds()
			// The site's pages per second, carried ones included.
			b.ReportMetric(float64(want*n)/sec, "pages/s")
			b.ReportMetric(float64(st.Files*n)/sec, "files/s")
			b.ReportMetric(float64(st.Bytes*int64(n))/1e6/sec, "MB/s")
			if cpuKnown {
				// Less disturbed than the wall time by other work on the
				// machine; above the wall time when rendering is parallel.
				b.ReportMetric(cpu.Seconds()/float64(n), "cpu-s/op")
			}
			b.ReportMetric(float64(st.Bytes), "bytes")
			b.ReportMetric(float64(st.Files), "files")
		})
	}
}

// memDir returns a temporary directory on a memory file system, removed
// after the benchmark, or skips b when there is none.
func memDir(b *testing.B) string {
	b.Helper()
	parent := os.Getenv("REGCAT_BENCH_MEMDIR")
	if parent == "" {
		parent = "/dev/shm"
	}
	if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
		b.Skipf("no memory file system at %s (set REGCAT_BENCH_MEMDIR)", parent)
	}
	dir, err := os.MkdirTemp(parent, "regcat-bench-")
	if err != nil {
		b.Skipf("memory file system: %v", err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
