package render

import (
	"context"
	"crypto/sha256"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/regcat/regcat/catalog"
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
// changed), or "". old is a file of the previous site found to hold it
// and kept is where the new site links that file, or nil and "": another
// file of the previous site that is the same inode needs no reading, and
// is linked from kept, within the new site, at less cost.
type sharedFile struct {
	mu    sync.Mutex
	fresh string
	old   fs.FileInfo
	kept  string
}

// badgesOutput writes every badge directory of the badge plan, a job
// per repository.
var badgesOutput = output{name: "badges", write: func(ctx context.Context, r *renderer, s *site, spawn spawner) error {
	if len(r.badges.repos)+len(r.badges.tags) == 0 {
		return nil
	}
	// Badge files are linked to each other from the open badges/ (see
	// site.link).
	if err := s.mkdir(strings.TrimSuffix(badgesDir, "/")); err != nil {
		return err
	}
	for _, rp := range r.cat.Repos {
		if err := spawn(func(ctx context.Context) error { return r.writeBadges(ctx, s, rp) }); err != nil {
			return err
		}
	}
	return nil
}}

// writeBadges writes the SVG and endpoint JSON files of a repository's
// badge directories. The repository's own directory is kept open (see
// site.mkdir) while they are written, each tag's only while its files
// are. It stops between directories once ctx is done.
func (r *renderer) writeBadges(ctx context.Context, s *site, rp *catalog.Repo) error {
	dirs := r.badges.tags[rp]
	if own := r.badges.repos[rp]; own != nil {
		dirs = append([]*badgeDir{own}, dirs...)
	}
	if len(dirs) == 0 {
		return nil
	}
	dir := badgesDir + rp.Name
	if err := s.mkdir(dir); err != nil {
		return err
	}
	defer s.closeDir(dir)
	local := newLocalLinks()
	for _, bd := range dirs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.writeBadgeDir(s, bd, local); err != nil {
			return err
		}
	}
	return nil
}

// writeBadgeDir writes the files of one badge directory. A tag's
// directory is kept open only while they are written: a large site has a
// badge directory per tag, more than a process may hold open.
func (r *renderer) writeBadgeDir(s *site, bd *badgeDir, local *localLinks) error {
	if !bd.own { // else writeBadges opened it
		dir := strings.TrimSuffix(bd.dir, "/")
		if err := s.mkdir(dir); err != nil {
			return err
		}
		defer s.closeDir(dir)
	}
	for i, k := range badgeKinds {
		// badge.SVG is as small as the SVG minifier would make it, but
		// for a few character references in hostile text.
		if err := r.badges.shared.write(s, bd.dir+k.name+".svg", badge.SVG(bd.badges[i], r.cfg.BadgeStyle), local); err != nil {
			return err
		}
		if err := r.badges.shared.write(s, bd.dir+k.name+".json", badge.Endpoint(bd.badges[i]), local); err != nil {
			return err
		}
	}
	return nil
}

// localLinks are, for one repository, a file of its badge directory per
// content that is a link to the content's fresh file, and one that is a
// link to its file kept from the previous site. Linking from these needs
// only the repository's open directory, where linking from a file of
// another repository resolves both paths from badges/.
type localLinks struct {
	fresh, kept map[[sha256.Size]byte]string
}

func newLocalLinks() *localLinks {
	return &localLinks{fresh: map[[sha256.Size]byte]string{}, kept: map[[sha256.Size]byte]string{}}
}

// write stores b at name as site.write does, and links to a file of this
// render with the same bytes when there is one.
func (sf *sharedFiles) write(s *site, name string, b []byte, local *localLinks) error {
	sum := sha256.Sum256(b)
	v, ok := sf.m.Load(sum)
	if !ok {
		v, _ = sf.m.LoadOrStore(sum, &sharedFile{})
	}
	return s.writeShared(name, b, v.(*sharedFile), sum, local)
}

// writeShared is site.write for bytes b, whose SHA-256 is sum, that other
// files of the new site may hold too. As in site.write, a file the
// previous site holds with the same bytes is linked from there, keeping
// its modification time. Else it hard-links f's fresh file, or writes b
// and makes name f's fresh file (also when linking fails: a file system
// without hard links, an inode at its link limit).
func (s *site) writeShared(name string, b []byte, f *sharedFile, sum [sha256.Size]byte, local *localLinks) error {
	if err := s.claim(name, b); err != nil {
		return err
	}
	d, base := s.root(name)
	if fi := s.oldFile(d, base, name, b); fi != nil {
		f.mu.Lock()
		old, kept := f.old, f.kept
		f.mu.Unlock()
		if old != nil && os.SameFile(old, fi) {
			if s.linkFrom(local.kept[sum], kept, name) == nil {
				local.kept[sum] = name
				s.unchanged.Add(1)
				return nil
			}
		}
		if s.same(d, base, name, b) && s.keep(name) == nil {
			f.mu.Lock()
			if f.old == nil {
				f.old, f.kept = fi, name
			}
			if os.SameFile(f.old, fi) {
				local.kept[sum] = name
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
		if err := s.create(d, base, name, b); err != nil {
			return err
		}
		f.fresh = name
		local.fresh[sum] = name
		return nil
	}
	f.mu.Unlock()
	if s.linkFrom(local.fresh[sum], fresh, name) == nil {
		local.fresh[sum] = name
		return nil
	}
	if err := s.create(d, base, name, b); err != nil {
		return err
	}
	f.mu.Lock()
	f.fresh = name
	f.mu.Unlock()
	local.fresh[sum] = name
	return nil
}

// linkFrom links name from near, a link of the same inode as far, when
// near is not "" and that works, else from far.
func (s *site) linkFrom(near, far, name string) error {
	if near != "" && s.link(near, name) == nil {
		return nil
	}
	return s.link(far, name)
}
