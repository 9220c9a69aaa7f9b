package sitefs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// The spare tree (Options.Spare) is the tree the last Commit replaced,
// kept as ".<base>.spare": once the target's, so complete and durable,
// and from then on only ever losing whole directories to Carry, which
// renames them into a new tree. A crash in any of that leaves a spare
// that lacks directories, never one with a half-moved directory or a
// changed file, and Carry falls back to linking from the previous tree
// when a directory is gone. Commit removes what the spare has left and
// renames the tree it replaced to the spare's name; a crash between the
// two leaves no spare and the aside tree, which the next Open removes.

// kindSpare names the spare tree of base: "." + base + kindSpare.
const kindSpare = ".spare"

func spareName(base string) string { return "." + base + kindSpare }

// openSpare opens the spare tree of base in parent, or returns nil when
// there is none (or it is no directory).
func openSpare(parent *os.Root, base string) *os.Root {
	fi, err := parent.Lstat(spareName(base))
	if err != nil || !fi.IsDir() {
		return nil
	}
	r, err := parent.OpenRoot(spareName(base))
	if err != nil {
		return nil
	}
	return r
}

// HasSpare reports whether d has a spare tree to carry from.
func (d *Dir) HasSpare() bool { return d.spare != nil }

// ReadSpare is [Dir.ReadPrevious] for the spare tree.
func (d *Dir) ReadSpare(name string, limit int64) ([]byte, error) {
	return readLimited(d.spare, d.prefix+name, limit)
}

// readLimited returns the regular file name of r, of at most limit
// bytes; r may be nil, which has no files.
func readLimited(r *os.Root, name string, limit int64) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("%s: %w", name, os.ErrNotExist)
	}
	f, err := r.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, limit)
	}
	return b, nil
}

// moveFromSpare renames the directory dir (relative to the tree's top)
// of the spare tree into the new tree, where dir must be missing or an
// empty directory, and records it for syncing.
func (d *Dir) moveFromSpare(dir string) error {
	if d.spare == nil {
		return fmt.Errorf("%s: %w", dir, errNoSpare)
	}
	// Like os.Rename, os.Root.Rename does not replace a directory: an
	// empty one goes first (rmdir(2) leaves any other).
	if err := d.tmp.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := d.parent.Rename(spareName(d.outBase)+"/"+dir, d.tmpBase+"/"+dir); err != nil {
		return err
	}
	d.markMade(dir)
	return nil
}

var errNoSpare = errors.New("no spare tree")

// returnToSpare undoes moveFromSpare of dir, or removes dir from the new
// tree when it cannot.
func (d *Dir) returnToSpare(dir string) {
	if d.parent.Rename(d.tmpBase+"/"+dir, spareName(d.outBase)+"/"+dir) != nil {
		d.tmp.RemoveAll(dir)
	}
}

// keepSpare, after the swap, removes what the old spare has left and
// makes the replaced tree, now at aside, the spare.
func (d *Dir) keepSpare(aside string) error {
	name := spareName(d.outBase)
	if _, err := d.parent.Lstat(name); err == nil {
		if err := removeTree(d.parent, name); err != nil {
			return fmt.Errorf("remove spare tree: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("spare tree: %w", err)
	}
	if err := d.parent.Rename(aside, name); err != nil {
		return fmt.Errorf("keep spare tree: %w", err)
	}
	return nil
}
