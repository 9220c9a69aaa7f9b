package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
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
	// Visit, when set, is called with each repository's compact record
	// and its full record as it is read, before the catalog links it to
	// other repositories: the fields of rp that need no other
	// repository are set (Images with their tags and Meta, Default,
	// Summary). Calls for different repositories may overlap.
	Visit func(rp *Repo, full *Full)
}

// Catalog is what a site shows of one snapshot. It holds a compact
// record of every repository and image (what pages of other
// repositories, the label index, lineage and lint read) and the
// snapshot it was read from: a page of a repository loads the full
// record with [Catalog.Load], so that the catalog's memory grows with
// its images' compact records, not with the snapshot.
type Catalog struct {
	// Index is the snapshot's index.
	Index *snapshot.Index
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

	src snapshot.Source
}

// Repo is one repository of the catalog.
type Repo struct {
	// Name is the repository name, valid by snapshot.ValidateRepoName.
	Name string
	// Images are the images with a valid digest, each once, ordered by
	// snapshot.CompareNewest.
	Images []*Image
	// Tags counts the valid tags that point at one of Images.
	Tags int
	// Lost are the valid tags that the snapshot lists, or records a
	// failure for, that point at none of Images, sorted.
	Lost []string
	// Default is the image that stands for the repository (see
	// snapshot.DefaultImage with Catalog.Prefer), nil when it has no
	// images; DefaultTag is the tag it is found by, "" when untagged.
	Default    *Image
	DefaultTag string
	// Summary is the repository's index entry as the site publishes it:
	// snapshot.SummaryOf for Default.
	Summary snapshot.RepoSummary
	// Failures, Skipped and Truncated are the snapshot's records of the
	// repository.
	Failures  []snapshot.Failure
	Skipped   []snapshot.Skipped
	Truncated *snapshot.Truncation
	// Changes are the entries of Catalog.Changes of this repository,
	// newest first.
	Changes []Change

	at     int                  // its index in the source
	tagged map[string]time.Time // see Tagged
	// overrides are, for the few images whose Meta has a key twice or
	// more, snapshot.Image.Label of those keys, by key (see RawLabel).
	overrides map[*Image][]Entry
	// values are the label and annotation values of the repository's
	// images while it is read, which many of them share (a title, a
	// vendor); nil after.
	values stringSet
}

// Image is the compact record of one image of a repository: what other
// repositories' pages, lineage, lint and the label index read of it.
// The whole record is Full.Image's.
type Image struct {
	// Repo is the repository the image belongs to.
	Repo *Repo
	// Digest, Kind, Created and Size are the snapshot's.
	Digest  string
	Kind    snapshot.Kind
	Created time.Time
	Size    int64
	// Tags are the valid tags pointing at the image, sorted, each once.
	Tags []string
	// Platforms are the snapshot's platforms, in its order.
	Platforms []Platform
	// Bases are the images this one was built on, ordered by
	// repository name, newest first, then digest; Children are those
	// built on it, in the same order.
	Bases    []Base
	Children []*Image
	// Meta is Metadata of the snapshot's image, which pages, the label
	// index and lint all read.
	Meta []Entry

	at int // its index in the repository's snapshot Images
}

// Platform is the compact record of one platform of an image.
type Platform struct {
	// Name is "os/arch", or "os/arch/variant", as the snapshot has them.
	Name string
	// Digest and Size are the platform manifest's; Created is its
	// config's.
	Digest  string
	Size    int64
	Created time.Time
	// DiffIDs are the config's; Layers the manifest's layer digests.
	DiffIDs, Layers []string
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
	return slices.ContainsFunc(r.Images, func(im *Image) bool { return im.Digest == digest })
}

// DisplayTag is the tag the image is shown by (snapshot.DisplayTag), ""
// when it has none.
func (im *Image) DisplayTag() string { return snapshot.DisplayTag(im.Tags) }

