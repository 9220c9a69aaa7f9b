package snapshot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestDirSource: a snapshot directory read one repository at a time
// holds what Read reads at once, and a repository file that went
// missing fails that repository alone.
func TestDirSource(t *testing.T) {
	ctx := context.Background()
	idx, repos := sample()
	snap, err := Build(idx, repos)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	if err := Write(ctx, dir, snap); err != nil {
		t.Fatal(err)
	}
	want, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	src, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if !reflect.DeepEqual(src.Head(), &want.Index) || src.Len() != want.Len() {
		t.Fatalf("index %+v (%d repositories), want %+v (%d)", src.Head(), src.Len(), want.Index, want.Len())
	}
	for i := range src.Len() {
		got, err := src.Repository(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := want.Repository(ctx, i); !reflect.DeepEqual(got, w) {
			t.Errorf("repository %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if err := os.Remove(filepath.Join(dir, want.Index.Repositories[0].Path)); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Repository(ctx, 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing repository file: %v, want ErrNotExist", err)
	}
	if _, err := src.Repository(ctx, 1); err != nil {
		t.Errorf("other repository: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := src.Repository(cancelled, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
