package render

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/catalog"
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
// index, the changes page, the feeds and its badges (which follow its
// newest tag, a full release with no badges of its own) were.
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
	for _, name := range []string{"r/charts~api/index.html", "r/charts~api/feed.xml", "index.html", "changes.html", "feed.xml", "badges/charts/api/version.svg"} {
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
// repositories (default 1,000) × 20 tags, with the tag badge policy
// $REGCAT_BENCH_TAG_BADGES (default: the default). Each iteration is one such
// re-render, alternately adding and removing the tag, after a first one
// (first-ratio) that makes the spare site; full-s is one full
// render, ratio the re-render's time over it (the target is
// under 0.1), rewritten the files a re-render writes; full-cpu-s and
// cpu-ratio are the same in processor time (user and system).
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
	cfg := Config{Out: filepath.Join(b.TempDir(), "site"), TagBadges: TagBadges(os.Getenv("REGCAT_BENCH_TAG_BADGES"))}

	start := time.Now()
	c0, ok0 := cpuTime()
	if _, err := Render(context.Background(), cfg, snap); err != nil {
		b.Fatal(err)
	}
	full := time.Since(start)
	c1, ok1 := cpuTime()

	states := []struct {
		snap *snapshot.Snapshot
		log  *changes.Log
	}{{next, log}, {snap, log}}
	// The first re-render after a full one has no spare site yet (see
	// incremental.go) and links every carried file: first-ratio. The
	// ones after it, as every nightly run but the first, move most from
	// the spare.
	start = time.Now()
	cfg.History = log
	if _, err := Render(context.Background(), cfg, next); err != nil {
		b.Fatal(err)
	}
	first := time.Since(start)
	var rewritten, moved int
	i := 1
	c2, ok2 := cpuTime()
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
		if st.Carried != repos-1 {
			b.Fatalf("re-render carried %d of %d repositories, want all but %s", st.Carried, repos, changed)
		}
		moved = st.Moved
	}
	c3, ok3 := cpuTime()
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(full.Seconds(), "full-s")
	b.ReportMetric(perOp.Seconds()/full.Seconds(), "ratio")
	b.ReportMetric(float64(rewritten), "rewritten")
	b.ReportMetric(float64(moved), "moved-dirs")
	b.ReportMetric(first.Seconds()/full.Seconds(), "first-ratio")
	if ok0 && ok1 && ok2 && ok3 {
		// Processor time is less disturbed than wall time by other work
		// on the machine.
		b.ReportMetric((c1 - c0).Seconds(), "full-cpu-s")
		b.ReportMetric((c3-c2).Seconds()/float64(b.N)/(c1-c0).Seconds(), "cpu-ratio")
	}
}

// rerender renders prev into a new site, then next over it with cfg
// (its History, Title, TemplatesDir as given: prevCfg is what the first
// render used), and checks that the result is byte for byte the site a
// fresh render of next gives, manifest included. It returns the
// re-render's Stats, the site and the inodes before and after.
func rerender(t *testing.T, prevCfg Config, prev *snapshot.Snapshot, cfg Config, next *snapshot.Snapshot, between func(out string)) (Stats, string, map[string]os.FileInfo, map[string]os.FileInfo) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "site")
	prevCfg.Out, cfg.Out = out, out
	if _, err := Render(context.Background(), prevCfg, prev); err != nil {
		t.Fatal(err)
	}
	if between != nil {
		between(out)
	}
	before := inodes(t, out)
	st, err := Render(context.Background(), cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	after := inodes(t, out)
	cfg.Out = ""
	fresh := readTree(t, renderTo(t, cfg, next))
	got := readTree(t, out)
	for _, name := range slices.Sorted(maps.Keys(fresh)) {
		if b, ok := got[name]; !ok {
			t.Errorf("%s: missing from the re-rendered site", name)
		} else if !bytes.Equal(b, fresh[name]) {
			t.Errorf("%s: differs from a fresh render", name)
		}
	}
	for name := range got {
		if _, ok := fresh[name]; !ok {
			t.Errorf("%s: in the re-rendered site, not in a fresh render", name)
		}
	}
	return st, out, before, after
}

// repoPages is how many repository and image pages snap renders.
func repoPages(snap *snapshot.Snapshot, history *changes.Log) int {
	c := catalog.New(snap, catalog.Config{History: history})
	return len(c.Repos) + len(c.Images)
}

