package sitefs

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrNotReplaceable is returned by [Open] when the target exists and is
// not a directory, or is a non-empty directory without the marker file
// ([Options.Marker]): replacing it could destroy data that was not
// written through this package (think "--out ~"). Callers wrap it in
// their own sentinel error.
var ErrNotReplaceable = errors.New("directory exists and is not replaceable")

// Options says which existing directories [Open] may replace.
type Options struct {
	// Marker is the name of a file at the top of the target whose presence
	// (as a regular file) makes a non-empty target replaceable, for example
	// ".regcat-site" or "index.json". Empty means a non-empty target is
	// never replaceable. A missing or empty target always is.
	Marker string

	// Spare makes Commit keep the tree it replaces beside the target, as
	// ".<base>.spare", instead of removing it, and the next Open offer
	// it: [Dir.Carry] moves whole directories from it into the new tree
	// with one rename each (see [CarryDir.Tree]), where linking them from
	// the previous tree costs a system call per file, and Commit then
	// removes only what the spare has left instead of a whole tree. The
	// spare shares its unchanged files with the target by hard links, so
	// it costs about the space of what the last run changed; removing it
	// at any time is safe.
	Spare bool

	// noSync skips syncing altogether, for the benchmark that measures
	// what syncing costs; oneByOne fsyncs every file even where the file
	// system can be synced whole (see sync.go), for the benchmark and
	// the tests of that way.
	noSync, oneByOne bool
}

// Stats counts what a [Dir] wrote.
type Stats struct {
	// Files is the number of files of the new tree.
	Files int
	// Unchanged is how many of them were linked from the previous tree
	// because their bytes did not change.
	Unchanged int
	// Bytes is the total size of the new tree's files.
	Bytes int64
	// Moved is how many directories Carry moved from the spare tree
	// (see Options.Spare); their files count as unchanged.
	Moved int
}

// Dir writes a new tree into a temporary directory beside the target and
// swaps it in with [Dir.Commit]. Its methods may be called from several
// goroutines at once, except Commit and Abort, which end it. A Dir from
// [Dir.Sub] is a view of a subdirectory of the same tree.
type Dir struct {
	*tree
	// prefix is "" for the tree's top, else the view's directory with a
	// trailing slash; the exported methods that take names add it.
	prefix string
}

// tree is the state of one new tree, shared by a Dir and its views.
type tree struct {
	parent  *os.Root // the target's parent
	tmp     *os.Root // the new tree
	old     *os.Root // the previous tree, or nil
	spare   *os.Root // the spare tree (see Options.Spare), or nil
	tmpBase string   // name of the temporary directory in parent
	outBase string   // name of the target in parent
	opts    Options
	done    bool // Commit or Abort has run

	mu      sync.Mutex
	written map[pathKey]int64   // paths written so far → their sizes
	made    map[string]struct{} // directories made by Mkdir, for Commit to sync
	dirs    sync.Map            // directory name → *openDir
	shared  sync.Map            // [sha256.Size]byte → *sharedFile, see WriteShared
	sync    *syncer             // fsyncs created files; nil when whole is set, or with Options.noSync
	whole   *os.File            // the new tree's top, open since Open, to sync its file system whole with

	files, unchanged, bytes, moved atomic.Int64
}

