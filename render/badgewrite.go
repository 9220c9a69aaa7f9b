package render

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/regcat/regcat/render/badge"
)

// Badge files repeat: every image of a repository tends to have the same
// licence, platforms and layer count, and many repositories share
// versions, sizes and dates. A large site has hundreds of thousands of
// badge files but only a fraction of distinct ones, so each distinct
// content is written once and its other paths are hard links to it.
// Creating a file costs far more than linking one on most file systems,
// and the site takes less space. Hosts and tools that do not know hard
// links (a tar without them, rsync without -H) see ordinary files.

// sharedFiles holds, for each badge content (by SHA-256), a file of the
// new site with that content that others may link to.
type sharedFiles struct {
	m sync.Map // [sha256.Size]byte → *sharedFile
}

// sharedFile is one badge content. fresh is a file holding it that this
// render wrote (never one linked from the previous site: its inode keeps
// an old modification time, which must not spread to files whose content
// changed), or "".
type sharedFile struct {
	mu    sync.Mutex
	fresh string
}

// writeBadges writes the SVG and endpoint JSON files of a repository's
// sets.
func (r *renderer) writeBadges(s *site, rp *repoPlan) error {
	sets := r.badges.tags[rp]
	if own := r.badges.repos[rp]; own != nil {
		sets = append([]*badgeSet{own}, sets...)
	}
	for _, set := range sets {
		if err := r.writeBadgeSet(s, set); err != nil {
			return err
		}
	}
	return nil
}

// writeBadgeSet writes the files of one set. Its directory is kept open
// (see site.mkdir) only while they are written: a large site has a badge
// directory per tag, more than a process may hold open.
func (r *renderer) writeBadgeSet(s *site, set *badgeSet) error {
	dir := strings.TrimSuffix(set.dir, "/")
	if err := s.mkdir(dir); err != nil {
		return err
	}
	defer func() {
		if d, ok := s.dirs.LoadAndDelete(dir); ok {
			d.(*os.Root).Close()
		}
	}()
	for i, k := range badgeKinds {
		// badge.SVG is as small as the SVG minifier would make it, but
		// for a few character references in hostile text.
		if err := r.badges.shared.write(s, set.dir+k.name+".svg", badge.SVG(set.badges[i], r.cfg.BadgeStyle)); err != nil {
			return err
		}
		if err := r.badges.shared.write(s, set.dir+k.name+".json", badge.Endpoint(set.badges[i])); err != nil {
			return err
		}
	}
	return nil
}

// write stores b at name as site.write does, and links to a file of this
// render with the same bytes when there is one.
func (sf *sharedFiles) write(s *site, name string, b []byte) error {
	sum := sha256.Sum256(b)
	v, ok := sf.m.Load(sum)
	if !ok {
		v, _ = sf.m.LoadOrStore(sum, &sharedFile{})
	}
	return s.writeShared(name, b, v.(*sharedFile))
}

// writeShared is site.write for bytes b that other files of the new site
// may hold too. As in site.write, a file the previous site holds with the
// same bytes is linked from there, keeping its modification time. Else it
// hard-links f's fresh file, or writes b and makes name f's fresh file
// (also when linking fails: a file system without hard links, an inode
// at its link limit).
func (s *site) writeShared(name string, b []byte, f *sharedFile) error {
	if _, dup := s.written.LoadOrStore(name, true); dup {
		return fmt.Errorf("site %s: written twice", name)
	}
	s.files.Add(1)
	s.bytes.Add(int64(len(b)))
	if s.same(name, b) {
		if err := s.parent.Link(s.outBase+"/"+name, s.tmpBase+"/"+name); err == nil {
			s.unchanged.Add(1)
			return nil
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fresh != "" {
		if err := s.tmp.Link(f.fresh, name); err == nil {
			return nil
		}
	}
	dir, base := s.root(name)
	if err := dir.WriteFile(base, b, 0o644); err != nil {
		return fmt.Errorf("site %s: %w", name, err)
	}
	f.fresh = name
	return nil
}
