package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// maxSearchBytesPerTag bounds search-index.js on demo-like catalogs
// (issue 10).
const maxSearchBytesPerTag = 150

// snapshotTags counts the tags of the snapshot in dir: what the crawl
// found, independent of the site.
func snapshotTags(t *testing.T, dir string) int {
	t.Helper()
	snap, err := snapshot.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range snap.Repositories {
		n += len(r.Tags)
	}
	return n
}

// TestSearchIndexSize measures search-index.js in bytes per tag on the
// demo catalog and on a crawl of regtest's Large fixture, and holds both
// under maxSearchBytesPerTag.
func TestSearchIndexSize(t *testing.T) {
	demoSnap := filepath.Join(t.TempDir(), "snapshot")
	demoSite := filepath.Join(t.TempDir(), "site")
	e := &env{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &strings.Builder{}, quiet: true}
	if err := runDemo(context.Background(), e, demoOptions{out: demoSite, snapshot: demoSnap, noServe: true}, false); err != nil {
		t.Fatalf("regcat demo: %v", err)
	}

	reg := regtest.NewGGCR(t)
	if err := reg.Populate(context.Background(), regtest.Large(t, 10, 100)); err != nil {
		t.Fatal(err)
	}
	largeDir := t.TempDir()
	cfg := pipeline.Config{
		SnapshotDir: filepath.Join(largeDir, "snapshot"),
		Crawl:       &crawler.Config{Registry: reg.Host},
		Render:      &render.Config{Out: filepath.Join(largeDir, "site")},
	}
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ name, snap, site string }{
		{"demo", demoSnap, demoSite},
		{"Large(10, 100)", cfg.SnapshotDir, cfg.Render.Out},
	} {
		fi, err := os.Stat(filepath.Join(c.site, "search-index.js"))
		if err != nil {
			t.Fatal(err)
		}
		tags := snapshotTags(t, c.snap)
		if tags == 0 {
			t.Fatalf("%s: no tags", c.name)
		}
		per := float64(fi.Size()) / float64(tags)
		t.Logf("%s: search-index.js is %d bytes for %d tags: %.1f bytes per tag", c.name, fi.Size(), tags, per)
		if per >= maxSearchBytesPerTag {
			t.Errorf("%s: %.1f bytes per tag, want under %d", c.name, per, maxSearchBytesPerTag)
		}
	}
}