// Open prepares the writing of a new tree that will replace out. It
// first recovers from writers that died (see the package documentation),
// then checks that out is missing, an empty directory or holds
// o.Marker (else an error wrapping [ErrNotReplaceable]), creates out's
// parent if needed and the temporary directory beside out.
func Open(out string, o Options) (*Dir, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	dir, base := filepath.Split(abs)
	if base == "" || base == "." || base == ".." {
		return nil, fmt.Errorf("output directory %s: must name a directory inside its parent", out)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output parent: %w", err)
	}
	d := &Dir{tree: &tree{outBase: base, opts: o, written: map[pathKey]int64{}, made: map[string]struct{}{}}}
	if d.parent, err = os.OpenRoot(dir); err != nil {
		return nil, fmt.Errorf("output parent: %w", err)
	}
	if err := recoverStale(d.parent, base); err != nil {
		d.parent.Close()
		return nil, fmt.Errorf("output %s: %w", out, err)
	}
	hasOld, err := d.replaceable(out)
	if err != nil {
		d.parent.Close()
		return nil, err
	}
	if d.tmpBase, err = mkdirTemp(d.parent, base, kindTmp); err != nil {
		d.parent.Close()
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	// Mkdir's mode is filtered by the umask; the tree is published as a
	// whole, so its top gets the mode its subdirectories ask for.
	if err := d.parent.Chmod(d.tmpBase, 0o755); err != nil {
		d.Abort()
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	if d.tmp, err = d.parent.OpenRoot(d.tmpBase); err != nil {
		d.Abort()
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	if hasOld {
		if d.old, err = d.parent.OpenRoot(base); err != nil {
			d.Abort()
			return nil, fmt.Errorf("previous tree: %w", err)
		}
		if o.Spare {
			d.spare = openSpare(d.parent, base)
		}
	}
	if !o.noSync {
		d.startSync()
	}
	return d, nil
}

// replaceable reports whether the target holds a previous tree, and
// fails unless it is missing, an empty directory or holds the marker.
func (d *Dir) replaceable(out string) (bool, error) {
	return replaceable(d.parent, d.outBase, out, d.opts)
}

// Check reports, without writing anything, the error [Open] would give
// because out may not be replaced (one wrapping [ErrNotReplaceable]), or
// nil: callers check before long work whose result Open would refuse.
func Check(out string, o Options) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	dir, base := filepath.Split(abs)
	parent, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output parent: %w", err)
	}
	defer parent.Close()
	_, err = replaceable(parent, base, out, o)
	return err
}

// replaceable reports whether base in parent holds a previous tree, and
// fails unless it is missing, an empty directory or holds o.Marker; out
// names it in errors.
func replaceable(parent *os.Root, base, out string, o Options) (bool, error) {
	fi, err := parent.Lstat(base)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("output directory: %w", err)
	case !fi.IsDir():
		return false, fmt.Errorf("output %s: %w (not a directory)", out, ErrNotReplaceable)
	}
	f, err := parent.Open(base)
	if err != nil {
		return false, fmt.Errorf("output directory: %w", err)
	}
	entries, err := f.ReadDir(1)
	f.Close()
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("output directory: %w", err)
	}
	if len(entries) == 0 {
		return false, nil
	}
	if o.Marker == "" {
		return false, fmt.Errorf("output %s: %w (not empty)", out, ErrNotReplaceable)
	}
	if fi, err := parent.Lstat(base + "/" + o.Marker); err != nil || !fi.Mode().IsRegular() {
		return false, fmt.Errorf("output %s: %w (no %s file)", out, ErrNotReplaceable, o.Marker)
	}
	return true, nil
}

// openDir is a directory of the new tree, opened so that files in it
// are reached by their base name: os.Root opens every component of a
// path in turn (two system calls each), which for a small file costs more
// than writing it. old is the same directory of the previous tree, or
// nil when that has none (noOld) or it could not be opened.
//
// Jobs share open directories: one may close a directory (CloseDir)
// while another is still creating or linking files in it, so each use
// holds a reference (see Dir.root) and the descriptors are closed when
// the last reference, the one CloseDir drops, goes.
type openDir struct {
	tmp, old *os.Root
	noOld    bool
	refs     atomic.Int32 // 1 for being open, plus one per use
}

