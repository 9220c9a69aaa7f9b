package render

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

// countingSource is a snapshot.Source that counts the reads of each
// repository.
type countingSource struct {
	*snapshot.Snapshot
	mu    sync.Mutex
	reads []int
}

func (c *countingSource) Repository(ctx context.Context, i int) (*snapshot.Repository, error) {
	c.mu.Lock()
	c.reads[i]++
	c.mu.Unlock()
	return c.Snapshot.Repository(ctx, i)
}

// TestRenderReadsEachRepositoryOnce: a render reads every repository once
// for its catalog and, when it renders it, once more for all of its files
// (pages, chart, feed, API record, badges), whatever their number; a
// re-render that carries a repository reads it only for the catalog.
func TestRenderReadsEachRepositoryOnce(t *testing.T) {
	snap := synthetic(t, 6, 4)
	out := filepath.Join(t.TempDir(), "site")
	for _, run := range []struct {
		name      string
		wantReads int
	}{{"fresh", 2}, {"unchanged", 1}} {
		src := &countingSource{Snapshot: snap, reads: make([]int, snap.Len())}
		st, err := Render(context.Background(), Config{Out: out}, src)
		if err != nil {
			t.Fatal(err)
		}
		if run.name == "unchanged" && st.Carried != snap.Len() {
			t.Fatalf("%s: carried %d repositories, want all %d", run.name, st.Carried, snap.Len())
		}
		for i, n := range src.reads {
			if n != run.wantReads {
				t.Errorf("%s: repository %s read %d times, want %d", run.name, snap.Repositories[i].Name, n, run.wantReads)
			}
		}
	}
}
