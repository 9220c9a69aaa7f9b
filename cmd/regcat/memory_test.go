package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// BenchmarkBuildLargeRepo runs `regcat build` as its own process on one
// repository at the default tag cap, every tag its own image, and reports
// the process's peak resident memory (the target: under 300 MB) and the
// size of the repository page. Run it without -race, which multiplies
// memory: go test -run '^$' -bench BuildLargeRepo -benchtime=1x ./cmd/regcat
func BenchmarkBuildLargeRepo(b *testing.B) {
	fx := regtest.Large(b, 1, 10000)
	reg := regtest.NewGGCR(b)
	if err := reg.Populate(b.Context(), fx); err != nil {
		b.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var rssKB int64
	var page int64
	for b.Loop() {
		dir := b.TempDir()
		out := filepath.Join(dir, "site")
		cmd := exec.Command(exe, "build", reg.Host, "-q", "--snapshot", filepath.Join(dir, "snapshot"), "--out", out)
		cmd.Env = append(os.Environ(), runMainEnv+"=1")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("regcat build: %v\n%s", err, msg)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rssKB = max(rssKB, ru.Maxrss) // kilobytes on Linux
		}
		fi, err := os.Stat(filepath.Join(out, "r", strings.ReplaceAll(fx.Repos[0].Name, "/", "~"), "index.html"))
		if err != nil {
			b.Fatal(err)
		}
		page = fi.Size()
	}
	b.ReportMetric(float64(rssKB)/1000, "peak-RSS-MB")
	b.ReportMetric(float64(page)/1e6, "repo-page-MB")
}

// BenchmarkCrawlRenderProcesses runs `regcat crawl` and then `regcat
// render` as processes of their own on internal/regtest's synthetic
// registry (REGCAT_SCALE_REPOS repositories, default 1000, × 19 tags,
// every tag its own image), and reports each one's peak resident memory
// (rusage), wall time and rate: tags/s of the crawl, pages/s of the
// render. The targets at ~19k tags: crawl and render each at most
// 250 MB. Run it without -race, with -benchtime 1x:
// go test -run '^$' -bench CrawlRenderProcesses -benchtime=1x ./cmd/regcat
func BenchmarkCrawlRenderProcesses(b *testing.B) {
	repos := 1000
	if v, err := strconv.Atoi(os.Getenv("REGCAT_SCALE_REPOS")); err == nil && v > 0 {
		repos = v
	}
	const tags = 19
	reg := regtest.NewSynthetic(b, regtest.SyntheticConfig{Repos: repos, TagsPerRepo: tags})
	var crawl, render process
	var tagsDone, pages int
	for b.Loop() {
		dir := b.TempDir()
		snap, site := filepath.Join(dir, "snapshot"), filepath.Join(dir, "site")
		crawl = runRegcat(b, "crawl", reg.Host, "-q", "--snapshot", snap)
		render = runRegcat(b, "render", "-q", "--snapshot", snap, "--out", site)
		tagsDone, pages = countTags(b, snap), countPages(b, site)
	}
	// A page per image and per repository (19 tags fit one history
	// page), and the site's own: index, 404, failures, changes, coverage,
	// rebuild, the label index and one page per label key.
	if want := repos*tags + repos + 7 + 2; tagsDone != repos*tags || pages != want {
		b.Fatalf("crawled %d tags and rendered %d pages, want %d and %d", tagsDone, pages, repos*tags, want)
	}
	b.ReportMetric(float64(crawl.rssKB)/1000, "crawl-RSS-MB")
	b.ReportMetric(crawl.wall.Seconds(), "crawl-s")
	b.ReportMetric(float64(tagsDone)/crawl.wall.Seconds(), "tags/s")
	b.ReportMetric(float64(render.rssKB)/1000, "render-RSS-MB")
	b.ReportMetric(render.wall.Seconds(), "render-s")
	b.ReportMetric(float64(pages)/render.wall.Seconds(), "pages/s")
}

// process is what one regcat process took.
type process struct {
	rssKB int64 // peak resident set, kilobytes (Linux rusage)
	wall  time.Duration
}

// runRegcat runs the test binary as regcat with args, failing on error.
func runRegcat(b *testing.B, args ...string) process {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	start := time.Now()
	msg, err := cmd.CombinedOutput()
	p := process{wall: time.Since(start)}
	if err != nil {
		b.Fatalf("regcat %s: %v\n%s", args[0], err, msg)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.rssKB = ru.Maxrss
	}
	return p
}

// countTags returns the number of tags in the snapshot in dir.
func countTags(b *testing.B, dir string) int {
	snap, err := snapshot.Read(dir)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, r := range snap.Repositories {
		n += len(r.Tags)
	}
	return n
}

// countPages returns the number of HTML files under dir.
func countPages(b *testing.B, dir string) int {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(d.Name(), ".html") {
			n++
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
