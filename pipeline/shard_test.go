package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/snapshot"
)

// shardRegistry serves the standard fixture and 24 more repositories, so
// that every shard of up to 5 holds some, from go-containerregistry's
// registry (its _catalog order is random).
func shardRegistry(t *testing.T) *regtest.Registry {
	t.Helper()
	reg := regtest.NewGGCR(t)
	fx := regtest.Standard(t)
	fx.Repos = append(fx.Repos, regtest.Large(t, 24, 2).Repos...)
	if err := reg.Populate(context.Background(), fx); err != nil {
		t.Fatal(err)
	}
	return reg
}

// crawlInto crawls reg (shard sh when not nil) into dir and returns the
// crawl's counts.
func crawlInto(t *testing.T, reg *regtest.Registry, dir string, sh *snapshot.Shard) crawler.Stats {
	t.Helper()
	res, err := pipeline.Run(context.Background(), pipeline.Config{
		SnapshotDir: dir,
		Crawl:       &crawler.Config{Registry: reg.Host, Shard: sh},
	})
	if err != nil {
		t.Fatalf("crawl shard %v: %v", sh, err)
	}
	return res.Crawl
}

var crawledAt = regexp.MustCompile(`"crawledAt": "[^"]*"`)

// TestShardMerge crawls one registry whole and in N shards for N from 1
// to 5, merges the shards and compares the bytes: every repository file
// equal, index.json equal but for crawledAt, which is the earliest
// shard's. Each shard holds only its repositories, all of them marked.
func TestShardMerge(t *testing.T) {
	reg := shardRegistry(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole")
	crawlInto(t, reg, whole, nil)
	want := tree(t, whole)

	for n := 1; n <= 5; n++ {
		t.Run("N="+strconv.Itoa(n), func(t *testing.T) {
			var dirs []string
			seen := 0
			for k := 1; k <= n; k++ {
				d := filepath.Join(dir, strconv.Itoa(n), strconv.Itoa(k))
				crawlInto(t, reg, d, &snapshot.Shard{Index: k, Count: n})
				s, err := snapshot.Read(d)
				if err != nil {
					t.Fatal(err)
				}
				if s.Index.Shard == nil || *s.Index.Shard != (snapshot.Shard{Index: k, Count: n}) {
					t.Fatalf("shard %d/%d index shard = %v", k, n, s.Index.Shard)
				}
				for _, r := range s.Repositories {
					if got := snapshot.ShardOf(r.Name, n); got != k {
						t.Errorf("shard %d/%d holds %s of shard %d", k, n, r.Name, got)
					}
				}
				seen += len(s.Repositories)
				dirs = append(dirs, d)
			}
			merged := filepath.Join(dir, strconv.Itoa(n), "merged")
			snap, err := snapshot.MergeDirs(context.Background(), merged, dirs)
			if err != nil {
				t.Fatal(err)
			}
			if seen != len(snap.Repositories) {
				t.Errorf("shards held %d repositories, merged %d", seen, len(snap.Repositories))
			}
			got := tree(t, merged)
			idxGot, idxWant := got[snapshot.IndexFile], want[snapshot.IndexFile]
			delete(got, snapshot.IndexFile)
			w := make(map[string]string, len(want))
			for k, v := range want {
				w[k] = v
			}
			delete(w, snapshot.IndexFile)
			if d := sameTree(w, got); d != "" {
				t.Errorf("merged snapshot vs whole crawl: %s", d)
			}
			if crawledAt.ReplaceAllString(idxGot, "") != crawledAt.ReplaceAllString(idxWant, "") {
				t.Errorf("index.json differs beyond crawledAt:\n%s\nwant\n%s", idxGot, idxWant)
			}
			earliest := snap.Index.CrawledAt
			for _, d := range dirs {
				s, err := snapshot.Read(d)
				if err != nil {
					t.Fatal(err)
				}
				if s.Index.CrawledAt.Before(earliest) {
					t.Errorf("merged crawledAt %s, but %s crawled at %s", earliest, d, s.Index.CrawledAt)
				}
			}
		})
	}
}

// TestShardIncremental crawls a shard again from the merged snapshot of
// the last crawl, and from its own last shard: every tag of the shard is
// reused, and the shard's bytes are those of a full crawl of it.
func TestShardIncremental(t *testing.T) {
	reg := shardRegistry(t)
	dir := t.TempDir()
	const n = 3
	var dirs []string
	for k := 1; k <= n; k++ {
		d := filepath.Join(dir, "shards", strconv.Itoa(k))
		crawlInto(t, reg, d, &snapshot.Shard{Index: k, Count: n})
		dirs = append(dirs, d)
	}
	merged := filepath.Join(dir, "merged")
	if _, err := snapshot.MergeDirs(context.Background(), merged, dirs); err != nil {
		t.Fatal(err)
	}
	sh := &snapshot.Shard{Index: 2, Count: n}
	full := tree(t, dirs[1])

	for _, prev := range []string{merged, dirs[1]} {
		t.Run(filepath.Base(prev), func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "snap")
			if err := os.CopyFS(d, os.DirFS(prev)); err != nil {
				t.Fatal(err)
			}
			st := crawlInto(t, reg, d, sh)
			if st.TagsDone == 0 || st.Reused != st.TagsDone {
				t.Errorf("reused %d of %d tags", st.Reused, st.TagsDone)
			}
			got := tree(t, d)
			for _, tr := range []map[string]string{got, full} {
				tr[snapshot.IndexFile] = crawledAt.ReplaceAllString(tr[snapshot.IndexFile], "")
			}
			if diff := sameTree(full, got); diff != "" {
				t.Errorf("incremental shard vs full shard: %s", diff)
			}
		})
	}
}