// acquire takes a reference unless the directory was closed.
func (o *openDir) acquire() bool {
	for {
		n := o.refs.Load()
		if n <= 0 {
			return false
		}
		if o.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference taken by acquire (or the first, by
// CloseDir), closing the directory with the last one. It does nothing on
// nil, so that the result of root may be released as it is.
func (o *openDir) release() {
	if o != nil && o.refs.Add(-1) == 0 {
		o.close()
	}
}

func (o *openDir) close() {
	o.tmp.Close()
	if o.old != nil {
		o.old.Close()
	}
}

// Mkdir creates dir (slash-separated, relative to the tree's top) and its
// parents in the new tree, and keeps it and its counterpart in the
// previous tree open until [Dir.CloseDir], so that files in it are
// reached by their base name. A directory whose parent is open is
// created and opened from there. Mkdir of a directory already open does
// nothing. Keep only as many directories open as the process may hold
// files open (two descriptors each).
func (d *Dir) Mkdir(dir string) error {
	dir = d.prefix + dir
	if _, ok := d.dirs.Load(dir); ok {
		return nil
	}
	o := &openDir{}
	var err error
	pd, base := d.root(dir)
	defer pd.release()
	if pd != nil {
		if err = pd.tmp.Mkdir(base, 0o755); err == nil || errors.Is(err, fs.ErrExist) {
			o.tmp, err = pd.tmp.OpenRoot(base)
		}
		if err == nil && pd.old != nil {
			o.old, o.noOld = openOld(pd.old, base)
		} else {
			o.noOld = pd.noOld
		}
	} else {
		if err = d.tmp.MkdirAll(dir, 0o755); err == nil {
			o.tmp, err = d.tmp.OpenRoot(dir)
		}
		if err == nil && d.old != nil {
			o.old, o.noOld = openOld(d.old, dir)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	d.markMade(dir)
	o.refs.Store(1)
	if _, loaded := d.dirs.LoadOrStore(dir, o); loaded {
		o.close()
	}
	return nil
}

// markMade records dir and its parents as directories of the new tree,
// which Commit syncs.
func (d *Dir) markMade(dir string) {
	d.mu.Lock()
	for p := dir; p != "." && p != ""; p = path.Dir(p) {
		d.made[p] = struct{}{}
	}
	d.mu.Unlock()
}

// openOld opens dir in the previous tree, and reports whether it has
// none. An error other than that (too many open files) leaves files of
// dir to be found by their whole path.
func openOld(old *os.Root, dir string) (*os.Root, bool) {
	o, err := old.OpenRoot(dir)
	return o, errors.Is(err, fs.ErrNotExist)
}

// CloseDir closes a directory opened by [Dir.Mkdir]. Later writes into it
// resolve their whole path again.
func (d *Dir) CloseDir(dir string) {
	if o, ok := d.dirs.LoadAndDelete(d.prefix + dir); ok {
		o.(*openDir).release()
	}
}

// root returns the opened directory holding name, with a reference the
// caller releases, and name's base name; or nil and name when that
// directory is not open.
func (d *Dir) root(name string) (*openDir, string) {
	dir, base := path.Split(name)
	if o := d.acquire(strings.TrimSuffix(dir, "/")); o != nil {
		return o, base
	}
	return nil, name
}

// acquire returns the open directory dir with a reference the caller
// releases, or nil when dir is not open.
func (d *Dir) acquire(dir string) *openDir {
	if v, ok := d.dirs.Load(dir); ok {
		if o := v.(*openDir); o.acquire() {
			return o
		}
	}
	return nil
}

// closeDirs closes the directories opened by Mkdir.
func (d *Dir) closeDirs() {
	d.dirs.Range(func(k, v any) bool {
		v.(*openDir).release()
		d.dirs.Delete(k)
		return true
	})
}

// Write stores b at name (slash-separated, relative to the tree's top),
// whose directory must exist. When the previous tree holds exactly b at
// name, that file is hard-linked instead, keeping its inode and
// modification time. Writing a path twice is an error: it would mean two
// things mapped to one file.
func (d *Dir) Write(name string, b []byte) error {
	name = d.prefix + name
	if err := d.claim(name, b); err != nil {
		return err
	}
	o, base := d.root(name)
	defer o.release()
	if d.oldFile(o, base, name, b) != nil && d.same(o, base, name, b) && d.keep(name) == nil {
		return nil
	}
	return d.create(o, base, name, b)
}

// pathKey stands for a path of the tree in Dir.written: 128 bits of its
// SHA-256, which a large site's paths (hundreds of thousands) share with
// another path with a chance far below that of a disk error, in a tenth
// of the memory of the paths themselves.
type pathKey [16]byte

func keyOf(name string) pathKey {
	sum := sha256.Sum256([]byte(name))
	return pathKey(sum[:16])
}

// claim records that name is written with b, and fails if it was before.
func (d *Dir) claim(name string, b []byte) error {
	k := keyOf(name)
	d.mu.Lock()
	_, dup := d.written[k]
	if !dup {
		d.written[k] = int64(len(b))
	}
	d.mu.Unlock()
	if dup {
		return fmt.Errorf("%s: written twice", name)
	}
	d.files.Add(1)
	d.bytes.Add(int64(len(b)))
	return nil
}

// create writes b at name, o and base being what root returns for it,
// and hands the file to the syncer, which fsyncs and closes it while the
// caller goes on. The file must be new: one already at name would be a
// link of a file of the previous tree or the spare (see Carry), which
// truncating would change there too.
func (d *Dir) create(o *openDir, base, name string, b []byte) error {
	f, _, err := d.newFile(o, base, name)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return d.handOver(f, name)
}

// newFile creates the new file name, which must not exist (see create),
// and returns it with the directory it is in; o and base are what root
// returns for name.
func (d *Dir) newFile(o *openDir, base, name string) (*os.File, *os.Root, error) {
	dir := d.tmp
	if o != nil {
		dir = o.tmp
	}
	f, err := dir.OpenFile(base, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, dir, nil
}

// handOver hands f, the new file name written whole, to the syncer, or
// closes it when nothing is synced.
func (d *Dir) handOver(f *os.File, name string) error {
	if d.sync == nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	d.sync.file(f)
	return nil
}

// oldRoot returns the directory of the previous tree from which to
// reach name, and name relative to it, or nil when there is none; o and
// base are what root returns for name.
func (d *Dir) oldRoot(o *openDir, base, name string) (*os.Root, string) {
	switch {
	case d.old == nil || o != nil && o.noOld:
		return nil, ""
	case o != nil && o.old != nil:
		return o.old, base
	default:
		return d.old, name
	}
}

// oldFile returns the file information of name in the previous tree when
// that is a regular file of len(b) bytes, which may hold b, or else nil.
func (d *Dir) oldFile(o *openDir, base, name string, b []byte) fs.FileInfo {
	dir, rel := d.oldRoot(o, base, name)
	if dir == nil {
		return nil
	}
	fi, err := dir.Lstat(rel)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(b)) {
		return nil
	}
	return fi
}

// same reports whether name in the previous tree, found regular and of
// the right size by oldFile, holds exactly the bytes b.
func (d *Dir) same(o *openDir, base, name string, b []byte) bool {
	dir, rel := d.oldRoot(o, base, name)
	if dir == nil {
		return false
	}
	f, err := dir.Open(rel)
	if err != nil {
		return false
	}
	defer f.Close()
	return sameBytes(f, b)
}

// sameBytes reports whether r holds exactly b, reading it a chunk at a
// time into a pooled buffer: comparing a large file costs no buffer of
// its size.
func sameBytes(r io.Reader, b []byte) bool {
	p := compareBufs.Get().(*[]byte)
	defer compareBufs.Put(p)
	buf := *p
	for {
		// One byte more than b has left, to see r end where b does.
		n, err := io.ReadFull(r, buf[:min(len(buf), len(b)+1)])
		switch {
		case n > len(b) || !bytes.Equal(buf[:n], b[:n]):
			return false
		case err != nil:
			return n == len(b) && (err == io.EOF || err == io.ErrUnexpectedEOF)
		}
		b = b[n:]
	}
}

// compareBufs holds buffers (*[]byte) for sameBytes, which would
// otherwise allocate the size of the tree in garbage on every unchanged
// write.
var compareBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// keep hard-links name from the previous tree into the new one, which
// keeps its inode and modification time.
func (d *Dir) keep(name string) error {
	if err := d.parent.Link(d.outBase+"/"+name, d.tmpBase+"/"+name); err != nil {
		return err
	}
	d.unchanged.Add(1)
	return nil
}

// Link hard-links the file old of the new tree at name (both
// slash-separated, relative to the tree's top). It does not claim name:
// callers that mix it with [Dir.Write] keep their paths apart. It
// resolves the paths from the deepest open directory holding both, since
// os.Root opens every path component on the way.
func (d *Dir) Link(old, name string) error {
	return d.link(d.prefix+old, d.prefix+name)
}

// link is Link with names relative to the tree's top.
func (d *Dir) link(old, name string) error {
	dir := name
	for {
		i := strings.LastIndexByte(dir, '/')
		if i < 0 {
			return d.tmp.Link(old, name)
		}
		dir = dir[:i]
		if !strings.HasPrefix(old, dir+"/") {
			continue
		}
		if o := d.acquire(dir); o != nil {
			defer o.release()
			return o.tmp.Link(old[i+1:], name[i+1:])
		}
	}
}

// Sub returns a view of d for its subdirectory dir (slash-separated,
// relative to d), which it creates as [Dir.Mkdir] does: the names that
// the view's Write, WriteShared, Mkdir, CloseDir and Link take are
// relative to dir. Everything else is shared with d: a path is written
// once whichever view writes it, Stats counts the whole tree, and Commit
// or Abort of any view ends the whole tree (call them on the Dir that
// [Open] returned).
func (d *Dir) Sub(dir string) (*Dir, error) {
	if err := d.Mkdir(dir); err != nil {
		return nil, err
	}
	return &Dir{tree: d.tree, prefix: d.prefix + dir + "/"}, nil
}

// Stats returns what has been written so far.
func (d *Dir) Stats() Stats {
	return Stats{Files: int(d.files.Load()), Unchanged: int(d.unchanged.Load()), Bytes: d.bytes.Load(), Moved: int(d.moved.Load())}
}

// testHookSwap, when set, runs between the two renames of Commit.
var testHookSwap func()

// Commit makes the new tree durable and swaps it in for the previous one
// (see the package documentation). The previous tree is moved aside
// first and moved back if the new one cannot take its place. On error
// the target is left as it was, except for an error syncing the parent
// or removing the previous tree, which come after the swap. The Dir
// cannot be used afterwards.
func (d *Dir) Commit() error {
	if d.done {
		return errors.New("sitefs: commit of a finished Dir")
	}
	d.closeRoots()
	if err := d.syncTree(); err != nil {
		d.Abort()
		return fmt.Errorf("sync new tree: %w", err)
	}
	aside := ""
	if _, err := d.parent.Lstat(d.outBase); err == nil {
		aside = "." + d.outBase + kindOld + strings.TrimPrefix(d.tmpBase, "."+d.outBase+kindTmp)
		if err := d.parent.Rename(d.outBase, aside); err != nil {
			d.Abort()
			return fmt.Errorf("swap: %w", err)
		}
	}
	if testHookSwap != nil {
		testHookSwap()
	}
	if err := d.parent.Rename(d.tmpBase, d.outBase); err != nil {
		if aside != "" {
			if rerr := d.parent.Rename(aside, d.outBase); rerr != nil {
				err = errors.Join(err, fmt.Errorf("restore previous tree from %s: %w", aside, rerr))
			}
		}
		d.Abort()
		return fmt.Errorf("swap: %w", err)
	}
	d.done = true
	defer d.parent.Close()
	// The renames are durable once the parent is; until then a crash
	// leaves the previous tree or (between the renames) its aside name,
	// which the next Open restores.
	if err := syncDir(d.parent, "."); err != nil {
		return fmt.Errorf("sync parent: %w", err)
	}
	if aside == "" {
		return nil
	}
	if d.opts.Spare {
		return d.keepSpare(aside)
	}
	if err := removeTree(d.parent, aside); err != nil {
		return fmt.Errorf("remove previous tree: %w", err)
	}
	return nil
}

// closeRoots closes every directory the Dir holds open but its parent.
func (d *Dir) closeRoots() {
	d.closeDirs()
	if d.old != nil {
		d.old.Close()
		d.old = nil
	}
	if d.spare != nil {
		d.spare.Close()
		d.spare = nil
	}
	if d.tmp != nil {
		d.tmp.Close()
		d.tmp = nil
	}
}

// Abort removes the temporary directory and leaves the target as it was.
// It does nothing after Commit or another Abort.
func (d *Dir) Abort() {
	if d.done {
		return
	}
	d.done = true
	d.closeRoots()
	d.sync.wait() // its files are about to go
	if d.whole != nil {
		d.whole.Close()
	}
	if d.tmpBase != "" {
		d.parent.RemoveAll(d.tmpBase)
	}
	d.parent.Close()
}
