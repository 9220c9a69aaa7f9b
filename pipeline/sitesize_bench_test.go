package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
)

// BenchmarkSiteSize crawls internal/regtest's Large fixture
// (REGCAT_SITE_REPOS repositories, default 100, × 19 tags) from
// go-containerregistry's registry and renders the default site (or with
// the --tag-badges policy REGCAT_TAG_BADGES), reporting
// its bytes and files per tag, and those of its parts: image pages,
// repository pages, badges. The target for the default site is at
// most 8 KB and 2 files per tag. Run with -benchtime 1x.
func BenchmarkSiteSize(b *testing.B) {
	repos := 100
	if v, err := strconv.Atoi(os.Getenv("REGCAT_SITE_REPOS")); err == nil && v > 0 {
		repos = v
	}
	const tags = 19
	policy, err := render.ParseTagBadges(os.Getenv("REGCAT_TAG_BADGES"))
	if os.Getenv("REGCAT_TAG_BADGES") == "" {
		policy, err = render.TagBadgesDefault, nil
	}
	if err != nil {
		b.Fatal(err)
	}
	reg := regtest.NewGGCR(b)
	if err := reg.Populate(context.Background(), regtest.Large(b, repos, tags)); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var res pipeline.Result
	for b.Loop() {
		var err error
		res, err = pipeline.Run(context.Background(), pipeline.Config{
			SnapshotDir: filepath.Join(dir, "snapshot"),
			Crawl:       &crawler.Config{Registry: reg.Host},
			Full:        true,
			Render:      &render.Config{Out: filepath.Join(dir, "site"), TagBadges: policy},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	n := float64(res.Crawl.TagsDone)
	if int(n) != repos*tags {
		b.Fatalf("crawled %v tags, want %d", n, repos*tags)
	}
	parts := map[string][2]int64{} // bytes, files
	err = filepath.WalkDir(filepath.Join(dir, "site"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(dir, "site"), p)
		part := "other"
		switch m, _ := filepath.Match("r/*/sha256-*.html", filepath.ToSlash(rel)); {
		case m:
			part = "image-pages"
		case filepath.Dir(filepath.Dir(rel)) == "r":
			part = "repo-pages"
		case len(rel) > 7 && rel[:7] == "badges/":
			part = "badges"
		case len(rel) > 4 && rel[:4] == "api/":
			part = "api"
		}
		v := parts[part]
		parts[part] = [2]int64{v[0] + fi.Size(), v[1] + 1}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if total := parts["image-pages"][1] + parts["repo-pages"][1] + parts["badges"][1] + parts["api"][1] + parts["other"][1]; total != int64(res.Render.Files) {
		b.Fatalf("counted %d files, the render wrote %d", total, res.Render.Files)
	}
	b.ReportMetric(float64(res.Render.Bytes)/n, "site-B/tag")
	b.ReportMetric(float64(res.Render.Files)/n, "files/tag")
	for part, v := range parts {
		b.ReportMetric(float64(v[0])/n, part+"-B/tag")
		b.ReportMetric(float64(v[1])/n, part+"-files/tag")
	}
}
