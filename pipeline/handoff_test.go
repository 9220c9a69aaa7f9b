package pipeline

import (
	"context"
	"maps"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

// countingSource counts the reads of each repository of a snapshot.
type countingSource struct {
	*snapshot.Snapshot
	reads map[int]int
}

func (c *countingSource) Repository(ctx context.Context, i int) (*snapshot.Repository, error) {
	c.reads[i]++
	return c.Snapshot.Repository(ctx, i)
}

// TestHandoff: what the giving side read, the taking side gets without a
// read, once; what it did not, and everything after stop, is read.
func TestHandoff(t *testing.T) {
	ctx := context.Background()
	snap, err := snapshot.Build(snapshot.Index{Registry: "r"}, []snapshot.Repository{{Name: "a"}, {Name: "b"}, {Name: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{Snapshot: snap, reads: map[int]int{}}
	h := newHandoff(src)
	give, take := h.give(), h.take()
	if give.Head() != &snap.Index || take.Len() != 3 {
		t.Fatal("the sides are not views of the source")
	}
	read := func(s snapshot.Source, i int) {
		t.Helper()
		r, err := s.Repository(ctx, i)
		if err != nil || r.Name != snap.Repositories[i].Name {
			t.Fatalf("repository %d: %v, %v", i, r, err)
		}
	}
	read(give, 0)
	read(take, 0)
	read(take, 1)
	read(take, 0)
	if want := map[int]int{0: 2, 1: 1}; !maps.Equal(src.reads, want) {
		t.Errorf("reads %v, want %v: one for the given 0 and its second take, one for 1", src.reads, want)
	}
	read(give, 2)
	h.stop()
	read(give, 1)
	read(take, 2)
	read(take, 1)
	if want := map[int]int{0: 2, 1: 3, 2: 2}; !maps.Equal(src.reads, want) {
		t.Errorf("reads after stop %v, want %v: nothing kept", src.reads, want)
	}
	if len(h.kept) != 0 {
		t.Errorf("kept %d repositories after stop", len(h.kept))
	}
}
