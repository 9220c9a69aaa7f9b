package snapshot

import (
	"context"
	"fmt"
	"os"
	"slices"
)

// Source is a snapshot read one repository at a time, so that its reader
// holds the index and only the repositories it is working on: a render
// of a snapshot on disk costs the memory of its largest repositories, not
// of the whole snapshot. A *Snapshot is the Source of what it holds;
// [Open] is that of a snapshot directory.
type Source interface {
	// Head is the snapshot's index. Its Repositories need not list the
	// repositories (a snapshot built by hand may leave them out): Len
	// and Repository say what the snapshot holds.
	Head() *Index
	// Len is the number of repositories.
	Len() int
	// Repository returns repository i (0 ≤ i < Len), in the order of
	// the index. Each call may read it anew: callers that change it
	// change only their copy when the source is a directory, and the
	// snapshot's when it is a *Snapshot.
	Repository(ctx context.Context, i int) (*Repository, error)
}

// Names returns the names of src's repositories, in its order: from its
// index when that lists every repository, else from the repositories.
func Names(ctx context.Context, src Source) ([]string, error) {
	sums := src.Head().Repositories
	out := make([]string, src.Len())
	for i := range out {
		if len(sums) == len(out) {
			out[i] = sums[i].Name
			continue
		}
		r, err := src.Repository(ctx, i)
		if err != nil {
			return nil, err
		}
		out[i] = r.Name
	}
	return out, nil
}

// Head returns &s.Index.
func (s *Snapshot) Head() *Index { return &s.Index }

// Len returns len(s.Repositories).
func (s *Snapshot) Len() int { return len(s.Repositories) }

// Repository returns &s.Repositories[i].
func (s *Snapshot) Repository(ctx context.Context, i int) (*Repository, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &s.Repositories[i], nil
}

// Dir is the [Source] of a snapshot directory: [Open] reads its index,
// and Repository reads one repository file, with the checks of [Read].
// It is safe for concurrent use. Close releases the directory.
type Dir struct {
	dir  string
	root *os.Root
	idx  *Index
}

// Open reads the index of the snapshot in dir.
func Open(dir string) (*Dir, error) { return OpenPart(dir, nil) }

// OpenPart is [Open] of the repositories whose name keep accepts (all
// when keep is nil), as [ReadPart] reads them: the index keeps its other
// fields and the summaries of those repositories.
func OpenPart(dir string, keep func(name string) bool) (*Dir, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	idx, err := readIndex(root)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	if keep != nil {
		idx.Repositories = slices.DeleteFunc(idx.Repositories, func(s RepoSummary) bool { return !keep(s.Name) })
	}
	return &Dir{dir: dir, root: root, idx: idx}, nil
}

// readIndex decodes the index file of root.
func readIndex(root *os.Root) (*Index, error) {
	f, err := root.Open(IndexFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeIndex(f)
}

// Head returns the index.
func (d *Dir) Head() *Index { return d.idx }

// Len returns the number of repositories in the index.
func (d *Dir) Len() int { return len(d.idx.Repositories) }

// Repository reads repository i from its file.
func (d *Dir) Repository(ctx context.Context, i int) (*Repository, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := readRepo(d.root, d.idx.Repositories[i])
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", d.dir, err)
	}
	return r, nil
}

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }
