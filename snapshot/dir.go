package snapshot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/regcat/regcat/internal/sitefs"
)

// IndexFile is the name of the index file in a snapshot directory.
const IndexFile = "index.json"

// ErrNotSnapshot is returned by [Write] when the destination exists but is
// neither empty nor a snapshot directory, so replacing it could lose data.
var ErrNotSnapshot = errors.New("directory exists and is not a snapshot")

// Build normalises the repositories, derives the index entries from them
// and returns the whole snapshot. idx supplies Registry, CrawledAt,
// Failures and Skipped; its Repositories are replaced.
func Build(idx Index, repos []Repository) (*Snapshot, error) {
	repos = slices.Clone(repos)
	for i := range repos {
		repos[i].Normalize()
	}
	slices.SortFunc(repos, func(a, b Repository) int { return cmp.Compare(a.Name, b.Name) })
	idx.Repositories = make([]RepoSummary, 0, len(repos))
	for i := range repos {
		if i > 0 && repos[i].Name == repos[i-1].Name {
			return nil, fmt.Errorf("repository %q appears twice", repos[i].Name)
		}
		s, err := Summarize(&repos[i])
		if err != nil {
			return nil, err
		}
		idx.Repositories = append(idx.Repositories, s)
	}
	idx.Normalize()
	return &Snapshot{Index: idx, Repositories: repos}, nil
}

// Files returns every file of the snapshot as a map from slash-separated
// relative path to content, in the encoding [Write] uses.
func (s *Snapshot) Files() (map[string][]byte, error) {
	files := make(map[string][]byte, len(s.Repositories)+1)
	b, err := Marshal(&s.Index)
	if err != nil {
		return nil, err
	}
	files[IndexFile] = b
	for i := range s.Repositories {
		r := &s.Repositories[i]
		p, err := RepoPath(r.Name)
		if err != nil {
			return nil, err
		}
		if files[p], err = Marshal(r); err != nil {
			return nil, fmt.Errorf("repository %s: %w", r.Name, err)
		}
	}
	return files, nil
}

// dirOptions make a snapshot directory replaceable when it holds an
// index.
var dirOptions = sitefs.Options{Marker: IndexFile}

// CheckDir reports the error [Write] would give because dir may not be
// replaced (wrapping [ErrNotSnapshot]), without writing anything.
func CheckDir(dir string) error {
	return dirError(dir, sitefs.Check(dir, dirOptions))
}

// dirError is err from sitefs about dir as snapshot errors say it.
func dirError(dir string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sitefs.ErrNotReplaceable):
		return fmt.Errorf("%s: %w (no %s)", dir, ErrNotSnapshot, IndexFile)
	default:
		return fmt.Errorf("snapshot: %w", err)
	}
}

// Write stores s in dir so that dir holds either the complete previous
// snapshot or the complete new one, never a mix, also when the process is
// killed or the machine loses power: the files are written into a sibling
// temporary directory, made durable, and the directory is then swapped
// in (see package internal/sitefs, which also says how the next Write
// cleans up after a killed one). Files whose bytes did not change are
// hard-linked from the previous snapshot and keep their modification
// time. dir may be missing, empty, or hold a snapshot (an index.json);
// anything else gives [ErrNotSnapshot] and is left alone.
func Write(ctx context.Context, dir string, s *Snapshot) error {
	return WriteWith(ctx, dir, s, nil)
}

// WriteWith is [Write] that also stores extra, a map from slash-separated
// path relative to dir to content, in the same commit: the files that
// live with a snapshot without being part of it, such as its change log
// (package changes). An extra path that is also a snapshot file is an
// error.
func WriteWith(ctx context.Context, dir string, s *Snapshot, extra map[string][]byte) error {
	w, err := Create(ctx, dir)
	if err != nil {
		return err
	}
	defer w.Abort() // a no-op once committed
	for i := range s.Repositories {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.write(&s.Repositories[i]); err != nil {
			return err
		}
	}
	return w.commit(ctx, &s.Index, extra)
}

// Read loads the snapshot in dir, reading only files inside it: every
// repository path in the index must equal [RepoPath] of its name.
func Read(dir string) (*Snapshot, error) { return ReadPart(dir, nil) }

// ReadPart loads the snapshot in dir as [Read] does, but only the
// repositories whose name keep accepts (all when keep is nil): the index
// keeps its other fields and the summaries of the repositories read. A
// shard's crawl reads its part of a previous snapshot so.
func ReadPart(dir string, keep func(name string) bool) (*Snapshot, error) {
	d, err := OpenPart(dir, keep)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	s := &Snapshot{Index: *d.Head(), Repositories: make([]Repository, 0, d.Len())}
	for i := range d.Len() {
		repo, err := d.Repository(context.Background(), i)
		if err != nil {
			return nil, err
		}
		s.Repositories = append(s.Repositories, *repo)
	}
	return s, nil
}

// readRepo reads the repository file of sum in root.
func readRepo(root *os.Root, sum RepoSummary) (*Repository, error) {
	want, err := checkPath(sum)
	if err != nil {
		return nil, err
	}
	f, err := root.Open(want)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeRepo(f, sum)
}

// checkPath returns the path of sum's repository file, which must be
// the [RepoPath] of its name.
func checkPath(sum RepoSummary) (string, error) {
	want, err := RepoPath(sum.Name)
	if err != nil {
		return "", err
	}
	if sum.Path != want {
		return "", fmt.Errorf("repository %q: path %q, want %q", sum.Name, sum.Path, want)
	}
	return want, nil
}

// decodeRepo decodes the repository file of sum from r and checks that
// it holds the repository sum names.
func decodeRepo(r io.Reader, sum RepoSummary) (*Repository, error) {
	repo, err := DecodeRepository(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sum.Path, err)
	}
	if repo.Name != sum.Name {
		return nil, fmt.Errorf("%s: holds repository %q, want %q", sum.Path, repo.Name, sum.Name)
	}
	return repo, nil
}
