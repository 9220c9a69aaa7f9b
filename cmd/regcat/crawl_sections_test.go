package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// shardedConfig starts go-containerregistry's registry with the standard
// fixture and 24 more repositories (so that each of 3 shards holds some)
// and the distribution registry with the standard fixture, and writes a
// config file listing the first in 3 shards (dir one) and the second
// unsharded (dir two). It returns the file and the number of
// repositories of both.
func shardedConfig(t *testing.T) (string, int) {
	t.Helper()
	hermetic(t)
	ggcr := regtest.NewGGCR(t)
	fx := regtest.Standard(t)
	fx.Repos = append(fx.Repos, regtest.Large(t, 24, 2).Repos...)
	if err := ggcr.Populate(context.Background(), fx); err != nil {
		t.Fatal(err)
	}
	dist, dfx := startRegistry(t)
	cfg := filepath.Join(t.TempDir(), "regcat.yaml")
	text := fmt.Sprintf("title: Sharded\nregistries:\n  - address: %s\n    dir: one\n    shards: 3\n  - address: %s\n    dir: two\n    title: Two\n", ggcr.Host, dist.Host)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, len(fx.Repos) + len(dfx.Repos)
}

// snapshotFiles reads every file under dir, index.json without its crawledAt.
func snapshotFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out[snapshot.IndexFile] = regexp.MustCompile(`"crawledAt": "[^"]*"`).ReplaceAllString(out[snapshot.IndexFile], "")
	return out
}

