package render

import (
	"bytes"
	"errors"
	"fmt"
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

	written sync.Map // paths written so far, to catch collisions
	dirs    sync.Map // directory name → *os.Root opened in tmp

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
	s := &site{outBase: base}
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

// mkdir creates a directory of the new site and its parents, and opens
// it so that writes into it need not resolve its path again: os.Root
// opens every path component, which costs more than the write itself
// when a site has thousands of small pages.
func (s *site) mkdir(dir string) error {
	if err := s.tmp.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("site %s: %w", dir, err)
	}
	d, err := s.tmp.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("site %s: %w", dir, err)
	}
	if _, loaded := s.dirs.LoadOrStore(dir, d); loaded {
		d.Close()
	}
	return nil
}

// root returns the opened directory holding name and name's base name.
func (s *site) root(name string) (*os.Root, string) {
	dir, base := path.Split(name)
	if d, ok := s.dirs.Load(strings.TrimSuffix(dir, "/")); ok {
		return d.(*os.Root), base
	}
	return s.tmp, name
}

// closeDirs closes the directories opened by mkdir.
func (s *site) closeDirs() {
	s.dirs.Range(func(k, v any) bool {
		v.(*os.Root).Close()
		s.dirs.Delete(k)
		return true
	})
}

// write stores b at name (slash-separated, relative to the site root),
// whose directory must exist. Writing a path twice is an error: it would
// mean two things mapped to one page.
func (s *site) write(name string, b []byte) error {
	if _, dup := s.written.LoadOrStore(name, true); dup {
		return fmt.Errorf("site %s: written twice", name)
	}
	s.files.Add(1)
	s.bytes.Add(int64(len(b)))
	if s.same(name, b) {
		err := s.parent.Link(s.outBase+"/"+name, s.tmpBase+"/"+name)
		if err == nil {
			s.unchanged.Add(1)
			return nil
		}
	}
	dir, base := s.root(name)
	if err := dir.WriteFile(base, b, 0o644); err != nil {
		return fmt.Errorf("site %s: %w", name, err)
	}
	return nil
}

// same reports whether the previous site holds a regular file name with
// exactly the bytes b.
func (s *site) same(name string, b []byte) bool {
	if s.old == nil {
		return false
	}
	fi, err := s.old.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(b)) {
		return false
	}
	old, err := s.old.ReadFile(name)
	return err == nil && bytes.Equal(old, b)
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
