package render

import (
	"bytes"
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

// ErrNotSite is returned when the output directory exists, is not empty
// and does not hold MarkerFile: replacing it could destroy data that
// regcat did not write (think "--out ~").
var ErrNotSite = errors.New("output directory exists and is not a regcat site")

// markerContent is written to MarkerFile.
const markerContent = "This directory is a static site rendered by regcat; regcat render replaces it as a whole.\n"

// site writes a new site into a temporary directory beside the output
// directory and swaps it in with commit. Files whose bytes equal those
// of the previous site are hard-linked from it instead of written, so
// they keep their inode and modification time. All file system access
// goes through os.Root: nothing is written outside the parent of the
// output directory, and only inside the temporary and output directories.
type site struct {
	parent  *os.Root // the output directory's parent
	tmp     *os.Root // the new site
	old     *os.Root // the previous site, or nil
	tmpBase string   // name of the temporary directory in parent
	outBase string   // name of the output directory in parent

	mu      sync.Mutex
	written map[string]bool // paths written so far, to catch collisions
	dirs    sync.Map        // directory name → *siteDir

	files, unchanged atomic.Int64
	bytes            atomic.Int64
}

// openSite checks that out may be replaced and creates the temporary
// directory beside it.
func openSite(out string) (*site, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	dir, base := filepath.Split(abs)
	if base == "" || base == "." || base == ".." {
		return nil, fmt.Errorf("output directory %s: must name a directory inside its parent", out)
	}
	hasOld, err := checkReplaceable(abs)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output parent: %w", err)
	}
	s := &site{outBase: base, written: map[string]bool{}}
	if s.parent, err = os.OpenRoot(dir); err != nil {
		return nil, fmt.Errorf("output parent: %w", err)
	}
	tmpDir, err := os.MkdirTemp(dir, "."+base+".tmp-")
	if err != nil {
		s.parent.Close()
		return nil, fmt.Errorf("temporary site directory: %w", err)
	}
	s.tmpBase = filepath.Base(tmpDir)
	if err := s.parent.Chmod(s.tmpBase, 0o755); err != nil {
		s.abort()
		return nil, fmt.Errorf("temporary site directory: %w", err)
	}
	if s.tmp, err = s.parent.OpenRoot(s.tmpBase); err != nil {
		s.abort()
		return nil, fmt.Errorf("temporary site directory: %w", err)
	}
	if hasOld {
		if s.old, err = s.parent.OpenRoot(base); err != nil {
			s.abort()
			return nil, fmt.Errorf("previous site: %w", err)
		}
	}
	return s, nil
}

// checkReplaceable reports whether out holds a previous site, and fails
// unless out is missing, an empty directory or a regcat site.
func checkReplaceable(out string) (bool, error) {
	fi, err := os.Lstat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("output directory: %w", err)
	case !fi.IsDir():
		return false, fmt.Errorf("output %s: %w (not a directory)", out, ErrNotSite)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return false, fmt.Errorf("output directory: %w", err)
	}
	if len(entries) == 0 {
		return false, nil
	}
	if fi, err := os.Lstat(filepath.Join(out, MarkerFile)); err != nil || !fi.Mode().IsRegular() {
		return false, fmt.Errorf("output %s: %w (no %s file)", out, ErrNotSite, MarkerFile)
	}
	return true, nil
}

// siteDir is a directory of the new site, opened so that files in it
// are reached by their base name: os.Root opens every component of a
// path in turn (two system calls each), which for a small file costs more
// than writing it. old is the same directory of the previous site, or
// nil when that has none (noOld) or it could not be opened.
type siteDir struct {
	tmp, old *os.Root
	noOld    bool
}

func (d *siteDir) close() {
	d.tmp.Close()
	if d.old != nil {
		d.old.Close()
	}
}

// mkdir creates a directory of the new site and its parents, and opens
// it and its counterpart in the previous site (see siteDir). A directory
// whose parent is open is created and opened from there.
func (s *site) mkdir(dir string) error {
	d := &siteDir{}
	var err error
	if pd, base := s.root(dir); pd != nil {
		if err = pd.tmp.Mkdir(base, 0o755); err == nil || errors.Is(err, fs.ErrExist) {
			d.tmp, err = pd.tmp.OpenRoot(base)
		}
		if err == nil && pd.old != nil {
			d.old, d.noOld = openOld(pd.old, base)
		} else {
			d.noOld = pd.noOld
		}
	} else {
		if err = s.tmp.MkdirAll(dir, 0o755); err == nil {
			d.tmp, err = s.tmp.OpenRoot(dir)
		}
		if err == nil && s.old != nil {
			d.old, d.noOld = openOld(s.old, dir)
		}
	}
	if err != nil {
		return fmt.Errorf("site %s: %w", dir, err)
	}
	if _, loaded := s.dirs.LoadOrStore(dir, d); loaded {
		d.close()
	}
	return nil
}

// openOld opens dir in the previous site, and reports whether it has
// none. An error other than that (too many open files) leaves files of
// dir to be found by their whole path.
func openOld(old *os.Root, dir string) (*os.Root, bool) {
	d, err := old.OpenRoot(dir)
	return d, errors.Is(err, fs.ErrNotExist)
}

// closeDir closes a directory opened by mkdir. Later writes into it
// resolve their whole path again.
func (s *site) closeDir(dir string) {
	if d, ok := s.dirs.LoadAndDelete(dir); ok {
		d.(*siteDir).close()
	}
}

// root returns the opened directory holding name and name's base name,
// or nil and name when that directory is not open.
func (s *site) root(name string) (*siteDir, string) {
	dir, base := path.Split(name)
	if d, ok := s.dirs.Load(strings.TrimSuffix(dir, "/")); ok {
		return d.(*siteDir), base
	}
	return nil, name
}

