package snapshot

import (
	"errors"
	"fmt"
	"os"
)

// ErrNoRepository is wrapped by the error of [ReadRepo] for a repository
// the snapshot does not hold.
var ErrNoRepository = errors.New("repository not in the snapshot")

// ReadRepo loads the index of the snapshot in dir and the one repository
// called name, reading no other repository file: a lookup of one image
// costs two files, whatever the size of the snapshot. The checks are
// those of [Read].
func ReadRepo(dir, name string) (*Index, *Repository, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	defer root.Close()
	idx, err := readIndex(root)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	for _, sum := range idx.Repositories {
		if sum.Name != name {
			continue
		}
		repo, err := readRepo(root, sum)
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot %s: %w", dir, err)
		}
		return idx, repo, nil
	}
	return idx, nil, fmt.Errorf("snapshot %s: %w: %q", dir, ErrNoRepository, Truncate(name, 100))
}
