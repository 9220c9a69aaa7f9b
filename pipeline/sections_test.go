package pipeline_test

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
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
		"no render": func(c *pipeline.Config) { c.Render = nil },
		"same dir":  func(c *pipeline.Config) { c.Sections[1].Dir = "one" },
		"bad dir":   func(c *pipeline.Config) { c.Sections[0].Dir = "../x" },
		"bad crawl": func(c *pipeline.Config) { c.Sections[0].Crawl.QPS = -1 },
		"nil crawl": func(c *pipeline.Config) { c.Sections[0].Crawl = nil },
	} {
		cfg := sections(t.TempDir(), a, a)
		edit(&cfg)
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: valid", name)
		}
	}
}
