package crawler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// TestCrawlToPutsEachRepository: CrawlTo hands every repository to put
// once, never two calls at a time, and what it put with the index it
// returns is the snapshot Crawl returns.
func TestCrawlToPutsEachRepository(t *testing.T) {
	t.Parallel()
	fx := regtest.Standard(t)
	reg := populate(t, regtest.NewGGCR(t), fx)
	cfg := testConfig(reg)
	want, _ := mustCrawl(t, cfg)

	var inPut atomic.Int32
	seen := map[string]int{}
	var repos []snapshot.Repository
	idx, st, err := CrawlTo(context.Background(), cfg, func(ctx context.Context, r *snapshot.Repository) error {
		if inPut.Add(1) != 1 {
			t.Errorf("put of %s overlaps another", r.Name)
		}
		defer inPut.Add(-1)
		seen[r.Name]++
		repos = append(repos, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if idx.Repositories != nil {
		t.Errorf("index lists repositories: %+v", idx.Repositories)
	}
	for _, r := range want.Repositories {
		if seen[r.Name] != 1 {
			t.Errorf("repository %s put %d times, want once", r.Name, seen[r.Name])
		}
	}
	if len(seen) != len(want.Repositories) || st.ReposDone != len(want.Repositories) {
		t.Errorf("put %d repositories, %d done; want %d", len(seen), st.ReposDone, len(want.Repositories))
	}
	got, err := snapshot.Build(idx, repos)
	if err != nil {
		t.Fatal(err)
	}
	diffFiles(t, files(t, want), files(t, got))
}

// TestCrawlToPutError: an error from put stops the crawl and is
// returned, for a crawled repository and for one carried by an Only
// crawl.
func TestCrawlToPutError(t *testing.T) {
	t.Parallel()
	fx := regtest.Standard(t)
	reg := populate(t, regtest.NewGGCR(t), fx)
	cfg := testConfig(reg)
	prev, _ := mustCrawl(t, cfg)
	errFull := errors.New("disk full")
	for _, tt := range []struct {
		name string
		only []string
	}{{"crawled", nil}, {"carried", []string{prev.Repositories[0].Name}}} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := cfg
			cfg.Only, cfg.Previous = tt.only, prev
			calls := 0
			_, _, err := CrawlTo(context.Background(), cfg, func(ctx context.Context, r *snapshot.Repository) error {
				calls++
				if calls == 2 {
					return fmt.Errorf("write %s: %w", r.Name, errFull)
				}
				return nil
			})
			if !errors.Is(err, errFull) {
				t.Errorf("CrawlTo: %v, want the put's error", err)
			}
		})
	}
}

// TestPreviousOnDisk: a previous snapshot read from its directory one
// repository at a time serves an incremental crawl as the snapshot in
// memory does (every tag reused, no manifest or config fetched), and an
// Only crawl carries its repositories; a repository whose previous
// file is damaged is crawled in full, alone, and carried ones are
// crawled instead.
func TestPreviousOnDisk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := populate(t, regtest.NewGGCR(t), regtest.Standard(t))
	cfg := testConfig(reg)
	first, _ := mustCrawl(t, cfg)
	dir := filepath.Join(t.TempDir(), "snap")
	if err := snapshot.Write(ctx, dir, first); err != nil {
		t.Fatal(err)
	}
	open := func() *snapshot.Dir {
		d, err := snapshot.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}

	cfg.Previous = open()
	second, st := mustCrawl(t, cfg)
	diffFiles(t, files(t, first), files(t, second))
	if st.ManifestGets != 0 || st.ConfigGets != 0 || st.Reused == 0 {
		t.Errorf("stats %+v: want every tag reused from the directory", st)
	}

	cfg.Only = []string{first.Repositories[0].Name}
	third, _ := mustCrawl(t, cfg)
	diffFiles(t, files(t, first), files(t, third))

	damaged := first.Repositories[1]
	if err := os.WriteFile(filepath.Join(dir, first.Index.Repositories[1].Path), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	cfg.Logger = debugLogger(&log)
	for _, only := range [][]string{nil, cfg.Only} {
		cfg.Only, cfg.Previous = only, open()
		reg.Counter.Reset()
		got, st := mustCrawl(t, cfg)
		diffFiles(t, files(t, first), files(t, got))
		if got := reg.Counter.Repos(); !slices.Contains(got, damaged.Name) {
			t.Errorf("Only %v: requests were about %v, not the damaged %s", only, got, damaged.Name)
		}
		if st.ManifestGets == 0 || st.Reused == 0 {
			t.Errorf("Only %v: stats %+v; want the damaged repository fetched, the others reused", only, st)
		}
	}
	if !strings.Contains(log.String(), "previous repository unreadable") {
		t.Errorf("the damaged file was not logged:\n%s", log.String())
	}
}

// TestFlightForgetsOldest: a flight with a limit keeps the values stored
// last, runs fn again for a key it forgot, and shares one call among
// concurrent callers of a key.
func TestFlightForgetsOldest(t *testing.T) {
	ctx := context.Background()
	f := newFlight[int](2)
	runs := map[string]int{}
	get := func(key string) int {
		v, _, err := f.get(ctx, key, func() (int, error) { runs[key]++; return len(key), nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	get("a")
	get("bb")
	if !f.put("ccc", 3) || f.put("bb", 9) {
		t.Error("put stored a value for a key already held, or none for a new one")
	}
	if _, ok := f.peek("a"); ok {
		t.Error("the oldest key is still stored past the limit")
	}
	if v, ok := f.peek("bb"); !ok || v != 2 {
		t.Errorf("peek(bb) = %d, %v; want 2, true", v, ok)
	}
	if get("a") != 1 || runs["a"] != 2 || get("ccc") != 3 || runs["ccc"] != 0 {
		t.Errorf("runs %v: a forgotten key must run again, a stored one not", runs)
	}
	if _, ok := f.peek("bb"); ok {
		t.Error("bb, now the oldest, is still stored")
	}

	release := make(chan struct{})
	started := make(chan struct{})
	var calls atomic.Int32
	var wg sync.WaitGroup
	got := make([]int, 3)
	for i := range got {
		wg.Go(func() {
			got[i], _, _ = f.get(ctx, "slow", func() (int, error) {
				calls.Add(1)
				close(started)
				<-release
				return 7, nil
			})
		})
	}
	<-started
	close(release)
	wg.Wait()
	if !slices.Equal(got, []int{7, 7, 7}) {
		t.Errorf("get(slow) = %v, want 7 for every caller", got)
	}
	if calls.Load() != 1 {
		t.Errorf("fn ran %d times for concurrent callers, want once", calls.Load())
	}
}
