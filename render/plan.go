package render

import (
	"cmp"
	"log/slog"
	"slices"

	"github.com/regcat/regcat/snapshot"
)

// plan is the part of a snapshot that can be rendered: repositories,
// tags and digests whose names passed validation, so that every path is
// derived from a validated name.
type plan struct {
	repos   []*repoPlan // sorted by name
	images  []*imagePlan
	skipped int // invalid names left out
}

type repoPlan struct {
	name    string
	repo    *snapshot.Repository
	summary *snapshot.RepoSummary // nil when the index has no entry
	images  []*imagePlan          // newest first, then by digest
	tags    int                   // valid tags pointing at an image
}

type imagePlan struct {
	repo     *repoPlan
	im       *snapshot.Image
	tags     []string // valid tags pointing at the image, sorted
	bases    []baseRef
	children []*imagePlan
}

// newPlan validates the names of snap, logging and leaving out what is
// invalid or would collide.
func newPlan(snap *snapshot.Snapshot, log *slog.Logger) *plan {
	p := &plan{}
	summaries := map[string]*snapshot.RepoSummary{}
	for i := range snap.Index.Repositories {
		s := &snap.Index.Repositories[i]
		summaries[s.Name] = s
	}
	seen := map[string]bool{}
	for i := range snap.Repositories {
		r := &snap.Repositories[i]
		if err := snapshot.ValidateRepoName(r.Name); err != nil {
			log.Warn("skipping repository", "repo", clean(truncate(r.Name, 300)), "err", err)
			p.skipped++
			continue
		}
		if seen[r.Name] {
			log.Warn("skipping repository that appears twice", "repo", r.Name)
			p.skipped++
			continue
		}
		seen[r.Name] = true
		rp := &repoPlan{name: r.Name, repo: r, summary: summaries[r.Name]}
		p.planImages(rp, log)
		p.repos = append(p.repos, rp)
		p.images = append(p.images, rp.images...)
	}
	slices.SortFunc(p.repos, func(a, b *repoPlan) int { return cmp.Compare(a.name, b.name) })
	linkLineage(p.images)
	return p
}

func (p *plan) planImages(rp *repoPlan, log *slog.Logger) {
	byDigest := map[string]*imagePlan{}
	for i := range rp.repo.Images {
		im := &rp.repo.Images[i]
		if err := snapshot.ValidateDigest(im.Digest); err != nil {
			log.Warn("skipping image", "repo", rp.name, "err", err)
			p.skipped++
			continue
		}
		if byDigest[im.Digest] != nil {
			log.Warn("skipping image that appears twice", "repo", rp.name, "digest", im.Digest)
			p.skipped++
			continue
		}
		ip := &imagePlan{repo: rp, im: im}
		byDigest[im.Digest] = ip
		rp.images = append(rp.images, ip)
	}
	for _, t := range rp.repo.Tags {
		if err := snapshot.ValidateTag(t.Name); err != nil {
			log.Warn("skipping tag", "repo", rp.name, "err", err)
			p.skipped++
			continue
		}
		if ip := byDigest[t.Digest]; ip != nil {
			ip.tags = append(ip.tags, t.Name)
		}
	}
	for _, ip := range rp.images {
		// Image.Tags repeats Repository.Tags; take both in case a
		// snapshot was built by hand. Invalid ones were logged above.
		for _, t := range ip.im.Tags {
			if snapshot.ValidateTag(t) == nil {
				ip.tags = append(ip.tags, t)
			}
		}
		slices.Sort(ip.tags)
		ip.tags = slices.Compact(ip.tags)
		rp.tags += len(ip.tags)
	}
	slices.SortFunc(rp.images, func(a, b *imagePlan) int {
		return cmp.Or(b.im.Created.Compare(a.im.Created), cmp.Compare(a.im.Digest, b.im.Digest))
	})
}

// newest returns the repository's newest image, or nil.
func (rp *repoPlan) newest() *imagePlan {
	if len(rp.images) == 0 {
		return nil
	}
	return rp.images[0]
}

// defaultImage is the image that stands for the repository, and its tag:
// the image tagged defaultTag (Config.BadgeTag) when there is one; else
// the newest tagged image; else the newest image, untagged; else nil.
// The repository's own badges, its page's header and pull command and its
// row on the index all describe this image, so that they agree with each
// other whatever order the images were built in (a backport built after
// the release that "latest" points at is newest, but not the default).
func (rp *repoPlan) defaultImage(defaultTag string) (*imagePlan, string) {
	for _, ip := range rp.images {
		if slices.Contains(ip.tags, defaultTag) {
			return ip, defaultTag
		}
	}
	for _, ip := range rp.images { // newest first
		if len(ip.tags) > 0 {
			return ip, newestTag(ip.tags)
		}
	}
	return rp.newest(), ""
}
