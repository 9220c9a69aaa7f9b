package snapshot

import (
	"cmp"
	"slices"
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
	slices.SortFunc(r.ReferrerTags, func(a, b ReferrerTag) int { return cmp.Compare(a.Name, b.Name) })
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
	for i := range im.Attestations {
		slices.Sort(im.Attestations[i].PredicateTypes)
	}
	slices.SortFunc(im.Referrers, func(a, b Referrer) int {
		return cmp.Or(cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Digest, b.Digest))
	})
	for i := range im.Referrers {
		im.Referrers[i].Created = utc(im.Referrers[i].Created)
		slices.Sort(im.Referrers[i].PredicateTypes)
	}
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

// nonNil returns s, or an empty slice when s is nil.
func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}
