package catalog

import (
	"cmp"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/snapshot"
)

// Config says how to build a catalog. The zero value prefers
// snapshot.PreferredTag and logs nothing.
type Config struct {
	// Prefer is the tag whose image stands for a repository when it has
	// one (see snapshot.DefaultImage). Empty means snapshot.PreferredTag.
	// The caller validates it.
	Prefer string
	// Logger receives the names left out as invalid. Nil discards.
	Logger *slog.Logger
	// History is the snapshot's change log, for Catalog.Changes and
	// Repo.Changes. Nil means no history.
	History *changes.Log
}

// Catalog is what a site shows of one snapshot.
type Catalog struct {
	// Snapshot is the snapshot the catalog was built from.
	Snapshot *snapshot.Snapshot
	// Repos are the repositories with a valid name, each once, sorted by
	// name.
	Repos []*Repo
	// Images are the images of every repository, in Repos order.
	Images []*Image
	// Skipped counts repositories, tags and digests left out because
	// their names are invalid or repeat.
	Skipped int
	// Failures counts the failure and skipped-name records of the
	// snapshot: those of the index and of every repository in Repos.
	Failures int
	// Prefer is Config.Prefer with its default applied.
	Prefer string
	// Labels is the label index: every label and annotation key of
	// Images, sorted (see LabelKey).
	Labels []LabelKey
	// Changes are the change log's entries, newest first (by crawl, then
	// repository name), at most MaxChanges.
	Changes []Change
}

// Repo is one repository of the catalog.
type Repo struct {
	// Name is the repository name, valid by snapshot.ValidateRepoName.
	Name string
	// Snap is the repository as the snapshot records it, invalid names
	// included.
	Snap *snapshot.Repository
	// Images are the images with a valid digest, each once, ordered by
	// snapshot.CompareNewest.
	Images []*Image
	// Tags counts the valid tags that point at one of Images.
	Tags int
	// Default is the image that stands for the repository (see
	// snapshot.DefaultImage with Catalog.Prefer), nil when it has no
	// images; DefaultTag is the tag it is found by, "" when untagged.
	Default    *Image
	DefaultTag string
	// Summary is the repository's index entry as the site publishes it:
	// snapshot.SummaryOf for Default.
	Summary snapshot.RepoSummary
	// Changes are the entries of Catalog.Changes of this repository,
	// newest first.
	Changes []Change

	tagged map[string]time.Time // see Tagged
}

// Image is one image of a repository.
type Image struct {
	// Repo is the repository the image belongs to.
	Repo *Repo
	// Snap is the image as the snapshot records it.
	Snap *snapshot.Image
	// Tags are the valid tags pointing at the image, sorted, each once.
	Tags []string
	// Bases are the images this one was built on, ordered by
	// repository name, newest first, then digest; Children are those
	// built on it, in the same order.
	Bases    []Base
	Children []*Image
	// Meta is Metadata(Snap), which pages, the label index and lint
	// all read.
	Meta []Entry
}

// Newest returns the repository's newest image, or nil.
func (r *Repo) Newest() *Image {
	if len(r.Images) == 0 {
		return nil
	}
	return r.Images[0]
}

// Has reports whether the repository has an image with digest.
func (r *Repo) Has(digest string) bool {
	return slices.ContainsFunc(r.Images, func(im *Image) bool { return im.Snap.Digest == digest })
}

// DisplayTag is the tag the image is shown by (snapshot.DisplayTag), ""
// when it has none.
func (im *Image) DisplayTag() string { return snapshot.DisplayTag(im.Tags) }

// Label is the image's value of a well-known OCI key, falling back to
// its Label Schema equivalent (see [Label]).
func (im *Image) Label(oci string) string { return Label(im.Snap, oci) }

// New builds the catalog of snap, logging and leaving out the
// repositories, tags and digests that are invalid or would collide.
func New(snap *snapshot.Snapshot, cfg Config) *Catalog {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := &Catalog{Snapshot: snap, Prefer: cmp.Or(cfg.Prefer, snapshot.PreferredTag)}
	c.Failures = len(snap.Index.Failures) + len(snap.Index.Skipped)
	seen := map[string]bool{}
	for i := range snap.Repositories {
		r := &snap.Repositories[i]
		if err := snapshot.ValidateRepoName(r.Name); err != nil {
			// The handler quotes control and formatting characters.
			log.Warn("skipping repository", "repo", snapshot.Truncate(r.Name, 300), "err", err)
			c.Skipped++
			continue
		}
		if seen[r.Name] {
			log.Warn("skipping repository that appears twice", "repo", r.Name)
			c.Skipped++
			continue
		}
		seen[r.Name] = true
		rp := &Repo{Name: r.Name, Snap: r}
		c.addImages(rp, log)
		c.Repos = append(c.Repos, rp)
		c.Failures += len(r.Failures) + len(r.Skipped)
	}
	slices.SortFunc(c.Repos, func(a, b *Repo) int { return cmp.Compare(a.Name, b.Name) })
	for _, rp := range c.Repos {
		c.Images = append(c.Images, rp.Images...)
		c.setDefault(rp)
	}
	linkLineage(c.Images)
	c.Labels = labelIndex(c.Images)
	c.addHistory(cfg.History)
	return c
}

func (c *Catalog) addImages(rp *Repo, log *slog.Logger) {
	byDigest := map[string]*Image{}
	for i := range rp.Snap.Images {
		im := &rp.Snap.Images[i]
		if err := snapshot.ValidateDigest(im.Digest); err != nil {
			log.Warn("skipping image", "repo", rp.Name, "err", err)
			c.Skipped++
			continue
		}
		if byDigest[im.Digest] != nil {
			log.Warn("skipping image that appears twice", "repo", rp.Name, "digest", im.Digest)
			c.Skipped++
			continue
		}
		ip := &Image{Repo: rp, Snap: im, Meta: Metadata(im)}
		byDigest[im.Digest] = ip
		rp.Images = append(rp.Images, ip)
	}
	for _, t := range rp.Snap.Tags {
		if err := snapshot.ValidateTag(t.Name); err != nil {
			log.Warn("skipping tag", "repo", rp.Name, "err", err)
			c.Skipped++
			continue
		}
		if ip := byDigest[t.Digest]; ip != nil {
			ip.Tags = append(ip.Tags, t.Name)
		}
	}
	for _, ip := range rp.Images {
		// Image.Tags repeats Repository.Tags; take both in case a
		// snapshot was built by hand. Invalid ones were logged above.
		for _, t := range ip.Snap.Tags {
			if snapshot.ValidateTag(t) == nil {
				ip.Tags = append(ip.Tags, t)
			}
		}
		slices.Sort(ip.Tags)
		ip.Tags = slices.Compact(ip.Tags)
		rp.Tags += len(ip.Tags)
	}
	slices.SortFunc(rp.Images, func(a, b *Image) int { return snapshot.CompareNewest(a.Snap, b.Snap) })
}

// setDefault finds the repository's default image and its summary.
func (c *Catalog) setDefault(rp *Repo) {
	var newest, def *snapshot.Image
	i, tag := snapshot.DefaultImage(rp.Images, func(im *Image) []string { return im.Tags }, c.Prefer)
	if i >= 0 {
		rp.Default, rp.DefaultTag = rp.Images[i], tag
		newest, def = rp.Images[0].Snap, rp.Default.Snap
	}
	// The name passed ValidateRepoName, so SummaryOf cannot fail.
	rp.Summary, _ = snapshot.SummaryOf(rp.Snap, newest, def, tag)
}