// closeDirs closes the directories opened by mkdir.
func (s *site) closeDirs() {
	s.dirs.Range(func(k, v any) bool {
		v.(*siteDir).close()
		s.dirs.Delete(k)
		return true
	})
}

// write stores b at name (slash-separated, relative to the site root),
// whose directory must exist. Writing a path twice is an error: it would
// mean two things mapped to one page.
func (s *site) write(name string, b []byte) error {
	if err := s.claim(name, b); err != nil {
		return err
	}
	d, base := s.root(name)
	if s.oldFile(d, base, name, b) != nil && s.same(d, base, name, b) && s.keep(name) == nil {
		return nil
	}
	return s.create(d, base, name, b)
}

// claim records that name is written with b, and fails if it was before.
func (s *site) claim(name string, b []byte) error {
	s.mu.Lock()
	dup := s.written[name]
	s.written[name] = true
	s.mu.Unlock()
	if dup {
		return fmt.Errorf("site %s: written twice", name)
	}
	s.files.Add(1)
	s.bytes.Add(int64(len(b)))
	return nil
}

// create writes b at name, d and base being what root returns for it.
func (s *site) create(d *siteDir, base, name string, b []byte) error {
	dir := s.tmp
	if d != nil {
		dir = d.tmp
	}
	if err := dir.WriteFile(base, b, 0o644); err != nil {
		return fmt.Errorf("site %s: %w", name, err)
	}
	return nil
}

// oldRoot returns the directory of the previous site from which to
// reach name, and name relative to it, or nil when there is none; d and
// base are what root returns for name.
func (s *site) oldRoot(d *siteDir, base, name string) (*os.Root, string) {
	switch {
	case s.old == nil || d != nil && d.noOld:
		return nil, ""
	case d != nil && d.old != nil:
		return d.old, base
	default:
		return s.old, name
	}
}

// oldFile returns the file information of name in the previous site when
// that is a regular file of len(b) bytes, which may hold b, or else nil.
func (s *site) oldFile(d *siteDir, base, name string, b []byte) fs.FileInfo {
	dir, rel := s.oldRoot(d, base, name)
	if dir == nil {
		return nil
	}
	fi, err := dir.Lstat(rel)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(b)) {
		return nil
	}
	return fi
}

// same reports whether name in the previous site, found regular and of
// the right size by oldFile, holds exactly the bytes b.
func (s *site) same(d *siteDir, base, name string, b []byte) bool {
	dir, rel := s.oldRoot(d, base, name)
	if dir == nil {
		return false
	}
	f, err := dir.Open(rel)
	if err != nil {
		return false
	}
	defer f.Close()
	p := compareBufs.Get().(*[]byte)
	defer compareBufs.Put(p)
	if cap(*p) <= len(b) {
		*p = make([]byte, len(b)+1)
	}
	// One byte more than b, to see the file end where b does.
	old := (*p)[:len(b)+1]
	n, err := io.ReadFull(f, old)
	return n == len(b) && (err == io.EOF || err == io.ErrUnexpectedEOF) && bytes.Equal(old[:n], b)
}

// compareBufs holds buffers (*[]byte) for same, which would otherwise
// allocate the size of the site in garbage on every unchanged render.
var compareBufs = sync.Pool{New: func() any { return new([]byte) }}

// keep hard-links name from the previous site into the new one, which
// keeps its inode and modification time.
func (s *site) keep(name string) error {
	if err := s.parent.Link(s.outBase+"/"+name, s.tmpBase+"/"+name); err != nil {
		return err
	}
	s.unchanged.Add(1)
	return nil
}

// link hard-links the file old of the new site at name. It resolves the
// paths from the deepest open directory holding both, since os.Root
// opens every path component on the way.
func (s *site) link(old, name string) error {
	dir := name
	for {
		i := strings.LastIndexByte(dir, '/')
		if i < 0 {
			return s.tmp.Link(old, name)
		}
		dir = dir[:i]
		if !strings.HasPrefix(old, dir+"/") {
			continue
		}
		if d, ok := s.dirs.Load(dir); ok {
			return d.(*siteDir).tmp.Link(old[i+1:], name[i+1:])
		}
	}
}

// commit swaps the new site in for the previous one. The previous site is
// moved aside first and moved back if the new one cannot take its place.
func (s *site) commit() error {
	if s.old != nil {
		s.old.Close()
		s.old = nil
	}
	s.closeDirs()
	s.tmp.Close()
	aside := ""
	if _, err := s.parent.Lstat(s.outBase); err == nil {
		aside = "." + s.outBase + ".old-" + s.tmpBase[len("."+s.outBase+".tmp-"):]
		if err := s.parent.Rename(s.outBase, aside); err != nil {
			s.abort()
			return fmt.Errorf("site swap: %w", err)
		}
	}
	if err := s.parent.Rename(s.tmpBase, s.outBase); err != nil {
		if aside != "" {
			if rerr := s.parent.Rename(aside, s.outBase); rerr != nil {
				err = errors.Join(err, fmt.Errorf("restore previous site from %s: %w", aside, rerr))
			}
		}
		s.abort()
		return fmt.Errorf("site swap: %w", err)
	}
	var err error
	if aside != "" {
		if rerr := s.parent.RemoveAll(aside); rerr != nil {
			err = fmt.Errorf("remove previous site: %w", rerr)
		}
	}
	s.parent.Close()
	return err
}

// abort removes the temporary directory and leaves the output directory
// as it was.
func (s *site) abort() {
	s.closeDirs()
	if s.tmp != nil {
		s.tmp.Close()
	}
	if s.old != nil {
		s.old.Close()
	}
	s.parent.RemoveAll(s.tmpBase)
	s.parent.Close()
}
