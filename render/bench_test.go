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
func synthetic(b *testing.B, repos, tags int) *snapshot.Snapshot {
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

// BenchmarkRender renders a 1,000-repository × 20-tag snapshot (21,003
// pages) with minification on: "fresh" into a new directory each time,
// "unchanged" over the previous identical site.
func BenchmarkRender(b *testing.B) {
	snap := synthetic(b, 1000, 20)
	for _, mode := range []string{"fresh", "unchanged"} {
		b.Run(mode, func(b *testing.B) {
			dir := b.TempDir()
			out := filepath.Join(dir, "site")
			if mode == "unchanged" {
				if _, err := Render(context.Background(), Config{Out: out}, snap); err != nil {
					b.Fatal(err)
				}
			}
			var st Stats
			n := 0
			for b.Loop() {
				if mode == "fresh" {
					b.StopTimer()
					os.RemoveAll(out)
					b.StartTimer()
				}
				var err error
				if st, err = Render(context.Background(), Config{Out: out}, snap); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if want := 1000*21 + 3; st.Pages != want {
				b.Fatalf("rendered %d pages, want %d", st.Pages, want)
			}
			if mode == "unchanged" && st.Unchanged != st.Files {
				b.Fatalf("%d of %d files unchanged", st.Unchanged, st.Files)
			}
			b.ReportMetric(float64(st.Pages*n)/b.Elapsed().Seconds(), "pages/s")
			b.ReportMetric(float64(st.Bytes), "bytes")
			b.ReportMetric(float64(st.Files), "files")
		})
	}
}