// Label is the image's value of a well-known OCI key, falling back to
// its Label Schema equivalent (see [Label]).
func (im *Image) Label(oci string) string {
	if v := im.RawLabel(oci); v != "" {
		return v
	}
	if k, ok := knownByOCI[oci]; ok && k.Schema != "" {
		return im.RawLabel(k.Schema)
	}
	return ""
}

// RawLabel is the snapshot's value of key for the image (see
// snapshot.Image.Label), with no fallback.
func (im *Image) RawLabel(key string) string {
	byKey := func(e Entry, k string) int { return cmp.Compare(e.Key, k) }
	i, ok := slices.BinarySearchFunc(im.Meta, key, byKey)
	switch {
	case !ok:
		return ""
	case i+1 == len(im.Meta) || im.Meta[i+1].Key != key:
		// Meta has every place Label looks: one entry is its value.
		return im.Meta[i].Value
	}
	o := im.Repo.overrides[im]
	i, _ = slices.BinarySearchFunc(o, key, byKey)
	return o[i].Value
}

// Full is a repository's whole record as the snapshot holds it, loaded
// by [Catalog.Load] for the pages of that repository.
type Full struct {
	Repo *snapshot.Repository
}

// Image is the snapshot's record of ip, an image of the repository.
func (f *Full) Image(ip *Image) *snapshot.Image { return &f.Repo.Images[ip.at] }

// New builds the catalog of an in-memory snapshot, as [Read] does.
func New(snap *snapshot.Snapshot, cfg Config) *Catalog {
	c, err := Read(context.Background(), snap, cfg)
	if err != nil {
		// A *Snapshot hands out its repositories and never fails.
		panic(fmt.Sprintf("catalog of an in-memory snapshot: %v", err))
	}
	return c
}

