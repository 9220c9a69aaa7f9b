package snapshot

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"sync"

	"github.com/regcat/regcat/internal/sitefs"
)

// A Writer writes a snapshot directory one repository at a time, so that
// a crawl holds the repositories it is working on, not the whole
// snapshot: [Create] opens it, [Writer.Put] writes each repository file
// into a temporary directory beside the target, and [Writer.Commit]
// writes the index and swaps the directory in, with the guarantees of
// [Write] (which writes through a Writer). [Writer.Source] reads back
// what was put before the commit. Put may be called from several
// goroutines at once; Source, Commit and Abort only once every Put has
// returned.
type Writer struct {
	dir string
	d   *sitefs.Dir

	mu    sync.Mutex
	names map[string]bool // repository files written, by path
	sums  []RepoSummary   // of the repositories Put, in the order put
}

// Create prepares the writing of a snapshot that will replace dir, which
// must be missing, empty or hold a snapshot (else an error wrapping
// [ErrNotSnapshot]). The caller ends the Writer with Commit or Abort.
func Create(ctx context.Context, dir string) (*Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := sitefs.Open(dir, dirOptions)
	if err != nil {
		return nil, dirError(dir, err)
	}
	return &Writer{dir: dir, d: d, names: map[string]bool{}}, nil
}

// Put normalises r (in place) and writes its repository file, and
// returns its index entry. A repository name put twice is an error.
// Repositories put at the same time must not share slices, which
// normalising sorts.
func (w *Writer) Put(r *Repository) (RepoSummary, error) {
	r.Normalize()
	s, err := Summarize(r)
	if err != nil {
		return RepoSummary{}, err
	}
	if err := w.write(r); err != nil {
		return RepoSummary{}, err
	}
	w.mu.Lock()
	w.sums = append(w.sums, s)
	w.mu.Unlock()
	return s, nil
}

// write stores r as it is at its [RepoPath].
func (w *Writer) write(r *Repository) error {
	p, err := RepoPath(r.Name)
	if err != nil {
		return err
	}
	w.mu.Lock()
	dup := w.names[p]
	w.names[p] = true
	w.mu.Unlock()
	if dup {
		return fmt.Errorf("repository %q appears twice", r.Name)
	}
	b, err := Marshal(r)
	if err != nil {
		return fmt.Errorf("repository %s: %w", r.Name, err)
	}
	return w.writeFile(p, b)
}

// writeFile writes b at name, creating its directory.
func (w *Writer) writeFile(name string, b []byte) error {
	if p := path.Dir(name); p != "." {
		if err := w.d.Mkdir(p); err != nil {
			return fmt.Errorf("snapshot %w", err)
		}
	}
	if err := w.d.Write(name, b); err != nil {
		return fmt.Errorf("snapshot %w", err)
	}
	return nil
}

// index returns idx with the summaries of the repositories put as its
// Repositories, sorted by name, normalised as [Build] does.
func (w *Writer) index(idx Index) Index {
	w.mu.Lock()
	sums := slices.Clone(w.sums)
	w.mu.Unlock()
	slices.SortFunc(sums, func(a, b RepoSummary) int { return cmp.Compare(a.Name, b.Name) })
	idx.Repositories = sums
	idx.Normalize()
	return idx
}

// Source returns the snapshot put so far, before it is committed: its
// index is idx with the summaries of the repositories put (see
// [Writer.Commit]), and its repositories are read back from their files,
// in name order. It is valid until Commit or Abort, and safe for
// concurrent use.
func (w *Writer) Source(idx Index) Source {
	i := w.index(idx)
	return &staged{w: w, idx: &i}
}

// Commit writes the index, idx with the summaries of the repositories
// put as its Repositories (sorted by name), and the extra files (as in
// [WriteWith]), and swaps the snapshot in for the one in the directory.
// The Writer cannot be used afterwards.
func (w *Writer) Commit(ctx context.Context, idx Index, extra map[string][]byte) error {
	i := w.index(idx)
	return w.commit(ctx, &i, extra)
}

// commit writes idx as it is and the extra files, and swaps the new
// snapshot in; on error it aborts.
func (w *Writer) commit(ctx context.Context, idx *Index, extra map[string][]byte) error {
	defer w.Abort() // a no-op once committed
	for name := range extra {
		if name == IndexFile || w.names[name] {
			return fmt.Errorf("snapshot: extra file %s is a snapshot file", name)
		}
	}
	b, err := Marshal(idx)
	if err != nil {
		return err
	}
	if err := w.writeFile(IndexFile, b); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.writeFile(name, extra[name]); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.d.Commit(); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// Abort removes the temporary directory and leaves the snapshot
// directory as it was. It does nothing after Commit or another Abort.
func (w *Writer) Abort() { w.d.Abort() }

// staged is the [Source] of a Writer's repositories before Commit.
type staged struct {
	w   *Writer
	idx *Index
}

func (s *staged) Head() *Index { return s.idx }

func (s *staged) Len() int { return len(s.idx.Repositories) }

func (s *staged) Repository(ctx context.Context, i int) (*Repository, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sum := s.idx.Repositories[i]
	b, err := s.w.d.ReadNew(sum.Path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s (staged): %w", s.w.dir, err)
	}
	r, err := decodeRepo(bytes.NewReader(b), sum)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s (staged): %w", s.w.dir, err)
	}
	return r, nil
}
