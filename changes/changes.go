package changes

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// Status says what happened to a repository as a whole.
type Status string

// The statuses of a repository in a [Set].
const (
	// Added: the repository is in the new snapshot only. Its tags and
	// images are all new.
	Added Status = "added"
	// Removed: the repository is in the old snapshot only. Its tags and
	// images are all deleted.
	Removed Status = "removed"
	// Changed: the repository is in both, with different tags or images.
	Changed Status = "changed"
)

// Set is what changed between two snapshots of one registry. The zero
// value (and nil) is the empty set.
type Set struct {
	// Registry is the new snapshot's registry host.
	Registry string `json:"registry"`
	// Since is the old snapshot's crawl time; zero when there was none.
	Since time.Time `json:"since,omitzero"`
	// CrawledAt is the new snapshot's crawl time.
	CrawledAt time.Time `json:"crawledAt"`
	// Repositories lists every repository with a change, sorted by Name.
	Repositories []Repo `json:"repositories"`
}

// Repo is what changed in one repository. Its lists are sorted by tag
// name or digest.
type Repo struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// NewTags are the tags the old snapshot did not have, with the digest
	// they point at.
	NewTags []Tag `json:"newTags,omitempty"`
	// ChangedTags are the tags that now point at another digest.
	ChangedTags []Move `json:"changedTags,omitempty"`
	// DeletedTags are the tags the new snapshot no longer has, with the
	// digest they pointed at.
	DeletedTags []Tag `json:"deletedTags,omitempty"`
	// NewImages and DeletedImages are top-level digests found in one side
	// only.
	NewImages     []string `json:"newImages,omitempty"`
	DeletedImages []string `json:"deletedImages,omitempty"`
}

// Tag is a tag and the digest it points (or pointed) at.
type Tag struct {
	Name   string `json:"name"`
	Digest string `json:"digest"`
}

// Move is a tag that moved from OldDigest to Digest.
type Move struct {
	Name      string `json:"name"`
	OldDigest string `json:"oldDigest"`
	Digest    string `json:"digest"`
}

// Diff returns what changed from old to new. old may be nil (no previous
// snapshot): everything in new is then added. What the new crawl could
// not see is not reported as deleted: a tag with a recorded failure, the
// tags of a repository whose tag list failed or stopped at a cap, and a
// repository with a recorded failure or beyond the catalog's cap. It is
// a [Differ] of old given every repository of new.
func Diff(old, new *snapshot.Snapshot) *Set {
	var src snapshot.Source
	if old != nil {
		src = old
	}
	// Snapshots in memory fail no read: the error cannot happen (but for
	// a repository name twice in new, whose second is an error).
	s, _ := DiffSources(context.Background(), src, new)
	return s
}

// DiffSources is [Diff] of snapshots read one repository at a time (old
// may be nil), with a [Differ]: it holds the repositories it compares,
// not the snapshots. Its error is one reading them.
func DiffSources(ctx context.Context, old, new snapshot.Source) (*Set, error) {
	d, err := NewDiffer(ctx, old)
	if err != nil {
		return nil, err
	}
	for i := range new.Len() {
		r, err := new.Repository(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
		if err := d.Add(ctx, r); err != nil {
			return nil, err
		}
	}
	return d.Finish(ctx, new.Head())
}

// names returns the keys of both maps, sorted, once each.
func names[V any](a, b map[string]V) []string {
	out := make([]string, 0, len(a)+len(b))
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// unseenRepo reports whether the crawl of idx could not see repository
// name: a recorded failure names it, or the catalog listing was cut.
func unseenRepo(idx *snapshot.Index, name string) bool {
	if idx.Truncated != nil {
		return true
	}
	return slices.ContainsFunc(idx.Failures, func(f snapshot.Failure) bool { return f.Repo == name })
}

// unseenTag reports whether the crawl of r could not see tag: a failure
// names the tag, the tag list failed, or it was cut at a cap.
func unseenTag(r *snapshot.Repository, tag string) bool {
	if r.Truncated != nil {
		return true
	}
	return slices.ContainsFunc(r.Failures, func(f snapshot.Failure) bool {
		return f.Tag == tag || (f.Tag == "" && f.Op == "tags")
	})
}

func diffRepo(o, n *snapshot.Repository) Repo {
	r := Repo{Name: n.Name}
	if r.Name == "" {
		r.Name = o.Name
	}
	oldTags := tagMap(o.Tags)
	newTags := tagMap(n.Tags)
	kept := map[string]bool{} // digests of tags the new crawl could not see
	for _, t := range names(oldTags, newTags) {
		od, inOld := oldTags[t]
		nd, inNew := newTags[t]
		switch {
		case !inOld:
			r.NewTags = append(r.NewTags, Tag{Name: t, Digest: nd})
		case !inNew && unseenTag(n, t):
			kept[od] = true
		case !inNew:
			r.DeletedTags = append(r.DeletedTags, Tag{Name: t, Digest: od})
		case od != nd:
			r.ChangedTags = append(r.ChangedTags, Move{Name: t, OldDigest: od, Digest: nd})
		}
	}
	oldImages := imageSet(o.Images)
	newImages := imageSet(n.Images)
	for _, d := range names(oldImages, newImages) {
		switch {
		case !oldImages[d]:
			r.NewImages = append(r.NewImages, d)
		case !newImages[d] && !kept[d]:
			r.DeletedImages = append(r.DeletedImages, d)
		}
	}
	return r
}

func tagMap(tags []snapshot.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Name] = t.Digest
	}
	return m
}

