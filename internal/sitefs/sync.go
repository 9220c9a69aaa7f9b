package sitefs

import (
	"os"
)

// syncTree fsyncs every file this Dir created and every directory of the
// new tree, before Commit renames it into place. Files linked from the
// previous tree were made durable by the commit that wrote them; their
// new names are in the directories synced here.
//
// One pass at the end costs less than an fsync per file as it is written
// (see BenchmarkSync): by the time it runs the kernel has written most
// of the data back, and the first fsync commits the journal for the
// metadata of the whole tree, so the rest find little to do.
func (d *Dir) syncTree() error {
	if d.opts.noSync {
		return nil
	}
	r, err := d.parent.OpenRoot(d.tmpBase)
	if err != nil {
		return err
	}
	defer r.Close()
	return d.syncDirTree(r, "")
}

// syncDirTree syncs the directory r, whose path in the new tree is
// prefix, and what it holds.
func (d *Dir) syncDirTree(r *os.Root, prefix string) error {
	f, err := r.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := prefix + e.Name()
		switch {
		case e.IsDir():
			sub, err := r.OpenRoot(e.Name())
			if err != nil {
				return err
			}
			err = d.syncDirTree(sub, name+"/")
			sub.Close()
			if err != nil {
				return err
			}
		case !d.opts.syncEach && d.written[name]:
			if err := syncFile(r, e.Name()); err != nil {
				return err
			}
		}
	}
	return f.Sync()
}

func syncFile(r *os.Root, name string) error {
	f, err := r.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir fsyncs the directory name of r, so that the entries created,
// renamed or removed in it are durable.
func syncDir(r *os.Root, name string) error {
	return syncFile(r, name)
}