// TestRerenderCarries checks which repositories a re-render carries from
// the previous site (Stats.Carried, the pages it executed, inodes) and
// that every re-render gives the bytes of a fresh render: with nothing
// changed, after a one-tag push, after a push that changes only what
// another repository's pages show of it (lineage and base states), after
// a change of title or of a template override, and with a corrupt or
// missing manifest or a file missing from the previous site.
func TestRerenderCarries(t *testing.T) {
	snap, hist := fixture(), fixtureHistory()
	base := Config{BaseURL: "https://example.github.io/catalog/", History: hist}
	repos := len(snap.Repositories)
	full, err := Render(context.Background(), Config{Out: filepath.Join(t.TempDir(), "site"), BaseURL: base.BaseURL, History: hist}, snap)
	if err != nil {
		t.Fatal(err)
	}
	sitePages := full.Pages - repoPages(snap, hist)

	t.Run("unchanged", func(t *testing.T) {
		st, _, before, after := rerender(t, base, snap, base, snap, nil)
		if st.Carried != repos || st.Pages != sitePages {
			t.Errorf("carried %d of %d repositories, rendered %d pages; want all carried and the %d site pages", st.Carried, repos, st.Pages, sitePages)
		}
		for name, fi := range after {
			if strings.HasPrefix(name, "r/") && !os.SameFile(before[name], fi) {
				t.Errorf("%s rewritten", name)
			}
		}
	})

	t.Run("one tag", func(t *testing.T) {
		next, log := oneTagCrawl(t, snap, hist, "charts/api", "0.2.0")
		cfg := base
		cfg.History = log
		st, _, before, after := rerender(t, base, snap, cfg, next, nil)
		if want := sitePages + repoPages(next, log) - repoPages(snap, hist) + 1 + 1; st.Carried != repos-1 || st.Pages != want {
			t.Errorf("carried %d repositories, rendered %d pages; want %d and %d (charts/api's)", st.Carried, st.Pages, repos-1, want)
		}
		for name, fi := range after {
			if strings.HasPrefix(name, "r/team-a~api/") && !os.SameFile(before[name], fi) {
				t.Errorf("%s rewritten", name)
			}
		}
	})

	// A tag pushed to base/alpine changes the tags that the pages of
	// images built on it show: those repositories are rendered too,
	// though their own data did not change.
	t.Run("base image", func(t *testing.T) {
		next, log := oneTagCrawl(t, snap, hist, "base/alpine", "lts")
		cfg := base
		cfg.History = log
		st, _, before, after := rerender(t, base, snap, cfg, next, nil)
		if st.Carried > repos-2 {
			t.Errorf("carried %d of %d repositories: a repository built on base/alpine too", st.Carried, repos)
		}
		derived := 0
		for name, fi := range after {
			if (strings.HasPrefix(name, "r/team-a~api/") || strings.HasPrefix(name, "r/team-a~web/")) && strings.HasSuffix(name, ".html") && !os.SameFile(before[name], fi) {
				derived++
			}
		}
		if derived == 0 {
			t.Error("no page of team-a/api or team-a/web rewritten")
		}
	})

	// The other way round: base/alpine's image page lists the images
	// built on it with their tags, and draws them.
	t.Run("derived image", func(t *testing.T) {
		next, log := oneTagCrawl(t, snap, hist, "team-a/web", "extra")
		cfg := base
		cfg.History = log
		// (rerender checks base/alpine's pages against a fresh render.)
		if st, _, _, _ := rerender(t, base, snap, cfg, next, nil); st.Carried != repos-2 {
			t.Errorf("carried %d of %d repositories, want all but team-a/web and base/alpine", st.Carried, repos)
		}
	})

	t.Run("title", func(t *testing.T) {
		cfg := base
		cfg.Title = "Another title"
		if st, _, _, _ := rerender(t, base, snap, cfg, snap, nil); st.Carried != 0 {
			t.Errorf("carried %d repositories after a title change", st.Carried)
		}
	})

	t.Run("template override", func(t *testing.T) {
		dir := t.TempDir()
		src, err := os.ReadFile("../templates/repo.html")
		if err != nil {
			t.Fatal(err)
		}
		write := func(s string) {
			if err := os.WriteFile(filepath.Join(dir, "repo.html"), []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(string(src))
		prevCfg, cfg := base, base
		prevCfg.TemplatesDir, cfg.TemplatesDir = dir, dir
		st, _, _, _ := rerender(t, prevCfg, snap, cfg, snap, func(string) { write(string(src) + "{{/* changed */}}<!-- x -->") })
		if st.Carried != 0 {
			t.Errorf("carried %d repositories after a template change", st.Carried)
		}
	})

	t.Run("corrupt manifest", func(t *testing.T) {
		st, _, _, _ := rerender(t, base, snap, base, snap, func(out string) {
			// Write a new file: the manifest may share its inode with
			// the site before.
			p := filepath.Join(out, manifestFile)
			os.Remove(p)
			if err := os.WriteFile(p, []byte(`{"version":1,"repos":{"evil":`), 0o644); err != nil {
				t.Fatal(err)
			}
		})
		if st.Carried != 0 || st.Pages != full.Pages {
			t.Errorf("carried %d repositories and rendered %d pages with a corrupt manifest, want 0 and %d", st.Carried, st.Pages, full.Pages)
		}
	})

	t.Run("other version", func(t *testing.T) {
		st, _, _, _ := rerender(t, base, snap, base, snap, func(out string) {
			p := filepath.Join(out, manifestFile)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(p)
			b = bytes.Replace(b, []byte(`"version":1`), []byte(`"version":99`), 1)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		})
		if st.Carried != 0 {
			t.Errorf("carried %d repositories with a manifest of another version", st.Carried)
		}
	})

	t.Run("file missing", func(t *testing.T) {
		st, _, _, _ := rerender(t, base, snap, base, snap, func(out string) {
			if err := os.Remove(filepath.Join(out, "badges", "evil", "latest", "size.svg")); err != nil {
				t.Fatal(err)
			}
		})
		if st.Carried != repos-1 {
			t.Errorf("carried %d repositories with a file of evil missing, want all but evil", st.Carried)
		}
	})
}

// TestRerenderFromSpare renders three crawls in a row, each a tag pushed
// to another repository. The third render moves the directories of the
// repositories unchanged in all three from the spare (the first site,
// which the second replaced), keeping their inodes, links those of the
// repository that changed only the time before from the previous site,
// and gives the site a fresh render gives; the second site becomes the
// spare.
func TestRerenderFromSpare(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "site")
	spare := filepath.Join(parent, ".site.spare")
	snap, hist := fixture(), fixtureHistory()
	cfg := Config{Out: out, BaseURL: "https://example.github.io/catalog/", History: hist}
	if _, err := Render(context.Background(), cfg, snap); err != nil {
		t.Fatal(err)
	}
	first := inodes(t, out)
	next, log := oneTagCrawl(t, snap, hist, "charts/api", "0.2.0")
	cfg.History = log
	if st, err := Render(context.Background(), cfg, next); err != nil || st.Moved != 0 {
		t.Fatalf("second render: %+v, %v; want nothing moved (no spare yet)", st, err)
	}
	second := readTree(t, out)
	third, log := oneTagCrawl(t, next, log, "team-a/web", "extra")
	cfg.History = log
	st, err := Render(context.Background(), cfg, third)
	if err != nil {
		t.Fatal(err)
	}
	// team-a/web changed and base/alpine shows its tags: rendered;
	// charts/api linked from the second site; the others moved.
	repos := len(third.Repositories)
	if st.Carried != repos-2 || st.Moved == 0 {
		t.Errorf("third render carried %d of %d repositories, moved %d directories; want all but team-a/web and base/alpine carried, some moved", st.Carried, repos, st.Moved)
	}
	after := inodes(t, out)
	for _, dir := range []string{"r/evil/", "badges/evil/", "r/team-a~api/", "badges/team-a/api/"} {
		n := 0
		for name, fi := range after {
			if strings.HasPrefix(name, dir) {
				n++
				if !os.SameFile(first[name], fi) {
					t.Errorf("%s: not the file the first render wrote", name)
				}
			}
		}
		if n == 0 {
			t.Errorf("no files in %s", dir)
		}
	}
	cfg.Out = ""
	fresh := readTree(t, renderTo(t, cfg, third))
	if got := readTree(t, out); !maps.EqualFunc(got, fresh, bytes.Equal) {
		for name := range fresh {
			if !bytes.Equal(got[name], fresh[name]) {
				t.Errorf("%s: differs from a fresh render", name)
			}
		}
		for name := range got {
			if _, ok := fresh[name]; !ok {
				t.Errorf("%s: not in a fresh render", name)
			}
		}
	}
	if got := readTree(t, spare); !maps.EqualFunc(got, second, bytes.Equal) {
		t.Errorf("the spare is not the second site: %d files, want %d", len(got), len(second))
	}
}

// TestRerenderFromSpareNested: a repository ("x") whose badge directory
// held a nested repository's ("x/y") in the spare is not moved from
// there with that one's badges once "x/y" is gone.
func TestRerenderFromSpareNested(t *testing.T) {
	repo := func(name string, tags ...string) snapshot.Repository {
		im := single(name, tags, platform("amd64", name, day(3), map[string]string{snapshot.KeyTitle: name}, nil, name))
		r := snapshot.Repository{Name: name, Images: []snapshot.Image{im}}
		r.Tags = tagsOf(r.Images...)
		return r
	}
	build := func(repos ...snapshot.Repository) *snapshot.Snapshot {
		s, err := snapshot.Build(snapshot.Index{Registry: "r.example", CrawledAt: day(10)}, repos)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	out := filepath.Join(t.TempDir(), "site")
	cfg := Config{Out: out}
	for _, s := range []*snapshot.Snapshot{
		build(repo("x", "latest"), repo("x/y", "latest")),
		build(repo("x", "latest"), repo("x/y", "latest", "1.0")),
	} {
		if _, err := Render(context.Background(), cfg, s); err != nil {
			t.Fatal(err)
		}
	}
	last := build(repo("x", "latest"))
	if _, err := Render(context.Background(), cfg, last); err != nil {
		t.Fatal(err)
	}
	cfg.Out = ""
	fresh := readTree(t, renderTo(t, cfg, last))
	for name := range readTree(t, out) {
		if _, ok := fresh[name]; !ok {
			t.Errorf("%s: in the re-rendered site, not in a fresh render", name)
		}
	}
}