func imageSet(images []snapshot.Image) map[string]bool {
	m := make(map[string]bool, len(images))
	for _, im := range images {
		m[im.Digest] = true
	}
	return m
}

func (r *Repo) empty() bool {
	return len(r.NewTags) == 0 && len(r.ChangedTags) == 0 && len(r.DeletedTags) == 0 &&
		len(r.NewImages) == 0 && len(r.DeletedImages) == 0
}

// Empty reports whether s records no change. A nil Set is empty.
func (s *Set) Empty() bool {
	return s == nil || len(s.Repositories) == 0
}

// Repo returns the changes of repository name, or nil when it has none.
func (s *Set) Repo(name string) *Repo {
	if s == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(s.Repositories, name, func(r Repo, n string) int { return cmp.Compare(r.Name, n) })
	if !ok {
		return nil
	}
	return &s.Repositories[i]
}

// Counts are the sizes of a [Set] that its summary reports.
type Counts struct {
	// Repositories counts the repositories with any change, of which
	// Added were added and Removed removed.
	Repositories, Added, Removed int
	// NewTags, ChangedTags and DeletedTags count tags over all
	// repositories; NewImages and DeletedImages count images.
	NewTags, ChangedTags, DeletedTags int
	NewImages, DeletedImages          int
}

// Count returns the sizes of s.
func (s *Set) Count() Counts {
	var c Counts
	if s == nil {
		return c
	}
	for i := range s.Repositories {
		r := &s.Repositories[i]
		c.Repositories++
		switch r.Status {
		case Added:
			c.Added++
		case Removed:
			c.Removed++
		}
		c.NewTags += len(r.NewTags)
		c.ChangedTags += len(r.ChangedTags)
		c.DeletedTags += len(r.DeletedTags)
		c.NewImages += len(r.NewImages)
		c.DeletedImages += len(r.DeletedImages)
	}
	return c
}

// Summary says s in one line, for example "1 new repository; 3 new tags,
// 1 moved, 2 deleted in 2 repositories", or "no changes".
func (s *Set) Summary() string {
	if s.Empty() {
		return "no changes"
	}
	return s.Count().String()
}

// String is the one-line summary of [Set.Summary] for these counts.
func (c Counts) String() string {
	var repos []string
	if c.Added > 0 {
		repos = append(repos, plural(c.Added, "new repository", "new repositories"))
	}
	if c.Removed > 0 {
		repos = append(repos, plural(c.Removed, "removed repository", "removed repositories"))
	}
	var parts []string
	if c.NewTags > 0 {
		parts = append(parts, plural(c.NewTags, "new tag", "new tags"))
	}
	if c.ChangedTags > 0 {
		parts = append(parts, fmt.Sprintf("%d moved", c.ChangedTags))
	}
	if c.DeletedTags > 0 {
		parts = append(parts, fmt.Sprintf("%d deleted", c.DeletedTags))
	}
	if len(parts) == 0 {
		// Only untagged images changed.
		if c.NewImages > 0 {
			parts = append(parts, plural(c.NewImages, "new image", "new images"))
		}
		if c.DeletedImages > 0 {
			parts = append(parts, plural(c.DeletedImages, "deleted image", "deleted images"))
		}
	}
	line := strings.Join(parts, ", ")
	if line != "" {
		line += " in " + plural(c.Repositories, "repository", "repositories")
	}
	switch {
	case len(repos) > 0 && line != "":
		line = strings.Join(repos, ", ") + "; " + line
	case len(repos) > 0:
		line = strings.Join(repos, ", ")
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Summary says r in one line, for example "3 new tags, 1 tag moved, 2
// tags deleted", or "new repository, 1 new tag".
func (r *Repo) Summary() string {
	var parts []string
	switch r.Status {
	case Added:
		parts = append(parts, "new repository")
	case Removed:
		parts = append(parts, "repository removed")
	}
	if n := len(r.NewTags); n > 0 {
		parts = append(parts, plural(n, "new tag", "new tags"))
	}
	if n := len(r.ChangedTags); n > 0 {
		parts = append(parts, plural(n, "tag moved", "tags moved"))
	}
	if n := len(r.DeletedTags); n > 0 {
		parts = append(parts, plural(n, "tag deleted", "tags deleted"))
	}
	if len(r.NewTags)+len(r.ChangedTags)+len(r.DeletedTags) == 0 {
		if n := len(r.NewImages); n > 0 {
			parts = append(parts, plural(n, "new image", "new images"))
		}
		if n := len(r.DeletedImages); n > 0 {
			parts = append(parts, plural(n, "image deleted", "images deleted"))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}
