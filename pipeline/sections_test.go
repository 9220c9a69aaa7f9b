package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// sections is a run of two registries into dir/snapshot and dir/site.
func sections(dir string, a, b *regtest.Registry) pipeline.Config {
	quick := reghttp.Config{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxAttempts: 2}
	return pipeline.Config{
		SnapshotDir: filepath.Join(dir, "snapshot"),
		Render:      &render.Config{Out: filepath.Join(dir, "site"), Title: "Both"},
		Sections: []pipeline.Section{
			{Dir: "one", Crawl: &crawler.Config{Registry: a.Host, Retry: quick}},
			{Dir: "two", Title: "Two", Crawl: &crawler.Config{Registry: b.Host, Retry: quick}},
		},
	}
}

// TestSections runs two registries into one site, then a run whose second
// crawl fails, which replaces nothing, then one with recorded failures.
func TestSections(t *testing.T) {
	a, _ := startRegistry(t)
	b, _ := startRegistry(t)
	dir := t.TempDir()
	cfg := sections(dir, a, b)
	res, err := pipeline.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	site, snap := tree(t, cfg.Render.Out), tree(t, cfg.SnapshotDir)
	for _, f := range []string{"one/index.json", "two/index.json"} {
		if _, ok := snap[f]; !ok {
			t.Errorf("snapshot %s missing", f)
		}
	}
	for _, f := range []string{"index.html", "api/index.json", "one/index.html", "two/r/base~os/index.html"} {
		if _, ok := site[f]; !ok {
			t.Errorf("site %s missing", f)
		}
	}
	if res.Crawl.TagsDone == 0 || res.Render.Pages < 3 {
		t.Errorf("result %+v", res)
	}

	b.Faults.Set(regtest.Rule{Fault: regtest.FaultStatus, Routes: []regtest.Route{regtest.RouteBase}, Times: -1})
	if _, err := pipeline.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "crawl two") {
		t.Fatalf("error %v, want the second crawl's", err)
	}
	if got := tree(t, cfg.Render.Out); !maps.Equal(got, site) {
		t.Error("a failed run changed the site")
	}
	if got := tree(t, cfg.SnapshotDir); !maps.Equal(got, snap) {
		t.Error("a failed run changed a snapshot")
	}

	b.Faults.Set(regtest.Rule{Fault: regtest.FaultStatus, Status: 404, Routes: []regtest.Route{regtest.RouteManifestGet, regtest.RouteManifestHead}, Repo: "base/os", Times: -1})
	_, err = pipeline.Run(context.Background(), cfg)
	var pe *pipeline.PartialError
	if !errors.As(err, &pe) || pe.Failures == 0 {
		t.Fatalf("error %v, want a PartialError with failures", err)
	}
}
func TestSectionsValidate(t *testing.T) {
	a, _ := startRegistry(t)
	for name, edit := range map[string]func(*pipeline.Config){
		"crawl too": func(c *pipeline.Config) { c.Crawl = &crawler.Config{Registry: a.Host} },
		"no render nor crawl": func(c *pipeline.Config) {
			c.Render = nil
			c.Sections[0].Crawl, c.Sections[1].Crawl = nil, nil
		},
		"same dir":    func(c *pipeline.Config) { c.Sections[1].Dir = "one" },
		"bad dir":     func(c *pipeline.Config) { c.Sections[0].Dir = "../x" },
		"bad crawl":   func(c *pipeline.Config) { c.Sections[0].Crawl.QPS = -1 },
		"one crawl":   func(c *pipeline.Config) { c.Sections[0].Crawl = nil },
		"no sections": func(c *pipeline.Config) { c.Sections = []pipeline.Section{}; c.Render = nil },
	} {
		cfg := sections(t.TempDir(), a, a)
		edit(&cfg)
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: valid", name)
		}
	}
	for name, edit := range map[string]func(*pipeline.Config){
		"crawl only":  func(c *pipeline.Config) { c.Render = nil },
		"render only": func(c *pipeline.Config) { c.Sections[0].Crawl, c.Sections[1].Crawl = nil, nil },
	} {
		cfg := sections(t.TempDir(), a, a)
		edit(&cfg)
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// crawlSections runs the sections of a crawl without render into dir and
// returns the phases it went through.
func crawlSections(t *testing.T, dir string, secs ...pipeline.Section) []pipeline.Phase {
	t.Helper()
	var phases []pipeline.Phase
	cfg := pipeline.Config{SnapshotDir: dir, Sections: secs, Phase: func(p pipeline.Phase) { phases = append(phases, p) }}
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatalf("crawl sections into %s: %v", dir, err)
	}
	return phases
}

