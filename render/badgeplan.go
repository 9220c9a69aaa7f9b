package render

import (
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// DefaultBadgeTag is the tag a repository's own badges follow when
// Config.BadgeTag is empty.
const DefaultBadgeTag = "latest"

// badgesDir holds every badge: badges/<repo>/<kind>.svg for a repository
// and badges/<repo>/<tag>/<kind>.svg for each of its tags, each with a
// <kind>.json beside it. Repository names keep their "/", so the URLs
// read like image references.
const badgesDir = "badges/"

// badgeSet is the badges of one directory: a repository's own, or one
// tag's.
type badgeSet struct {
	repo *repoPlan
	// image is what the badges describe; nil when there is none (a
	// repository without images, a tag the crawl could not read).
	image *imagePlan
	// tag is the tag of the set, or for a repository's own set the tag of
	// the image it follows ("" when that image has none).
	tag    string
	own    bool   // the repository's own set
	dir    string // with a trailing slash
	badges []badge.Badge
}

// badgePlan is every badge set the site has. Sets whose paths would
// collide with those of another are left out (see newBadgePlan).
type badgePlan struct {
	repos  map[*repoPlan]*badgeSet
	tags   map[*repoPlan][]*badgeSet // by tag
	images map[*imagePlan]*badgeSet  // the set an image page shows
	count  int                       // sets kept
	shared sharedFiles               // files written, by content
}

// badgeFiles are the file names of a set, in badgeKinds order, SVG
// before JSON.
var badgeFiles = func() []string {
	var out []string
	for _, k := range badgeKinds {
		out = append(out, k.name+".svg", k.name+".json")
	}
	return out
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
func newBadgePlan(p *plan, defaultTag string, log *slog.Logger) *badgePlan {
	bp := &badgePlan{
		repos:  map[*repoPlan]*badgeSet{},
		tags:   map[*repoPlan][]*badgeSet{},
		images: map[*imagePlan]*badgeSet{},
	}
	claims := pathClaims{files: map[string]bool{}, dirs: map[string]bool{}}
	for _, rp := range p.repos {
		ip, tag := rp.defaultImage(defaultTag)
		set := newBadgeSet(rp, ip, tag, true)
		if !claims.claim(set.dir) {
			log.Warn("skipping repository badges: paths collide with other badges", "repo", rp.name, "dir", set.dir)
			continue
		}
		bp.repos[rp] = set
		bp.count++
	}
	for _, rp := range p.repos {
		images := badgeTags(rp)
		for _, tag := range slices.Sorted(maps.Keys(images)) {
			set := newBadgeSet(rp, images[tag], tag, false)
			if !claims.claim(set.dir) {
				log.Warn("skipping tag badges: paths collide with other badges", "repo", rp.name, "tag", tag, "dir", set.dir)
				continue
			}
			bp.tags[rp] = append(bp.tags[rp], set)
			bp.count++
		}
	}
	for _, rp := range p.repos {
		byTag := map[string]*badgeSet{}
		for _, set := range bp.tags[rp] {
			byTag[set.tag] = set
		}
		for _, ip := range rp.images {
			if set := imageBadgeSet(ip, byTag); set != nil {
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
func badgeTags(rp *repoPlan) map[string]*imagePlan {
	out := map[string]*imagePlan{}
	add := func(tag string) {
		if _, ok := out[tag]; !ok && snapshot.ValidateTag(tag) == nil {
			out[tag] = nil
		}
	}
	for _, ip := range rp.images {
		for _, t := range ip.tags {
			out[t] = ip
		}
	}
	for _, t := range rp.repo.Tags {
		add(t.Name)
	}
	for _, f := range rp.repo.Failures {
		if f.Tag != "" && (f.Repo == "" || f.Repo == rp.name) {
			add(f.Tag)
		}
	}
	return out
}

// imageBadgeSet is the set an image page shows: that of the tag the page
// is titled by (newestTag), else of its other tags from the last in sort
// order, skipping tags whose set was left out; nil for an untagged image.
func imageBadgeSet(ip *imagePlan, byTag map[string]*badgeSet) *badgeSet {
	if len(ip.tags) == 0 {
		return nil
	}
	if set := byTag[newestTag(ip.tags)]; set != nil {
		return set
	}
	for i := len(ip.tags) - 1; i >= 0; i-- {
		if set := byTag[ip.tags[i]]; set != nil {
			return set
		}
	}
	return nil
}

// newBadgeSet draws the badges of a set. rp.name and tag are validated,
// so dir holds only [A-Za-z0-9._/-] and cannot leave badgesDir.
func newBadgeSet(rp *repoPlan, ip *imagePlan, tag string, own bool) *badgeSet {
	set := &badgeSet{repo: rp, image: ip, tag: tag, own: own, dir: badgesDir + rp.name + "/"}
	if !own {
		set.dir += tag + "/"
	}
	var im *snapshot.Image
	if ip != nil {
		im = ip.im
	}
	set.badges = make([]badge.Badge, len(badgeKinds))
	for i, k := range badgeKinds {
		set.badges[i] = k.draw(im, tag)
	}
	return set
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
