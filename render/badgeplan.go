package render

import (
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// DefaultBadgeTag is the tag a repository's own badges (and its index
// row, its page's header and its api/index.json entry) follow when
// Config.BadgeTag is empty.
const DefaultBadgeTag = snapshot.PreferredTag

// badgesDir holds every badge: badges/<repo>/<kind>.svg for a repository
// and badges/<repo>/<tag>/<kind>.svg for each of its tags, each directory
// with its badges as JSON (badgeSetFile) beside them. Repository names keep their "/", so the URLs
// read like image references.
const badgesDir = "badges/"

// badgeDir is the badges of one directory: a repository's own, or one
// tag's.
type badgeDir struct {
	repo *catalog.Repo
	// image is what the badges describe; nil when there is none (a
	// repository without images, a tag the crawl could not read).
	image *catalog.Image
	// tag is the tag of the set, or for a repository's own set the tag of
	// the image it follows ("" when that image has none).
	tag string
	own bool   // the repository's own set
	dir string // with a trailing slash
}

// badgePlan is every badge directory the site has. Directories whose
// paths would collide with those of another are left out (see
// newBadgePlan).
type badgePlan struct {
	repos  map[*catalog.Repo]*badgeDir
	tags   map[*catalog.Repo][]*badgeDir // by tag
	images map[*catalog.Image]*badgeDir  // the directory an image page shows
}

// badgeSetFile is the file of a badge directory that holds all its
// badges as JSON (see badgeSetJSON). No kind is named "badges".
const badgeSetFile = "badges.json"

// badgeFiles are the file names of a set: the SVGs in badgeKinds order,
// then badgeSetFile.
var badgeFiles = func() []string {
	var out []string
	for _, k := range badgeKinds {
		out = append(out, k.name+".svg")
	}
	return append(out, badgeSetFile)
}()

// newBadgePlan decides the badge sets of p. Paths can collide: the tag
// "v" of repository "a" and repository "a/v" both want badges/a/v/, and
// the tag "version.svg" of "a" wants a directory where "a" has a file.
// Sets are claimed in a fixed order, and one whose paths clash with a set
// claimed before it is logged and left out: every repository's own set
// first, by name (so "a" wins over "a/version.svg"), then tag sets by
// repository and tag. Paths are compared case-folded, so the site also
// unpacks on case-insensitive file systems ("Latest" wins over "latest",
// which sorts after it).
//
// Tags get badges of their own only as policy allows (see
// [TagBadges.Wants]); badgeTag is Config.BadgeTag in force.
func newBadgePlan(c *catalog.Catalog, policy TagBadges, badgeTag string, log *slog.Logger) *badgePlan {
	bp := &badgePlan{
		repos:  map[*catalog.Repo]*badgeDir{},
		tags:   map[*catalog.Repo][]*badgeDir{},
		images: map[*catalog.Image]*badgeDir{},
	}
	claims := pathClaims{files: map[string]bool{}, dirs: map[string]bool{}}
	for _, rp := range c.Repos {
		set := newBadgeDir(rp, rp.Default, rp.DefaultTag, true)
		if !claims.claim(set.dir) {
			log.Warn("skipping repository badges: paths collide with other badges", "repo", rp.Name, "dir", set.dir)
			continue
		}
		bp.repos[rp] = set
	}
	for _, rp := range c.Repos {
		images := badgeTags(rp)
		for _, tag := range slices.Sorted(maps.Keys(images)) {
			if !policy.Wants(tag, badgeTag) {
				continue
			}
			set := newBadgeDir(rp, images[tag], tag, false)
			if !claims.claim(set.dir) {
				log.Warn("skipping tag badges: paths collide with other badges", "repo", rp.Name, "tag", tag, "dir", set.dir)
				continue
			}
			bp.tags[rp] = append(bp.tags[rp], set)
		}
	}
	for _, rp := range c.Repos {
		byTag := map[string]*badgeDir{}
		for _, set := range bp.tags[rp] {
			byTag[set.tag] = set
		}
		for _, ip := range rp.Images {
			if set := imageBadgeDir(ip, byTag); set != nil {
				bp.images[ip] = set
			}
		}
	}
	return bp
}

// badgeTags maps every valid tag of a repository to its image: the tags
// of its images, and also tags the snapshot lists or records a failure
// for without an image, which get "unknown" badges so their URLs keep
// working.
func badgeTags(rp *catalog.Repo) map[string]*catalog.Image {
	out := map[string]*catalog.Image{}
	for _, ip := range rp.Images {
		for _, t := range ip.Tags {
			out[t] = ip
		}
	}
	for _, t := range rp.Lost {
		out[t] = nil
	}
	return out
}

// imageBadgeDir is the directory an image page shows: that of the tag
// the page is titled by (its DisplayTag), else of its other tags from the
// last in sort order, skipping tags whose directory was left out; nil for
// an untagged image.
func imageBadgeDir(ip *catalog.Image, byTag map[string]*badgeDir) *badgeDir {
	if len(ip.Tags) == 0 {
		return nil
	}
	if set := byTag[ip.DisplayTag()]; set != nil {
		return set
	}
	for i := len(ip.Tags) - 1; i >= 0; i-- {
		if set := byTag[ip.Tags[i]]; set != nil {
			return set
		}
	}
	return nil
}

// newBadgeDir is the badge directory of rp's own badges, or of tag's.
// rp.Name and tag are validated, so dir holds only [A-Za-z0-9._/-] and
// cannot leave badgesDir.
func newBadgeDir(rp *catalog.Repo, ip *catalog.Image, tag string, own bool) *badgeDir {
	set := &badgeDir{repo: rp, image: ip, tag: tag, own: own, dir: badgesDir + rp.Name + "/"}
	if !own {
		set.dir += tag + "/"
	}
	return set
}

// draw draws the badges of bd, of the repository whose whole record is
// full, in badgeKinds order.
func (bd *badgeDir) draw(full *catalog.Full) []badge.Badge {
	var im *snapshot.Image
	if bd.image != nil {
		im = full.Image(bd.image)
	}
	out := make([]badge.Badge, len(badgeKinds))
	for i, k := range badgeKinds {
		out[i] = k.draw(im, bd.tag)
	}
	return out
}

// pathClaims are the badge files and directories claimed so far,
// case-folded.
type pathClaims struct {
	files, dirs map[string]bool
}

// claim claims the files of a set in dir (which ends in "/") and its
// directories, unless a file would be where a directory was claimed or
// the other way round, or a file was claimed already.
func (c *pathClaims) claim(dir string) bool {
	dir = strings.ToLower(dir)
	for i := len(badgesDir); i < len(dir); i++ {
		if dir[i] == '/' && c.files[dir[:i]] {
			return false
		}
	}
	for _, f := range badgeFiles {
		if c.files[dir+f] || c.dirs[dir+f] {
			return false
		}
	}
	for i := len(badgesDir); i < len(dir); i++ {
		if dir[i] == '/' {
			c.dirs[dir[:i]] = true
		}
	}
	for _, f := range badgeFiles {
		c.files[dir+f] = true
	}
	return true
}
