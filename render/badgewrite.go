package render

import (
	"bytes"
	"context"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/internal/sitefs"
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

// badgesOutput writes every badge directory of the badge plan, a job
// per repository.
var badgesOutput = output{name: "badges",
	write: func(ctx context.Context, r *renderer, s *sitefs.Dir, spawn spawner) error {
		if len(r.badges.repos)+len(r.badges.tags) == 0 {
			return nil
		}
		// Badge files are linked to each other from the open badges/ (see
		// sitefs.Dir.Link).
		return s.Mkdir(strings.TrimSuffix(badgesDir, "/"))
	},
	repo: func(r *renderer, s *sitefs.Dir, spawn spawner, rp *catalog.Repo, full *catalog.Full) error {
		return spawn(func(ctx context.Context) error { return r.writeBadges(ctx, s, rp, full) })
	}}

// writeBadges writes the SVG and JSON files of a repository's
// badge directories. The repository's own directory is kept open (see
// sitefs.Dir.Mkdir) while they are written, each tag's only while its files
// are. It stops between directories once ctx is done.
func (r *renderer) writeBadges(ctx context.Context, s *sitefs.Dir, rp *catalog.Repo, full *catalog.Full) error {
	dirs := r.repoBadgeDirs(rp)
	if len(dirs) == 0 {
		return nil
	}
	dir := badgesDir + rp.Name
	if err := s.Mkdir(dir); err != nil {
		return err
	}
	defer s.CloseDir(dir)
	local := sitefs.NewGroup()
	for _, bd := range dirs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.writeBadgeDir(s, bd, bd.draw(full), local); err != nil {
			return err
		}
	}
	return nil
}

// writeBadgeDir writes the files of one badge directory, whose badges
// are bs. A tag's
// directory is kept open only while they are written: a large site has a
// badge directory per tag, more than a process may hold open.
func (r *renderer) writeBadgeDir(s *sitefs.Dir, bd *badgeDir, bs []badge.Badge, local *sitefs.Group) error {
	if !bd.own { // else writeBadges opened it
		dir := strings.TrimSuffix(bd.dir, "/")
		if err := s.Mkdir(dir); err != nil {
			return err
		}
		defer s.CloseDir(dir)
	}
	for i, k := range badgeKinds {
		// badge.SVG is as small as the SVG minifier would make it, but
		// for a few character references in hostile text.
		if err := s.WriteShared(local, bd.dir+k.name+".svg", badge.SVG(bs[i], r.cfg.BadgeStyle)); err != nil {
			return err
		}
	}
	return s.WriteShared(local, bd.dir+badgeSetFile, badgeSetJSON(bs))
}

// badgeSetJSON is the JSON of a directory's badges, one line: an object
// whose members, in badgeKinds order, map each kind to its badge as
// shields.io endpoint JSON (see badge.Endpoint), so that shields.io's
// dynamic JSON badge can draw any of them, e.g. with the query
// $.version.message. One file per directory rather than one per badge
// halves a site's badge files.
func badgeSetJSON(bs []badge.Badge) []byte {
	out := []byte{'{'}
	for i, k := range badgeKinds {
		if i > 0 {
			out = append(out, ',')
		}
		// Kind names are plain ASCII words: no escaping needed.
		out = append(out, '"')
		out = append(out, k.name...)
		out = append(out, '"', ':')
		out = append(out, bytes.TrimSuffix(badge.Endpoint(bs[i]), []byte{'\n'})...)
	}
	return append(out, '}', '\n')
}