// Read builds the catalog of src, reading each repository once, a few
// at a time, and keeping only its compact record. It logs and leaves out
// the repositories, tags and digests that are invalid or would collide.
// It fails when a repository cannot be read or ctx is done.
func Read(ctx context.Context, src snapshot.Source, cfg Config) (*Catalog, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	idx := src.Head()
	c := &Catalog{Index: idx, Prefer: cmp.Or(cfg.Prefer, snapshot.PreferredTag), src: src}
	c.Failures = len(idx.Failures) + len(idx.Skipped)
	repos, err := c.readRepos(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, rr := range repos {
		if rr.repo == nil {
			c.Skipped++
			continue
		}
		rp := rr.repo
		if seen[rp.Name] {
			log.Warn("skipping repository that appears twice", "repo", rp.Name)
			c.Skipped++
			continue
		}
		seen[rp.Name] = true
		c.Repos = append(c.Repos, rp)
		c.Skipped += rr.skipped
		c.Failures += len(rp.Failures) + len(rp.Skipped)
	}
	slices.SortFunc(c.Repos, func(a, b *Repo) int { return cmp.Compare(a.Name, b.Name) })
	for _, rp := range c.Repos {
		c.Images = append(c.Images, rp.Images...)
	}
	linkLineage(c.Images)
	c.Labels = labelIndex(c.Images)
	c.addHistory(cfg.History)
	return c, nil
}

// readRepo is the outcome of reading one repository: its record (nil
// when its name is invalid) and the names left out of it.
type readRepo struct {
	repo    *Repo
	skipped int
}

// readRepos reads every repository of the source, GOMAXPROCS at a time,
// into the compact records of its images; cfg.Visit sees each full
// record.
func (c *Catalog) readRepos(ctx context.Context, cfg Config, log *slog.Logger) ([]readRepo, error) {
	out := make([]readRepo, c.src.Len())
	in := newInterner()
	next := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(out)) {
		wg.Go(func() {
			for i := range next {
				r, err := c.src.Repository(ctx, i)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				out[i] = c.readRepo(i, r, cfg, in, log)
			}
		})
	}
	for i := range out {
		if ctx.Err() != nil || len(errs) > 0 {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	return out, ctx.Err()
}

// readRepo builds the compact record of repository i, r.
func (c *Catalog) readRepo(i int, r *snapshot.Repository, cfg Config, in *interner, log *slog.Logger) readRepo {
	if err := snapshot.ValidateRepoName(r.Name); err != nil {
		// The handler quotes control and formatting characters.
		log.Warn("skipping repository", "repo", snapshot.Truncate(r.Name, 300), "err", err)
		return readRepo{}
	}
	rp := &Repo{Name: r.Name, at: i, Failures: r.Failures, Skipped: r.Skipped, Truncated: r.Truncated, values: stringSet{}}
	skipped := addImages(rp, r, in, log)
	rp.values = nil
	rp.Lost = lostTags(rp, r)
	c.setDefault(rp, r)
	if cfg.Visit != nil {
		cfg.Visit(rp, &Full{Repo: r})
	}
	return readRepo{repo: rp, skipped: skipped}
}

// Load reads the whole record of rp from the snapshot the catalog was
// read from. It fails when the snapshot cannot be read, or no longer
// holds what the catalog read.
func (c *Catalog) Load(ctx context.Context, rp *Repo) (*Full, error) {
	r, err := c.src.Repository(ctx, rp.at)
	if err != nil {
		return nil, err
	}
	ok := r.Name == rp.Name
	for _, ip := range rp.Images {
		ok = ok && ip.at < len(r.Images) && r.Images[ip.at].Digest == ip.Digest
	}
	if !ok {
		return nil, fmt.Errorf("repository %s: %w", rp.Name, ErrChanged)
	}
	return &Full{Repo: r}, nil
}

// ErrChanged is wrapped by the error of [Catalog.Load] when the snapshot
// changed after the catalog was read.
var ErrChanged = errors.New("the snapshot changed while it was rendered")

// addImages adds the images of r to rp, with their tags, and returns the
// number of names left out.
func addImages(rp *Repo, r *snapshot.Repository, in *interner, log *slog.Logger) int {
	skipped := 0
	byDigest := map[string]*Image{}
	for i := range r.Images {
		im := &r.Images[i]
		if err := snapshot.ValidateDigest(im.Digest); err != nil {
			log.Warn("skipping image", "repo", rp.Name, "err", err)
			skipped++
			continue
		}
		if byDigest[im.Digest] != nil {
			log.Warn("skipping image that appears twice", "repo", rp.Name, "digest", im.Digest)
			skipped++
			continue
		}
		ip := compact(rp, im, i, in)
		byDigest[im.Digest] = ip
		rp.Images = append(rp.Images, ip)
	}
	// Image.Tags repeats Repository.Tags; take both in case a snapshot
	// was built by hand, and only the latter's invalid ones count as
	// skipped. Each image's list is allocated at its size: the catalog
	// keeps it.
	for _, ip := range rp.Images {
		tags := make([]string, 0, len(r.Images[ip.at].Tags))
		for _, t := range r.Images[ip.at].Tags {
			if snapshot.ValidateTag(t) == nil {
				tags = append(tags, t)
			}
		}
		slices.Sort(tags)
		ip.Tags = slices.Compact(tags)
	}
	for _, t := range r.Tags {
		if err := snapshot.ValidateTag(t.Name); err != nil {
			log.Warn("skipping tag", "repo", rp.Name, "err", err)
			skipped++
			continue
		}
		if ip := byDigest[t.Digest]; ip != nil {
			if i, found := slices.BinarySearch(ip.Tags, t.Name); !found {
				ip.Tags = slices.Insert(ip.Tags, i, t.Name)
			}
		}
	}
	for _, ip := range rp.Images {
		rp.Tags += len(ip.Tags)
	}
	slices.SortFunc(rp.Images, compareNewest)
	return skipped
}

// compareNewest is snapshot.CompareNewest of compact records.
func compareNewest(a, b *Image) int {
	return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.Digest, b.Digest))
}