// TestMergeRefuses gives merge sets of directories that are not the
// shards of one crawl: each is refused with ErrShards and a message
// naming the problem, and nothing is written.
func TestMergeRefuses(t *testing.T) {
	reg := shardRegistry(t)
	dir := t.TempDir()
	shard := func(k, n int) string {
		d := filepath.Join(dir, strconv.Itoa(n), strconv.Itoa(k))
		if _, err := os.Stat(d); err != nil {
			crawlInto(t, reg, d, &snapshot.Shard{Index: k, Count: n})
		}
		return d
	}
	// edited copies shard 2/2 with its index.json rewritten by edit.
	edited := func(name string, edit func(string) string) string {
		d := filepath.Join(dir, name)
		if err := os.CopyFS(d, os.DirFS(shard(2, 2))); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, snapshot.IndexFile)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(edit(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	whole := filepath.Join(dir, "whole")
	crawlInto(t, reg, whole, nil)
	copyOf1 := filepath.Join(dir, "copy")
	if err := os.CopyFS(copyOf1, os.DirFS(shard(1, 2))); err != nil {
		t.Fatal(err)
	}
	otherReg := edited("other-registry", func(s string) string {
		return regexp.MustCompile(`"registry": "[^"]*"`).ReplaceAllString(s, `"registry": "elsewhere.example:5000"`)
	})
	v2 := edited("schema-2", func(s string) string {
		return regexp.MustCompile(`"schemaVersion": 3`).ReplaceAllString(s, `"schemaVersion": 2`)
	})
	relabelled := edited("relabelled", func(s string) string {
		return regexp.MustCompile(`"index": 2`).ReplaceAllString(s, `"index": 1`)
	})

	tests := []struct {
		name string
		dirs []string
		want string
	}{
		{"overlapping shards", []string{shard(1, 2), copyOf1, shard(2, 2)}, "overlapping shards"},
		{"missing shard", []string{shard(1, 3), shard(3, 3)}, "missing shards: 2/3"},
		{"mixed shard counts", []string{shard(1, 2), shard(2, 3)}, "mixed shard counts"},
		{"mixed registries", []string{shard(1, 2), otherReg}, "mixed registries"},
		{"mixed schema versions", []string{shard(1, 2), v2}, "mixed schema versions"},
		{"not a shard", []string{whole}, "not a shard"},
		{"repository of another shard", []string{relabelled, shard(2, 2)}, "which falls in shard 2/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, err := snapshot.MergeDirs(context.Background(), out, tt.dirs)
			if !errors.Is(err, snapshot.ErrShards) || !regexp.MustCompile(regexp.QuoteMeta(tt.want)).MatchString(err.Error()) {
				t.Fatalf("MergeDirs = %v, want ErrShards with %q", err, tt.want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s was written: %v", out, err)
			}
		})
	}
}
