package snapshot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
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
		if b, err = Marshal(r); err != nil {
			return nil, fmt.Errorf("repository %s: %w", r.Name, err)
		}
		files[p] = b
	}
	return files, nil
}

// Write stores s in dir so that dir holds either the complete previous
// snapshot or the complete new one, never a mix: the files are written
// into a sibling temporary directory, each fsynced, and the directory is
// then swapped in. dir may be missing, empty, or hold a snapshot (an
// index.json); anything else gives [ErrNotSnapshot] and is left alone.
func Write(ctx context.Context, dir string, s *Snapshot) error {
	files, err := s.Files()
	if err != nil {
		return err
	}
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	parent, base := filepath.Split(filepath.Clean(dir))
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("snapshot parent: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return fmt.Errorf("snapshot temp dir: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed into place
	if err := writeFiles(ctx, tmp, files); err != nil {
		return err
	}
	return swapDir(tmp, filepath.Clean(dir))
}

func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("snapshot dir: %w", err)
	case len(entries) == 0:
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, IndexFile)); err != nil {
		return fmt.Errorf("%s: %w (no %s)", dir, ErrNotSnapshot, IndexFile)
	}
	return nil
}

func writeFiles(ctx context.Context, dir string, files map[string][]byte) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("snapshot temp dir: %w", err)
	}
	defer root.Close()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d := path.Dir(name); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("snapshot %s: %w", d, err)
			}
		}
		if err := writeSynced(root, name, files[name]); err != nil {
			return err
		}
	}
	return syncDir(dir)
}

func writeSynced(root *os.Root, name string, b []byte) error {
	f, err := root.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", name, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", name, err)
	}
	return nil
}

// swapDir replaces dst by src. The old dst is moved aside first and
// restored if src cannot be renamed into place.
func swapDir(src, dst string) error {
	old := ""
	if _, err := os.Lstat(dst); err == nil {
		parent, base := filepath.Split(dst)
		if parent == "" {
			parent = "."
		}
		d, err := os.MkdirTemp(parent, "."+base+".old-")
		if err != nil {
			return fmt.Errorf("snapshot swap: %w", err)
		}
		old = filepath.Join(d, base)
		if err := os.Rename(dst, old); err != nil {
			os.Remove(d)
			return fmt.Errorf("snapshot swap: %w", err)
		}
		defer os.RemoveAll(d)
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			if rerr := os.Rename(old, dst); rerr != nil {
				return errors.Join(fmt.Errorf("snapshot swap: %w", err), fmt.Errorf("restore previous snapshot from %s: %w", old, rerr))
			}
		}
		return fmt.Errorf("snapshot swap: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Read loads the snapshot in dir, reading only files inside it: every
// repository path in the index must equal [RepoPath] of its name.
func Read(dir string) (*Snapshot, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer root.Close()
	f, err := root.Open(IndexFile)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	idx, err := DecodeIndex(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	s := &Snapshot{Index: *idx, Repositories: make([]Repository, 0, len(idx.Repositories))}
	for _, sum := range idx.Repositories {
		repo, err := readRepo(root, sum)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", dir, err)
		}
		s.Repositories = append(s.Repositories, *repo)
	}
	return s, nil
}

func readRepo(root *os.Root, sum RepoSummary) (*Repository, error) {
	want, err := RepoPath(sum.Name)
	if err != nil {
		return nil, err
	}
	if sum.Path != want {
		return nil, fmt.Errorf("repository %q: path %q, want %q", sum.Name, sum.Path, want)
	}
	f, err := root.Open(want)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	repo, err := DecodeRepository(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", want, err)
	}
	if repo.Name != sum.Name {
		return nil, fmt.Errorf("%s: holds repository %q, want %q", want, repo.Name, sum.Name)
	}
	return repo, nil
}