// compact is the compact record of im, image i of rp's snapshot record.
// Strings that many images share (platform names, layer digests, keys)
// are interned.
func compact(rp *Repo, im *snapshot.Image, i int, in *interner) *Image {
	ip := &Image{Repo: rp, at: i, Digest: im.Digest, Kind: im.Kind, Created: im.Created, Size: im.Size, Meta: Metadata(im)}
	ip.Platforms = make([]Platform, len(im.Platforms))
	for k, p := range im.Platforms {
		d := p.Digest
		if d == im.Digest {
			d = ip.Digest
		}
		name := p.OS + "/" + p.Architecture
		if p.Variant != "" {
			name += "/" + p.Variant
		}
		ip.Platforms[k] = Platform{Name: in.intern(name), Digest: d, Size: p.Size, Created: p.Config.Created,
			DiffIDs: in.all(p.Config.DiffIDs), Layers: in.layerDigests(p.Layers)}
	}
	var over []Entry
	for k, e := range ip.Meta {
		ip.Meta[k].Key, ip.Meta[k].Source = in.intern(e.Key), in.intern(e.Source)
		ip.Meta[k].Value = rp.values.get(e.Value)
		if k > 0 && e.Key == ip.Meta[k-1].Key && (len(over) == 0 || over[len(over)-1].Key != e.Key) {
			over = append(over, Entry{Key: ip.Meta[k].Key, Value: im.Label(e.Key)})
		}
	}
	if over != nil {
		if rp.overrides == nil {
			rp.overrides = map[*Image][]Entry{}
		}
		rp.overrides[ip] = over
	}
	return ip
}

// stringSet is a set of strings, so that equal ones are kept once.
type stringSet map[string]string

// get returns the string of the set equal to s, adding s when there is
// none.
func (set stringSet) get(s string) string {
	if v, ok := set[s]; ok {
		return v
	}
	set[s] = s
	return s
}

// interner keeps one copy of each string many images share (layer
// digests of common bases, platform names, keys) while a catalog is
// read; the records keep the copies, and the table goes with the read.
// It is safe for concurrent use.
type interner struct {
	mu   sync.Mutex
	strs stringSet
}

func newInterner() *interner { return &interner{strs: stringSet{}} }

func (in *interner) intern(s string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.strs.get(s)
}

func (in *interner) all(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = in.intern(s)
	}
	return out
}

func (in *interner) layerDigests(ls []snapshot.Layer) []string {
	if len(ls) == 0 {
		return nil
	}
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = in.intern(l.Digest)
	}
	return out
}

// lostTags are the valid tags r lists, or records a failure for, that
// point at none of rp's images, sorted.
func lostTags(rp *Repo, r *snapshot.Repository) []string {
	found := map[string]bool{}
	for _, ip := range rp.Images {
		for _, t := range ip.Tags {
			found[t] = true
		}
	}
	var out []string
	add := func(tag string) {
		if !found[tag] && snapshot.ValidateTag(tag) == nil {
			found[tag] = true
			out = append(out, tag)
		}
	}
	for _, t := range r.Tags {
		add(t.Name)
	}
	for _, f := range r.Failures {
		if f.Tag != "" && (f.Repo == "" || f.Repo == rp.Name) {
			add(f.Tag)
		}
	}
	slices.Sort(out)
	return out
}

// setDefault finds the repository's default image and its summary.
func (c *Catalog) setDefault(rp *Repo, r *snapshot.Repository) {
	var newest, def *snapshot.Image
	i, tag := snapshot.DefaultImage(rp.Images, func(im *Image) []string { return im.Tags }, c.Prefer)
	if i >= 0 {
		rp.Default, rp.DefaultTag = rp.Images[i], tag
		newest, def = &r.Images[rp.Images[0].at], &r.Images[rp.Default.at]
	}
	// The name passed ValidateRepoName, so SummaryOf cannot fail.
	rp.Summary, _ = snapshot.SummaryOf(r, newest, def, tag)
}