// TestCrawlConfigShards crawls a config file of two registries in three
// jobs (--shard 1, --shard auto from GitLab's variables, --shard 3/3),
// merges them with merge --config and renders them with render --config;
// each merged snapshot has the files of an unsharded build --config of
// the same registries, byte for byte (index.json but for crawledAt).
func TestCrawlConfigShards(t *testing.T) {
	cfg, repos := shardedConfig(t)
	dir := t.TempDir()
	root := func(k int) string { return filepath.Join(dir, "jobs", strconv.Itoa(k)) }
	for k, shard := range []string{"1", "auto", "3/3"} {
		if shard == "auto" {
			t.Setenv("CI_NODE_INDEX", "2")
			t.Setenv("CI_NODE_TOTAL", "3")
		}
		if code, stderr := runCLI(t, "", "crawl", "--config", cfg, "--shard", shard, "--snapshot", root(k+1), "-q"); code != exitOK {
			t.Fatalf("crawl --shard %s: exit %d\n%s", shard, code, stderr)
		}
	}
	t.Setenv("CI_NODE_INDEX", "")
	t.Setenv("CI_NODE_TOTAL", "")
	for k := 1; k <= 3; k++ {
		s, err := snapshot.Read(filepath.Join(root(k), "one"))
		if err != nil {
			t.Fatal(err)
		}
		if want := (snapshot.Shard{Index: k, Count: 3}); s.Index.Shard == nil || *s.Index.Shard != want {
			t.Errorf("job %d: one is shard %v, want %v", k, s.Index.Shard, want)
		}
		two, err := snapshot.Read(filepath.Join(root(k), "two"))
		switch {
		case k == 1 && (err != nil || two.Index.Shard == nil || *two.Index.Shard != snapshot.Shard{Index: 1, Count: 1}):
			t.Errorf("job 1: two: %v, %v; want shard 1/1", two, err)
		case k > 1 && err == nil:
			t.Errorf("job %d crawled the unsharded registry", k)
		}
	}
	if code, stderr := runCLI(t, "", "crawl", "--config", cfg, "--shard", "4", "--snapshot", root(4), "-q"); code != exitOK {
		t.Errorf("crawl --shard 4: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(root(4)); err == nil {
		t.Error("job 4, past every registry's shards, wrote a snapshot")
	}

	merged := filepath.Join(dir, "merged")
	if code, stderr := runCLI(t, "", "merge", "--config", cfg, "--snapshot", merged, root(1), root(3)); code != exitUsage || !strings.Contains(stderr, "missing shards: 2/3") {
		t.Errorf("merge without job 2: exit %d, want %d\n%s", code, exitUsage, stderr)
	}
	if code, stderr := runCLI(t, "", "merge", "--config", cfg, "--snapshot", merged, root(1), root(2), root(3)); code != exitOK {
		t.Fatalf("merge --config: exit %d\n%s", code, stderr)
	}
	site := filepath.Join(dir, "site")
	if code, stderr := runCLI(t, "", "render", "--config", cfg, "--snapshot", merged, "--out", site, "-q"); code != exitOK {
		t.Fatalf("render --config: exit %d\n%s", code, stderr)
	}
	landing, err := os.ReadFile(filepath.Join(site, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Sharded", `href="one/index.html">`, `href="two/index.html">Two<`, fmt.Sprintf("2 registries · %d repositories", repos)} {
		if !strings.Contains(string(landing), want) {
			t.Errorf("landing page lacks %q:\n%s", want, landing)
		}
	}

	whole := filepath.Join(dir, "whole")
	if code, stderr := runCLI(t, "", "build", "--config", cfg, "--snapshot", whole, "--out", filepath.Join(dir, "wsite"), "-q"); code != exitOK {
		t.Fatalf("build --config: exit %d\n%s", code, stderr)
	}
	for _, d := range []string{"one", "two"} {
		want, got := snapshotFiles(t, filepath.Join(whole, d)), snapshotFiles(t, filepath.Join(merged, d))
		if len(want) < 3 || len(got) != len(want) {
			t.Errorf("%s: %d files merged, %d in the whole crawl", d, len(got), len(want))
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s/%s: merged differs from the whole crawl", d, name)
			}
		}
		if _, err := os.Stat(filepath.Join(site, d, "r", "base~os", "index.html")); err != nil {
			t.Errorf("site: %v", err)
		}
	}
}

// TestCrawlConfigUsage rejects the flags that do not go with crawl
// --config, bad shards and a bad shards: line.
func TestCrawlConfigUsage(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "regcat.yaml")
	if err := os.WriteFile(cfg, []byte("registries:\n  - address: localhost:5000\n    shards: 3\n  - address: localhost:5001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("registries:\n  - address: localhost:5000\n    shards: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := []string{"--snapshot", filepath.Join(dir, "snap")}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"crawl"}, "crawl needs REGISTRY or --config FILE"},
		{[]string{"crawl", "--config", cfg, "localhost:5000"}, "do not go together"},
		{[]string{"crawl", "--config", cfg, "--include=x"}, "set it per registry"},
		{[]string{"crawl", "--config", cfg, "--notify=http://127.0.0.1:1/"}, "--notify: not with --config"},
		{[]string{"build", "--config", cfg, "--history=5"}, "--history: not with --config"},
		{[]string{"render", "--config", cfg, "extra"}, "unknown command"},
		{[]string{"crawl", "--config", cfg, "--shard", "0"}, "job must be 1 to 10000"},
		{[]string{"crawl", "--config", cfg, "--shard", "x"}, "want K, K/N or auto"},
		{[]string{"crawl", "--config", cfg, "--shard", "1/2"}, "2 jobs leave shards of localhost-5000 (shards: 3) uncrawled"},
		{[]string{"crawl", "--config", cfg, "--shard", "2", "--shards", "3"}, "--shards goes with --shard auto"},
		{[]string{"crawl", "--config", bad}, "line 2: registry 1: shards: 0 is not 1 to 10000"},
		{[]string{"merge", "--config", bad, filepath.Join(dir, "jobs")}, "line 2: registry 1: shards: 0"},
		{[]string{"merge", "--config", cfg, filepath.Join(dir, "jobs")}, "no shard root holds localhost-5000/"},
		{[]string{"render", "--config", bad}, "line 2: registry 1: shards: 0"},
		{[]string{"crawl", "localhost:5000", "--shard", "2"}, "want K/N"},
	} {
		code, stderr := runCLI(t, "", append(c.args, snap...)...)
		if code != exitUsage || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d %q, want %d and %q", c.args, code, stderr, exitUsage, c.msg)
		}
	}
}