// TestSectionsShards crawls two registries whole, then in three jobs, the
// first registry in 3 shards and the second as shard 1/1 of job 1,
// merges the jobs with MergeSections and compares the bytes with the
// whole crawl; then renders the merged snapshots without crawling. A
// missing shard or registry merges nothing.
func TestSectionsShards(t *testing.T) {
	a := shardRegistry(t)
	b, _ := startRegistry(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole")
	phases := crawlSections(t, whole,
		pipeline.Section{Dir: "one", Crawl: &crawler.Config{Registry: a.Host}},
		pipeline.Section{Dir: "two", Crawl: &crawler.Config{Registry: b.Host}})
	if fmt.Sprint(phases) != "[crawl write]" {
		t.Errorf("crawl-only phases %v", phases)
	}
	var roots []string
	for k := 1; k <= 3; k++ {
		root := filepath.Join(dir, "jobs", strconv.Itoa(k))
		secs := []pipeline.Section{{Dir: "one", Crawl: &crawler.Config{Registry: a.Host, Shard: &snapshot.Shard{Index: k, Count: 3}}}}
		if k == 1 {
			secs = append(secs, pipeline.Section{Dir: "two", Crawl: &crawler.Config{Registry: b.Host, Shard: &snapshot.Shard{Index: 1, Count: 1}}})
		}
		crawlSections(t, root, secs...)
		roots = append(roots, root)
	}
	ctx := context.Background()
	merged := filepath.Join(dir, "merged")
	snaps, err := pipeline.MergeSections(ctx, merged, []string{"one", "two"}, roots)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 || snaps[0].Index.Shard != nil || snaps[1].Index.Shard != nil {
		t.Fatalf("merged %d snapshots, shards %v %v, want 2 without shard", len(snaps), snaps[0].Index.Shard, snaps[1].Index.Shard)
	}
	for _, d := range []string{"one", "two"} {
		got, want := tree(t, filepath.Join(merged, d)), tree(t, filepath.Join(whole, d))
		for _, tr := range []map[string]string{got, want} {
			tr[snapshot.IndexFile] = crawledAt.ReplaceAllString(tr[snapshot.IndexFile], "")
		}
		if diff := sameTree(want, got); diff != "" {
			t.Errorf("%s: merged vs whole: %s", d, diff)
		}
	}

	site := filepath.Join(dir, "site")
	before := tree(t, merged)
	phases = nil
	res, err := pipeline.Run(ctx, pipeline.Config{
		SnapshotDir: merged,
		Render:      &render.Config{Out: site, Title: "Both"},
		Sections:    []pipeline.Section{{Dir: "one"}, {Dir: "two", Title: "Two"}},
		Phase:       func(p pipeline.Phase) { phases = append(phases, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(phases) != "[read render]" || res.Crawl.Requests != 0 {
		t.Errorf("render-only phases %v, %d requests", phases, res.Crawl.Requests)
	}
	out := tree(t, site)
	for _, f := range []string{"index.html", "one/index.html", "one/r/base~os/index.html", "two/index.html"} {
		if _, ok := out[f]; !ok {
			t.Errorf("site %s missing", f)
		}
	}
	if !strings.Contains(out["index.html"], ">Two<") {
		t.Error("landing page lacks the second section's title")
	}
	if !maps.Equal(tree(t, merged), before) {
		t.Error("a render changed the snapshots")
	}

	for name, c := range map[string]struct {
		dirs, roots []string
		want        string
	}{
		"missing shard":    {[]string{"one", "two"}, []string{roots[0], roots[2]}, "missing shards: 2/3"},
		"missing registry": {[]string{"one", "three"}, roots, "no shard root holds three/"},
		"not a shard":      {[]string{"one"}, []string{whole}, "is not a shard"},
	} {
		out := filepath.Join(dir, "refused", name)
		_, err := pipeline.MergeSections(ctx, out, c.dirs, c.roots)
		if !errors.Is(err, snapshot.ErrShards) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrShards with %q", name, err, c.want)
		}
		if got := tree(t, out); len(got) != 0 {
			t.Errorf("%s: wrote %d files", name, len(got))
		}
	}
	if _, err := pipeline.MergeSections(ctx, filepath.Join(whole, "one"), []string{"one"}, roots); err == nil || !strings.Contains(err.Error(), "holds the snapshot of one registry") {
		t.Errorf("merge into a snapshot of one registry: %v", err)
	}
}
