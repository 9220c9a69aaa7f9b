package sitefs

import (
	"crypto/sha256"
	"io/fs"
	"os"
	"sync"
)

// Some trees repeat content: a site's badge files, where every image of a
// repository tends to have the same licence, platforms and layer count,
// and many repositories share versions, sizes and dates. A large site has
// hundreds of thousands of badge files but only a fraction of distinct
// ones, so [Dir.WriteShared] writes each distinct content once and makes
// its other paths hard links to it. Creating a file costs far more than
// linking one on most file systems, and the tree takes less space. Hosts
// and tools that do not know hard links (a tar without them, rsync
// without -H) see ordinary files.

// sharedFile is one content written with WriteShared. fresh is a file
// holding it that this Dir wrote (never one linked from the previous
// tree: its inode keeps an old modification time, which must not spread
// to files whose content changed), or "". old is a file of the previous
// tree found to hold it and kept is where the new tree links that file,
// or nil and "": another file of the previous tree that is the same
// inode needs no reading, and is linked from kept, within the new tree,
// at less cost.
type sharedFile struct {
	mu    sync.Mutex
	fresh string
	old   fs.FileInfo
	kept  string
}

// Group remembers, for files written with [Dir.WriteShared] under one
// open directory (say, one repository's badges), a file of that
// directory per content that is a link to the content's fresh file, and
// one that is a link to its file kept from the previous tree. Linking
// from these needs only that open directory, where linking from a file
// elsewhere resolves both paths from a common open ancestor (see
// [Dir.Link]). A Group is used by one goroutine at a time.
type Group struct {
	fresh, kept map[[sha256.Size]byte]string
}

// NewGroup returns an empty Group.
func NewGroup() *Group {
	return &Group{fresh: map[[sha256.Size]byte]string{}, kept: map[[sha256.Size]byte]string{}}
}

// WriteShared is [Dir.Write] for bytes b that other files of the new tree
// may hold too. As in Write, a file the previous tree holds with the same
// bytes at name is linked from there, keeping its modification time. Else
// it hard-links a file of this Dir with the same bytes, or writes b and
// makes name that content's file to link to (also when linking fails: a
// file system without hard links, an inode at its link limit). g may be
// nil; see [Group].
func (d *Dir) WriteShared(g *Group, name string, b []byte) error {
	name = d.prefix + name
	sum := sha256.Sum256(b)
	v, ok := d.shared.Load(sum)
	if !ok {
		v, _ = d.shared.LoadOrStore(sum, &sharedFile{})
	}
	if g == nil {
		g = NewGroup()
	}
	return d.writeShared(name, b, v.(*sharedFile), sum, g)
}

func (d *Dir) writeShared(name string, b []byte, f *sharedFile, sum [sha256.Size]byte, g *Group) error {
	if err := d.claim(name, b); err != nil {
		return err
	}
	o, base := d.root(name)
	defer o.release()
	if fi := d.oldFile(o, base, name, b); fi != nil {
		f.mu.Lock()
		old, kept := f.old, f.kept
		f.mu.Unlock()
		if old != nil && os.SameFile(old, fi) {
			if d.linkFrom(g.kept[sum], kept, name) == nil {
				g.kept[sum] = name
				d.unchanged.Add(1)
				return nil
			}
		}
		if d.same(o, base, name, b) && d.keep(name) == nil {
			f.mu.Lock()
			if f.old == nil {
				f.old, f.kept = fi, name
			}
			if os.SameFile(f.old, fi) {
				g.kept[sum] = name
			}
			f.mu.Unlock()
			return nil
		}
	}
	// The first writer of a content holds the lock until its file exists,
	// so that the others link to it instead of writing their own.
	f.mu.Lock()
	fresh := f.fresh
	if fresh == "" {
		defer f.mu.Unlock()
		if err := d.create(o, base, name, b); err != nil {
			return err
		}
		f.fresh = name
		g.fresh[sum] = name
		return nil
	}
	f.mu.Unlock()
	if d.linkFrom(g.fresh[sum], fresh, name) == nil {
		g.fresh[sum] = name
		return nil
	}
	if err := d.create(o, base, name, b); err != nil {
		return err
	}
	f.mu.Lock()
	f.fresh = name
	f.mu.Unlock()
	g.fresh[sum] = name
	return nil
}

// linkFrom links name from near, a link of the same inode as far, when
// near is not "" and that works, else from far.
func (d *Dir) linkFrom(near, far, name string) error {
	if near != "" && d.link(near, name) == nil {
		return nil
	}
	return d.link(far, name)
}
