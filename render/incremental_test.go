package render

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/snapshot"
)

// oneTagCrawl is what the next crawl of snap sees after a push of one
// new tag to repository repo (pointing at its first image): the new
// snapshot, crawled a day later, and the history with its change set.
func oneTagCrawl(t testing.TB, snap *snapshot.Snapshot, history *changes.Log, repo, tag string) (*snapshot.Snapshot, *changes.Log) {
	t.Helper()
	repos := make([]snapshot.Repository, len(snap.Repositories))
	copy(repos, snap.Repositories)
	found := false
	for i := range repos {
		if repos[i].Name != repo {
			continue
		}
		found = true
		r := &repos[i]
		r.Tags = append(append([]snapshot.Tag(nil), r.Tags...), snapshot.Tag{Name: tag, Digest: r.Images[0].Digest})
		r.Images = append([]snapshot.Image(nil), r.Images...)
		r.Images[0].Tags = append(append([]string(nil), r.Images[0].Tags...), tag)
	}
	if !found {
		t.Fatalf("no repository %s", repo)
	}
	idx := snap.Index
	idx.CrawledAt = idx.CrawledAt.Add(24 * time.Hour)
	next, err := snapshot.Build(idx, repos)
	if err != nil {
		t.Fatal(err)
	}
	log := &changes.Log{}
	if history != nil {
		log.Sets = append(log.Sets, history.Sets...)
	}
	set := changes.Diff(snap, next)
	if set.Count().NewTags != 1 {
		t.Fatalf("the push is %q, want one new tag", set.Summary())
	}
	if err := log.Add(set, 0); err != nil {
		t.Fatal(err)
	}
	return next, log
}

// TestRerenderAfterOneTag re-renders after a crawl that added one tag to
// one repository (a new crawl time, a new change-log entry) and checks
// by inode that the files of an unrelated repository were not rewritten
// (linked from the previous site), while that repository's page, the
// index, the changes page and the feeds were.
func TestRerenderAfterOneTag(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	cfg := Config{Out: out, BaseURL: "https://example.github.io/catalog/", History: fixtureHistory()}
	snap := fixture()
	if _, err := Render(context.Background(), cfg, snap); err != nil {
		t.Fatal(err)
	}
	before := inodes(t, out)
	next, log := oneTagCrawl(t, snap, cfg.History, "charts/api", "0.2.0")
	cfg.History = log
	st, err := Render(context.Background(), cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	after := inodes(t, out)
	var rewritten []string
	for name, fi := range after {
		if old, ok := before[name]; !ok || !os.SameFile(old, fi) {
			rewritten = append(rewritten, name)
		}
	}
	unrelated := []string{"r/team-a~api/", "badges/team-a/api/", "api/repos/team-a~api.json", "r/evil/", "badges/evil/"}
	for _, name := range rewritten {
		for _, u := range unrelated {
			if strings.HasPrefix(name, u) {
				t.Errorf("%s rewritten, though its repository did not change", name)
			}
		}
	}
	for _, name := range []string{"r/charts~api/index.html", "r/charts~api/feed.xml", "index.html", "changes.html", "feed.xml", "badges/charts/api/0.2.0/version.svg"} {
		if fi, ok := after[name]; !ok || before[name] != nil && os.SameFile(before[name], fi) {
			t.Errorf("%s was not rewritten, though it changed", name)
		}
	}
	t.Logf("%d of %d files rewritten: %v", len(rewritten), len(after), rewritten)
	if st.Files-st.Unchanged != len(rewritten) {
		t.Errorf("Stats: %d files, %d unchanged; %d rewritten on disk", st.Files, st.Unchanged, len(rewritten))
	}
}

// inodes maps every file of dir to its inode (and device) identity.
func inodes(t *testing.T, dir string) map[string]os.FileInfo {
	t.Helper()
	out := map[string]os.FileInfo{}
	for name := range readTree(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = fi
	}
	return out
}

// BenchmarkRerenderOneTag compares a re-render after a crawl that added
// one tag to one repository (over the previous site) with a full render
// of the same catalog into a new directory, on $REGCAT_BENCH_REPOS
// repositories (default 1,000) × 20 tags. Each iteration is one such
// re-render, alternately adding and removing the tag; full-s is one full
// render, ratio the re-render's time over it (the target is
// under 0.1), rewritten the files a re-render writes.
func BenchmarkRerenderOneTag(b *testing.B) {
	repos := 1000
	if s := os.Getenv("REGCAT_BENCH_REPOS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 {
			b.Fatalf("REGCAT_BENCH_REPOS=%q: want a number of at least 2", s)
		}
		repos = n
	}
	snap := synthetic(b, repos, 20)
	changed := snap.Repositories[repos/2].Name
	next, log := oneTagCrawl(b, snap, nil, changed, "pushed")
	cfg := Config{Out: filepath.Join(b.TempDir(), "site")}

	start := time.Now()
	if _, err := Render(context.Background(), cfg, snap); err != nil {
		b.Fatal(err)
	}
	full := time.Since(start)

	states := []struct {
		snap *snapshot.Snapshot
		log  *changes.Log
	}{{next, log}, {snap, log}}
	var rewritten int
	i := 0
	for b.Loop() {
		s := states[i%2]
		i++
		cfg.History = s.log
		st, err := Render(context.Background(), cfg, s.snap)
		if err != nil {
			b.Fatal(err)
		}
		rewritten = st.Files - st.Unchanged
		if rewritten == 0 || rewritten > st.Files/10 {
			b.Fatalf("re-render wrote %d of %d files", rewritten, st.Files)
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(full.Seconds(), "full-s")
	b.ReportMetric(perOp.Seconds()/full.Seconds(), "ratio")
	b.ReportMetric(float64(rewritten), "rewritten")
}
