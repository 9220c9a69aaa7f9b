package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// manyRepos is sample's repositories and more, unnormalised, so that
// Put has sorting to do.
func manyRepos() (Index, []Repository) {
	idx, repos := sample()
	idx.Failures = []Failure{{Op: "catalog", Error: "b"}, {Op: "catalog", Error: "a"}}
	idx.Skipped = []Skipped{{Name: "z", Reason: "r"}, {Name: "a", Reason: "r"}}
	for _, n := range []string{"zeta/one", "beta", "team-b/web"} {
		r := repos[0]
		r.Name = n
		r.Tags = slices.Clone(r.Tags)
		r.Images = slices.Clone(r.Images)
		r.Failures = nil
		repos = append(repos, r)
	}
	return idx, repos
}

// clone copies the repositories deeply (through their JSON), so that
// normalising one copy, even while another is normalised, leaves the
// other as it was.
func clone(repos []Repository) []Repository {
	out := make([]Repository, len(repos))
	for i := range repos {
		b, err := json.Marshal(&repos[i])
		if err != nil {
			panic(err) // a Repository always marshals
		}
		if err := json.Unmarshal(b, &out[i]); err != nil {
			panic(err)
		}
	}
	return out
}

// TestWriterMatchesWrite: a snapshot put one repository at a time, from
// several goroutines and in any order, reads back before the commit as
// the snapshot Build makes of the same repositories, and commits to the
// bytes Write writes for it, extra files included.
func TestWriterMatchesWrite(t *testing.T) {
	ctx := context.Background()
	idx, repos := manyRepos()
	want, err := Build(idx, clone(repos))
	if err != nil {
		t.Fatal(err)
	}
	extra := map[string][]byte{"changes/log.json": []byte("{}\n")}
	base := t.TempDir()
	if err := WriteWith(ctx, filepath.Join(base, "write"), want, extra); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(base, "writer")
	w, err := Create(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var wg sync.WaitGroup
	errs := make([]error, len(repos))
	for i, r := range clone(repos) {
		wg.Go(func() { _, errs[i] = w.Put(&r) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	src := w.Source(idx)
	if !reflect.DeepEqual(src.Head(), &want.Index) || src.Len() != want.Len() {
		t.Fatalf("staged index %+v (%d repositories), want %+v (%d)", src.Head(), src.Len(), want.Index, want.Len())
	}
	for i := range src.Len() {
		got, err := src.Repository(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := want.Repository(ctx, i); !reflect.DeepEqual(got, w) {
			t.Errorf("staged repository %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if err := w.Commit(ctx, idx, extra); err != nil {
		t.Fatal(err)
	}
	got, written := readTree(t, dir), readTree(t, filepath.Join(base, "write"))
	if !equalTrees(got, written) {
		t.Errorf("Writer wrote %v, Write %v", keys(got), keys(written))
	}
	files, err := want.Files()
	if err != nil {
		t.Fatal(err)
	}
	files["changes/log.json"] = extra["changes/log.json"]
	if !equalTrees(got, files) {
		t.Errorf("Writer wrote %v, Files says %v", keys(got), keys(files))
	}
	if _, err := src.Repository(ctx, 0); err == nil {
		t.Error("the staged source read a repository after the commit")
	}
}

// TestWriterRefuses: a name put twice, an extra file that is a snapshot
// file and a foreign directory are errors, and an aborted or failed
// Writer leaves the previous snapshot as it was, with nothing beside it.
func TestWriterRefuses(t *testing.T) {
	ctx := context.Background()
	idx, repos := sample()
	s, err := Build(idx, repos)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	if err := Write(ctx, dir, s); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)

	w, err := Create(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Put(&Repository{Name: "alpine"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Put(&Repository{Name: "alpine"}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("second Put of a name: %v", err)
	}
	if _, err := w.Put(&Repository{Name: "../up"}); err == nil {
		t.Error("Put of an invalid name succeeded")
	}
	if err := w.Commit(ctx, idx, map[string][]byte{"repos/alpine.json": nil}); err == nil || !strings.Contains(err.Error(), "is a snapshot file") {
		t.Errorf("extra file over a repository: %v", err)
	}
	if !equalTrees(before, readTree(t, dir)) {
		t.Error("a failed commit changed the previous snapshot")
	}

	w, err = Create(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Put(&Repository{Name: "new"}); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if !equalTrees(before, readTree(t, dir)) {
		t.Error("an aborted Writer changed the previous snapshot")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".snap.*")); len(left) != 0 {
		t.Errorf("temporary directories left behind: %v", left)
	}

	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "thesis.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(ctx, foreign); !errors.Is(err, ErrNotSnapshot) {
		t.Errorf("Create over a foreign directory: %v, want ErrNotSnapshot", err)
	}
}
