package snapshot

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Normalize sorts every list of the repository by its documented key, sets
// the schema version, converts times to UTC and makes the lists that are
// always present non-nil (encoded [] rather than null), so that equal
// content encodes to equal bytes.
func (r *Repository) Normalize() {
	r.SchemaVersion = SchemaVersion
	r.Tags = nonNil(r.Tags)
	r.Images = nonNil(r.Images)
	slices.SortFunc(r.Tags, func(a, b Tag) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(r.Images, func(a, b Image) int { return cmp.Compare(a.Digest, b.Digest) })
	for i := range r.Images {
		r.Images[i].normalize()
	}
	SortFailures(r.Failures)
	sortSkipped(r.Skipped)
}

// Normalize sorts the index's lists, sets the schema version and converts
// times to UTC.
func (x *Index) Normalize() {
	x.SchemaVersion = SchemaVersion
	x.Repositories = nonNil(x.Repositories)
	x.CrawledAt = utc(x.CrawledAt)
	slices.SortFunc(x.Repositories, func(a, b RepoSummary) int { return cmp.Compare(a.Name, b.Name) })
	for i := range x.Repositories {
		x.Repositories[i].LastCreated = utc(x.Repositories[i].LastCreated)
	}
	SortFailures(x.Failures)
	sortSkipped(x.Skipped)
}

func (im *Image) normalize() {
	im.Tags = nonNil(im.Tags)
	slices.Sort(im.Tags)
	im.Tags = slices.Compact(im.Tags)
	im.Created = utc(im.Created)
	slices.SortFunc(im.Platforms, comparePlatforms)
	for i := range im.Platforms {
		im.Platforms[i].Layers = nonNil(im.Platforms[i].Layers)
		im.Platforms[i].Config.normalize()
	}
	slices.SortFunc(im.Attestations, func(a, b Descriptor) int { return cmp.Compare(a.Digest, b.Digest) })
}

func (c *Config) normalize() {
	c.Created = utc(c.Created)
	slices.Sort(c.ExposedPorts)
	for i := range c.History {
		c.History[i].Created = utc(c.History[i].Created)
	}
}

func comparePlatforms(a, b Platform) int {
	return cmp.Or(
		cmp.Compare(a.OS, b.OS),
		cmp.Compare(a.Architecture, b.Architecture),
		cmp.Compare(a.Variant, b.Variant),
		cmp.Compare(a.OSVersion, b.OSVersion),
		cmp.Compare(a.Digest, b.Digest),
	)
}

// SortFailures sorts failures by Repo, Tag, Digest, Op, Status, Error.
func SortFailures(fs []Failure) {
	slices.SortFunc(fs, func(a, b Failure) int {
		return cmp.Or(
			cmp.Compare(a.Repo, b.Repo),
			cmp.Compare(a.Tag, b.Tag),
			cmp.Compare(a.Digest, b.Digest),
			cmp.Compare(a.Op, b.Op),
			cmp.Compare(a.Status, b.Status),
			cmp.Compare(a.Error, b.Error),
		)
	})
}

func sortSkipped(ss []Skipped) {
	slices.SortFunc(ss, func(a, b Skipped) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Reason, b.Reason))
	})
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}

// Well-known label and annotation keys used for summaries.
const (
	LabelTitle          = "org.opencontainers.image.title"
	LabelDescription    = "org.opencontainers.image.description"
	LabelSchemaName     = "org.label-schema.name"
	LabelSchemaDescript = "org.label-schema.description"
)

// Label returns the value of key for the image: from the top-level
// manifest's annotations, else from the first platform (in sorted order)
// whose config labels or manifest annotations set it, else "".
func (im *Image) Label(key string) string {
	if v, ok := im.Annotations[key]; ok {
		return v
	}
	for _, p := range im.Platforms {
		if v, ok := p.Config.Labels[key]; ok {
			return v
		}
		if v, ok := p.Annotations[key]; ok {
			return v
		}
	}
	return ""
}

// Newest returns the image with the latest Created time (ties broken by the
// lowest digest), or nil when the repository has no images.
func (r *Repository) Newest() *Image {
	var best *Image
	for i := range r.Images {
		im := &r.Images[i]
		if best == nil || im.Created.After(best.Created) ||
			(im.Created.Equal(best.Created) && im.Digest < best.Digest) {
			best = im
		}
	}
	return best
}

// MaxExcerpt is the longest description excerpt, in runes, that
// [Summarize] keeps.
const MaxExcerpt = 200

// Summarize derives the index entry of a normalised repository.
func Summarize(r *Repository) (RepoSummary, error) {
	path, err := RepoPath(r.Name)
	if err != nil {
		return RepoSummary{}, err
	}
	s := RepoSummary{Name: r.Name, Path: path, Tags: len(r.Tags), Images: len(r.Images), Failures: len(r.Failures)}
	im := r.Newest()
	if im == nil {
		return s, nil
	}
	if len(im.Tags) > 0 {
		s.NewestTag = im.Tags[0]
	}
	s.LastCreated, s.Size = im.Created, im.Size
	s.Title = cmp.Or(im.Label(LabelTitle), im.Label(LabelSchemaName))
	s.Description = excerpt(cmp.Or(im.Label(LabelDescription), im.Label(LabelSchemaDescript)))
	return s, nil
}

// excerpt returns the first paragraph of s, cut to MaxExcerpt runes.
func excerpt(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return Truncate(strings.Join(strings.Fields(s), " "), MaxExcerpt)
}

// nonNil returns s, or an empty slice when s is nil.
func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}
