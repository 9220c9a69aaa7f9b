package sitefs

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// CarryDir is files of one directory of the previous tree that
// [Dir.Carry] links into the new tree: Dir is slash-separated, relative
// to the tree's top, and Names are base names in it.
type CarryDir struct {
	Dir   string
	Names []string
	// Spare says that Dir holds these files and nothing else, Names
	// then being paths below Dir ("sub/name"), and that the spare tree
	// (see [Options.Spare]) holds them unchanged too: Carry moves Dir
	// from there with one rename, onto a missing or empty Dir of the new
	// tree, and links the files from the previous tree only when the
	// spare lacks it.
	Spare bool
}

// Carry hard-links the files dirs name (relative to d, as for Write) from the previous tree into the
// same places in the new tree, creating their directories, without
// reading or comparing them: the caller knows they are what it would
// write (say, because what it would make them from did not change). They
// count as unchanged files of bytes bytes in all, the total the caller
// recorded when it wrote them. It costs a system call per file where
// Write of an unchanged file costs several and reading it.
//
// Carry claims every name as [Dir.Write] does. It is all or nothing: on
// an error (a file the previous tree lacks, a name claimed before) it
// removes the links it made and releases its claims, so that the caller
// can write the files instead; the directories it created stay.
func (d *Dir) Carry(dirs []CarryDir, bytes int64) error {
	if d.old == nil {
		return errors.New("carry: no previous tree")
	}
	if d.prefix != "" {
		dirs = slices.Clone(dirs)
		for i := range dirs {
			if treeDir(dirs[i].Dir) {
				dirs[i].Dir = d.prefix + dirs[i].Dir
			}
		}
	}
	var done, moved []string
	err := d.claimAll(dirs)
	if err == nil {
		for _, cd := range dirs {
			if err = d.carryOne(cd, &done, &moved); err != nil {
				break
			}
		}
	}
	if err != nil {
		for _, name := range done {
			d.tmp.Remove(name)
		}
		for _, dir := range moved {
			d.returnToSpare(dir)
		}
		d.unclaim(dirs)
		return fmt.Errorf("carry: %w", err)
	}
	n := 0
	for _, cd := range dirs {
		n += len(cd.Names)
	}
	d.files.Add(int64(n))
	d.unchanged.Add(int64(n))
	d.moved.Add(int64(len(moved)))
	d.bytes.Add(bytes)
	return nil
}

// claimAll claims the files of dirs, or none of them when one was
// claimed before.
func (d *Dir) claimAll(dirs []CarryDir) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, cd := range dirs {
		if !treeDir(cd.Dir) {
			for _, c := range dirs[:i] {
				d.unclaimLocked(c.Dir, c.Names)
			}
			return fmt.Errorf("%q: not a directory of the tree", cd.Dir)
		}
		for j, n := range cd.Names {
			name := cd.Dir + "/" + n
			if _, dup := d.written[keyOf(name)]; dup || !carryName(n, cd.Spare) {
				for _, c := range dirs[:i] {
					d.unclaimLocked(c.Dir, c.Names)
				}
				d.unclaimLocked(cd.Dir, cd.Names[:j])
				if dup {
					return fmt.Errorf("%s: written twice", name)
				}
				return fmt.Errorf("%s: not a file name", name)
			}
			d.written[keyOf(name)] = -1 // Carry does not know single sizes
		}
	}
	return nil
}

func (d *Dir) unclaim(dirs []CarryDir) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, cd := range dirs {
		d.unclaimLocked(cd.Dir, cd.Names)
	}
}

func (d *Dir) unclaimLocked(dir string, names []string) {
	for _, n := range names {
		delete(d.written, keyOf(dir+"/"+n))
	}
}

// plainName reports whether n names a file in its directory, not a
// path: linkat(2) resolves it from a directory descriptor, outside
// os.Root's checks.
func plainName(n string) bool {
	return n != "" && n != "." && n != ".." && !strings.ContainsRune(n, '/')
}

// carryName reports whether n is a name CarryDir.Names may hold: a
// plain name, or with nested a path of them.
func carryName(n string, nested bool) bool {
	if !nested {
		return plainName(n)
	}
	for p := range strings.SplitSeq(n, "/") {
		if !plainName(p) {
			return false
		}
	}
	return true
}

// treeDir reports whether dir names a directory below the tree's top,
// in the form Write takes.
func treeDir(dir string) bool {
	return dir != "" && dir != "." && path.Clean(dir) == dir && !path.IsAbs(dir) && dir != ".." && !strings.HasPrefix(dir, "../")
}

// carryOne carries cd: moves it from the spare tree when cd.Spare and
// the spare has it, appending its name to moved, else links its files
// (see carryDir).
func (d *Dir) carryOne(cd CarryDir, done, moved *[]string) error {
	if !cd.Spare {
		return d.carryDir(cd, done)
	}
	d.CloseDir(strings.TrimPrefix(cd.Dir, d.prefix)) // its descriptor would name the empty directory replaced
	if err := d.moveFromSpare(cd.Dir); err == nil {
		*moved = append(*moved, cd.Dir)
		return nil
	}
	for _, sub := range splitDirs(cd) {
		if err := d.carryDir(sub, done); err != nil {
			return err
		}
	}
	return nil
}

