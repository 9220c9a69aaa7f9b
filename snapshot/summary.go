package snapshot

import (
	"cmp"
	"slices"
	"strings"
)

// PreferredTag is the tag whose image stands for a repository unless a
// caller prefers another (see [DefaultImage]).
const PreferredTag = "latest"

// MaxExcerpt is the longest description excerpt, in runes, that
// [Summarize] keeps.
const MaxExcerpt = 200

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

// CompareNewest orders images newest first by Created, then by lowest
// digest; an unknown (zero) Created sorts last.
func CompareNewest(a, b *Image) int {
	return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.Digest, b.Digest))
}

// Newest returns the image with the latest Created time (ties broken by the
// lowest digest), or nil when the repository has no images.
func (r *Repository) Newest() *Image {
	var best *Image
	for i := range r.Images {
		if im := &r.Images[i]; best == nil || CompareNewest(im, best) < 0 {
			best = im
		}
	}
	return best
}

// DisplayTag is the tag an image is shown by among its tags, which are
// sorted: "latest" when it has it, else the last in sort order (usually
// the most specific version); "" when it has none.
func DisplayTag(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	if slices.Contains(tags, PreferredTag) {
		return PreferredTag
	}
	return tags[len(tags)-1]
}

// DefaultImage is the one rule for the image that stands for a
// repository (its index entry, its page's header, its own badges) and
// the tag by which that image is found. images are the repository's
// images ordered by [CompareNewest], and tags gives the sorted tags of
// one. It returns the position in images of the image tagged prefer when
// there is one, with prefer; else of the newest tagged image, with its
// [DisplayTag]; else of the newest image, with ""; and -1 with "" when
// there are no images. A backport built after the release that prefer
// points at is newest, but not the default.
func DefaultImage[E any](images []E, tags func(E) []string, prefer string) (int, string) {
	for i, im := range images {
		if slices.Contains(tags(im), prefer) {
			return i, prefer
		}
	}
	for i, im := range images {
		if t := tags(im); len(t) > 0 {
			return i, DisplayTag(t)
		}
	}
	if len(images) == 0 {
		return -1, ""
	}
	return 0, ""
}

// Summarize derives the index entry of a normalised repository, whose
// default image is found by [DefaultImage] with [PreferredTag].
func Summarize(r *Repository) (RepoSummary, error) {
	images := make([]*Image, len(r.Images))
	for i := range r.Images {
		images[i] = &r.Images[i]
	}
	slices.SortFunc(images, CompareNewest)
	var newest, def *Image
	i, tag := DefaultImage(images, func(im *Image) []string { return im.Tags }, PreferredTag)
	if i >= 0 {
		newest, def = images[0], images[i]
	}
	return SummaryOf(r, newest, def, tag)
}

// SummaryOf is the index entry of r given its newest image and its
// default image def, found by tag (see [DefaultImage]); both are nil for
// a repository without images. LastCreated is newest's; DefaultTag, Size,
// Title and Description are def's. Callers that choose the default image
// with another preferred tag (the renderer's --badge-tag) summarise with
// this.
func SummaryOf(r *Repository, newest, def *Image, tag string) (RepoSummary, error) {
	path, err := RepoPath(r.Name)
	if err != nil {
		return RepoSummary{}, err
	}
	s := RepoSummary{Name: r.Name, Path: path, Tags: len(r.Tags), Images: len(r.Images), Failures: len(r.Failures)}
	if newest != nil {
		s.LastCreated = newest.Created
	}
	if def != nil {
		s.DefaultTag, s.Size = tag, def.Size
		s.Title = cmp.Or(def.Label(KeyTitle), def.Label(SchemaKeyName))
		s.Description = excerpt(cmp.Or(def.Label(KeyDescription), def.Label(SchemaKeyDescription)))
	}
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
