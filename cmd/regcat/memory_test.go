package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
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