// splitDirs splits the files of a spare CarryDir by their directories,
// in the order they first appear.
func splitDirs(cd CarryDir) []CarryDir {
	var out []CarryDir
	at := map[string]int{}
	for _, n := range cd.Names {
		dir, base := cd.Dir, n
		if i := strings.LastIndexByte(n, '/'); i >= 0 {
			dir, base = cd.Dir+"/"+n[:i], n[i+1:]
		}
		i, ok := at[dir]
		if !ok {
			i = len(out)
			at[dir] = i
			out = append(out, CarryDir{Dir: dir})
		}
		out[i].Names = append(out[i].Names, base)
	}
	return out
}

// carryDir links the files of cd, appending the new tree's paths it
// linked to done.
func (d *Dir) carryDir(cd CarryDir, done *[]string) error {
	newDir, oldDir, err := d.openCarryDir(cd.Dir)
	if err != nil {
		return fmt.Errorf("%s: %w", cd.Dir, err)
	}
	defer newDir.Close()
	defer oldDir.Close()
	for _, n := range cd.Names {
		if err := d.linkIn(oldDir, newDir, cd.Dir, n); err != nil {
			return fmt.Errorf("%s/%s: %w", cd.Dir, n, err)
		}
		*done = append(*done, cd.Dir+"/"+n)
	}
	return nil
}

// openCarryDir creates dir (and its parents) in the new tree and opens
// it and its counterpart in the previous tree, from the deepest open
// directory that holds it (see Mkdir).
func (d *Dir) openCarryDir(dir string) (newDir, oldDir *os.File, err error) {
	tmp, old, rel, release := d.carryRoots(dir)
	defer release()
	switch {
	case rel == ".":
	case !strings.Contains(rel, "/"):
		// One system call where MkdirAll opens the parent first.
		if err := tmp.Mkdir(rel, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, nil, err
		}
	default:
		if err := tmp.MkdirAll(rel, 0o755); err != nil {
			return nil, nil, err
		}
	}
	d.markMade(dir)
	if oldDir, err = old.Open(rel); err != nil {
		return nil, nil, err
	}
	if newDir, err = tmp.Open(rel); err != nil {
		oldDir.Close()
		return nil, nil, err
	}
	return newDir, oldDir, nil
}

// carryRoots returns the directories of the new and the previous tree
// from which to reach dir, dir relative to them and what releases them:
// dir itself or its parent when open with a previous counterpart (see
// Mkdir), else the trees' tops.
func (d *Dir) carryRoots(dir string) (tmp, old *os.Root, rel string, release func()) {
	parent, base := path.Split(dir)
	for _, c := range []struct{ open, rel string }{{dir, "."}, {strings.TrimSuffix(parent, "/"), base}} {
		if o := d.acquire(c.open); o != nil {
			if o.old != nil {
				return o.tmp, o.old, c.rel, o.release
			}
			o.release()
		}
	}
	return d.tmp, d.old, dir, func() {}
}

// Sizes returns the total size of the files names written with
// [Dir.Write] or [Dir.WriteShared], and false when one of them was not
// (or was carried, whose single sizes Carry does not know).
func (d *Dir) Sizes(names []string) (int64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var total int64
	for _, n := range names {
		size, ok := d.written[keyOf(d.prefix+n)]
		if !ok || size < 0 {
			return 0, false
		}
		total += size
	}
	return total, true
}

// ReadPrevious returns the file name of the previous tree, of at most
// limit bytes; it fails when there is no previous tree, no such regular
// file or a larger one.
func (d *Dir) ReadPrevious(name string, limit int64) ([]byte, error) {
	return readLimited(d.old, d.prefix+name, limit)
}

// ReadNew returns the file name of the new tree (written with
// [Dir.Write] or linked), of at most limit bytes, so that a caller can
// read back what it wrote before Commit; it fails when there is no such
// regular file or a larger one, and after Commit or Abort.
func (d *Dir) ReadNew(name string, limit int64) ([]byte, error) {
	return readLimited(d.tmp, d.prefix+name, limit)
}

// removeTree removes the directory name of parent and everything in it,
// the subtrees two levels down (say, site/badges/<namespace>) on
// several goroutines at once: removing a tree costs a system call per
// file, which mostly waits on the file system's journal, and a large
// site has hundreds of thousands of files.
func removeTree(parent *os.Root, name string) error {
	var subtrees []string
	for _, top := range readDirNames(parent, name) {
		p := name + "/" + top
		subs := readDirNames(parent, p)
		if len(subs) == 0 {
			continue
		}
		for _, sub := range subs {
			subtrees = append(subtrees, p+"/"+sub)
		}
	}
	work := make(chan string)
	errs := make(chan error, removers)
	for range removers {
		go func() {
			var first error
			for p := range work {
				first = cmp.Or(first, parent.RemoveAll(p))
			}
			errs <- first
		}()
	}
	for _, p := range subtrees {
		work <- p
	}
	close(work)
	var err error
	for range removers {
		err = cmp.Or(err, <-errs)
	}
	return cmp.Or(err, parent.RemoveAll(name))
}

// removers is how many goroutines removeTree runs.
const removers = 8

// readDirNames returns the names in directory name of parent, nil when
// it is no directory or cannot be read (RemoveAll then deals with it).
func readDirNames(parent *os.Root, name string) []string {
	fi, err := parent.Lstat(name)
	if err != nil || !fi.IsDir() {
		return nil
	}
	f, err := parent.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	return names
}
