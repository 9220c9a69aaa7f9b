package pipeline_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
)

// moveTag pushes to reg a tag of fx's repository repo named tag that
// points at the image of tag from, and returns the new digest.
func moveTag(t *testing.T, reg *regtest.Registry, fx *regtest.Fixture, repo, tag, from string) string {
	t.Helper()
	src, ok := fx.Tag(repo, from)
	if !ok {
		t.Fatalf("fixture has no %s:%s", repo, from)
	}
	src.Name = tag
	push := &regtest.Fixture{Repos: []regtest.Repo{{Name: repo, Tags: []regtest.Tag{src}}}}
	if err := push.Push(context.Background(), reg.Host); err != nil {
		t.Fatal(err)
	}
	return src.Digest.String()
}

// TestRunChanges: the first run has nothing to compare with, a run that
// changes nothing appends nothing, a moved and a new tag are one change
// set in Result.Changes and one file of the change log, which
// Config.History prunes.
func TestRunChanges(t *testing.T) {
	reg, fx := startRegistry(t)
	// A repository with two tags at different digests.
	var repo, a, b string
	for _, r := range fx.Repos {
		for _, x := range r.Tags {
			for _, y := range r.Tags {
				if x.Digest != y.Digest && x.Image != nil && y.Image != nil && repo == "" {
					repo, a, b = r.Name, x.Name, y.Name
				}
			}
		}
	}
	if repo == "" {
		t.Fatal("no repository with two distinct images in the fixture")
	}
	dir := t.TempDir()
	var log bytes.Buffer
	cfg := build(reg, dir, &log)
	cfg.Render = nil
	logDir := filepath.Join(cfg.SnapshotDir, changes.Dir)
	logFiles := func() int {
		t.Helper()
		entries, err := os.ReadDir(logDir)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return len(entries)
	}

	res, err := pipeline.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changes != nil || logFiles() != 0 {
		t.Fatalf("first run: changes %+v, %d log files", res.Changes, logFiles())
	}
	if res, err = pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if res.Changes == nil || !res.Changes.Empty() || logFiles() != 0 {
		t.Fatalf("unchanged run: changes %+v, %d log files", res.Changes, logFiles())
	}

	old, _ := fx.Tag(repo, a)
	moved := moveTag(t, reg, fx, repo, a, b)
	added := moveTag(t, reg, fx, repo, "pushed-later", b)
	if res, err = pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	want := []changes.Repo{{Name: repo, Status: changes.Changed,
		NewTags:     []changes.Tag{{Name: "pushed-later", Digest: added}},
		ChangedTags: []changes.Move{{Name: a, OldDigest: old.Digest.String(), Digest: moved}},
	}}
	got := res.Changes.Repositories
	if len(got) != 1 || got[0].Name != repo || len(got[0].NewTags) != 1 || got[0].NewTags[0] != want[0].NewTags[0] ||
		len(got[0].ChangedTags) != 1 || got[0].ChangedTags[0] != want[0].ChangedTags[0] || len(got[0].DeletedTags) != 0 {
		t.Fatalf("changes %+v, want %+v", got, want)
	}
	if !res.Changes.Since.Before(res.Changes.CrawledAt) {
		t.Errorf("since %s, crawled at %s", res.Changes.Since, res.Changes.CrawledAt)
	}
	h, err := changes.ReadLog(cfg.SnapshotDir)
	if err != nil || len(h.Sets) != 1 || !h.Sets[0].CrawledAt.Equal(res.Changes.CrawledAt) {
		t.Fatalf("change log after one change: %+v, %v", h, err)
	}

	// Another change with History 1: the log keeps only the newest.
	cfg.History = 1
	moveTag(t, reg, fx, repo, "pushed-last", b)
	if res, err = pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	h, err = changes.ReadLog(cfg.SnapshotDir)
	if err != nil || len(h.Sets) != 1 || !h.Sets[0].CrawledAt.Equal(res.Changes.CrawledAt) || logFiles() != 1 {
		t.Fatalf("change log with history 1: %d files, %+v, %v", logFiles(), h, err)
	}
}
