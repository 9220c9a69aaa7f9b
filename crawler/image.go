package crawler

import (
	"cmp"
	"context"
	"log/slog"
	"slices"

	"github.com/regcat/regcat/snapshot"
)

// buildImage turns the top-level manifest m with digest d into an image
// record (without tags), fetching platform manifests and configs through
// sess.
func (c *crawl) buildImage(ctx context.Context, sess *session, d string, m *manifest) (*snapshot.Image, error) {
	im := &snapshot.Image{
		Digest:      d,
		MediaType:   m.mediaType,
		Kind:        m.kind,
		Tags:        []string{},
		Annotations: m.doc.Annotations,
	}
	if m.doc.Subject != nil {
		im.Subject = m.doc.Subject.Digest
	}
	switch m.kind {
	case snapshot.KindImage:
		p, err := c.platform(ctx, sess, d, m, nil)
		if err != nil {
			return nil, err
		}
		im.Platforms = []snapshot.Platform{*p}
	case snapshot.KindSchema1:
		p, err := parseSchema1(m)
		if err != nil {
			return nil, &fetchError{op: "manifest", digest: d, err: err}
		}
		p.Digest = d
		im.Platforms = []snapshot.Platform{*p}
	case snapshot.KindArtifact:
		im.ArtifactType = cmp.Or(m.doc.ArtifactType, m.doc.Config.MediaType)
		var size int64
		im.Layers, size = layers(m.doc.Layers)
		im.Size = addSize(size, m.doc.Config.Size)
		return im, nil
	case snapshot.KindIndex:
		if err := c.indexChildren(ctx, sess, m, im); err != nil {
			return nil, err
		}
	}
	for _, p := range im.Platforms {
		im.Size = addSize(im.Size, p.Size)
		if p.Config.Created.After(im.Created) {
			im.Created = p.Config.Created
		}
	}
	return im, nil
}

// indexChildren sorts the entries of index m into platforms (image
// manifests, fetched with their configs) and attestations: buildx
// attestation manifests, entries whose artifactType is not an image config
// media type (image-spec 1.1 lets an index repeat an image's config media
// type there), nested indexes and
// unknown media types are kept as their descriptors without a fetch; an
// image manifest entry that turns out to be an artifact joins them.
func (c *crawl) indexChildren(ctx context.Context, sess *session, m *manifest, im *snapshot.Image) error {
	for i := range m.doc.Manifests {
		desc := &m.doc.Manifests[i]
		if isAttestation(desc) {
			a := toDescriptor(desc)
			a.PredicateTypes = c.attestationPredicates(ctx, sess, desc)
			im.Attestations = append(im.Attestations, a)
			continue
		}
		if !isImageManifest(desc.MediaType) || (desc.ArtifactType != "" && !isImageConfig(desc.ArtifactType)) {
			im.Attestations = append(im.Attestations, toDescriptor(desc))
			continue
		}
		child, err := c.manifest(ctx, sess, desc)
		if err != nil {
			return err
		}
		if child.kind != snapshot.KindImage {
			d := toDescriptor(desc)
			if d.ArtifactType == "" && child.doc.Config != nil {
				d.ArtifactType = cmp.Or(child.doc.ArtifactType, child.doc.Config.MediaType)
			}
			im.Attestations = append(im.Attestations, d)
			continue
		}
		p, err := c.platform(ctx, sess, desc.Digest, child, desc.Platform)
		if err != nil {
			return err
		}
		im.Platforms = append(im.Platforms, *p)
	}
	return nil
}

// platform builds the platform record of image manifest m (digest d),
// fetching its config. The platform comes from the index entry when it
// names one, else from the config.
func (c *crawl) platform(ctx context.Context, sess *session, d string, m *manifest, pd *platformDoc) (*snapshot.Platform, error) {
	cfg, err := c.config(ctx, sess, m.doc.Config)
	if err != nil {
		return nil, err
	}
	p := cfg.platform
	if pd != nil && pd.OS != "" {
		p = snapshot.Platform{OS: pd.OS, Architecture: pd.Architecture, Variant: pd.Variant, OSVersion: pd.OSVersion}
	}
	p.Digest, p.MediaType, p.Annotations = d, m.mediaType, m.doc.Annotations
	p.Config = cfg.config
	var size int64
	p.Layers, size = layers(m.doc.Layers)
	p.Size = addSize(size, m.doc.Config.Size)
	return &p, nil
}

// assemble builds the repository record from the worker results: tags that
// resolved, one image per digest with its tags, and failures.
func (r *repoState) assemble() snapshot.Repository {
	repo := snapshot.Repository{
		Name:     r.name,
		Tags:     []snapshot.Tag{},
		Images:   []snapshot.Image{},
		Failures: slices.Clone(r.failures),
		Skipped:  r.skipped,
		// Truncated says the tags are the first of a longer list.
		Truncated:    r.truncated,
		ReferrerTags: r.referrerTags,
	}
	byDigest := map[string]int{}
	for i, res := range r.results {
		if res.failure != nil {
			repo.Failures = append(repo.Failures, *res.failure)
			continue
		}
		if res.image == nil {
			continue // not reached: the crawl was cancelled
		}
		d := res.image.Digest
		repo.Tags = append(repo.Tags, snapshot.Tag{Name: r.tags[i], Digest: d})
		j, ok := byDigest[d]
		if !ok {
			// Image records are shared between repositories and with the
			// previous snapshot: copy what normalisation sorts in place.
			im := *res.image
			im.Tags = nil
			im.Platforms = slices.Clone(im.Platforms)
			im.Attestations = slices.Clone(im.Attestations)
			// Referrers are this repository's, found by this crawl.
			im.Referrers = slices.Clone(r.referrers[d])
			im.ReferrersTruncated = r.refTrunc[d]
			j = len(repo.Images)
			byDigest[d] = j
			repo.Images = append(repo.Images, im)
		}
		repo.Images[j].Tags = append(repo.Images[j].Tags, r.tags[i])
	}
	return repo
}

// release drops what the repository's record was assembled from, keeping
// what authRejected looks at: the crawl holds a repoState for every
// repository until it ends.
func (r *repoState) release() {
	r.tags, r.results, r.refTags, r.refs = nil, nil, nil, nil
	r.referrers, r.refTrunc, r.referrerTags = nil, nil, nil
	r.skipped, r.truncated, r.sess, r.prev = nil, nil, nil, nil
}

// previous is the snapshot of an earlier crawl, read one repository at
// a time: a repository's previous record is read when its crawl starts
// (see prevRepo), so that the crawl holds the previous records of the
// repositories it is working on, not the whole previous snapshot.
type previous struct {
	src    snapshot.Source
	names  []string       // of src's repositories, in its order
	byName map[string]int // name → position in src
	log    *slog.Logger
}

// indexPrevious returns the previous snapshot src, or nil when src is
// nil, of another registry, or its repositories' names cannot be read
// (logged: the crawl is then full).
func indexPrevious(ctx context.Context, src snapshot.Source, registry string, log *slog.Logger) *previous {
	if src == nil {
		return nil
	}
	if r := src.Head().Registry; r != registry {
		log.Warn("previous snapshot is of another registry; crawling in full", "previous", r, "registry", registry)
		return nil
	}
	names, err := snapshot.Names(ctx, src)
	if err != nil {
		log.Warn("previous snapshot unreadable; crawling in full", "error", err)
		return nil
	}
	p := &previous{src: src, names: names, byName: make(map[string]int, len(names)), log: log}
	for i, n := range names {
		p.byName[n] = i
	}
	return p
}

// repo returns the index of the previous record of repository name, or
// nil when there is none or it cannot be read (logged: the repository
// is then crawled in full).
func (p *previous) repo(ctx context.Context, name string) *prevRepo {
	if p == nil {
		return nil
	}
	i, ok := p.byName[name]
	if !ok {
		return nil
	}
	r, err := p.src.Repository(ctx, i)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("previous repository unreadable; crawling it in full", "repo", name, "error", err)
		}
		return nil
	}
	return indexRepo(r)
}

// prevRepo indexes the previous record of one repository for reuse.
type prevRepo struct {
	tags      map[string]string             // tag → digest
	images    map[string]*snapshot.Image    // digest → record, tags cleared
	referrers map[string]*snapshot.Referrer // referrer digest → record
}

// indexRepo returns the index of r.
func indexRepo(r *snapshot.Repository) *prevRepo {
	p := &prevRepo{tags: make(map[string]string, len(r.Tags)), images: make(map[string]*snapshot.Image, len(r.Images)), referrers: map[string]*snapshot.Referrer{}}
	for _, t := range r.Tags {
		p.tags[t.Name] = t.Digest
	}
	for i := range r.Images {
		im := r.Images[i]
		for j := range im.Referrers {
			p.referrers[im.Referrers[j].Digest] = &im.Referrers[j]
		}
		if _, ok := p.images[im.Digest]; ok {
			continue
		}
		im.Tags = []string{}
		p.images[im.Digest] = &im
	}
	return p
}

// hasTag reports whether the previous crawl resolved tag.
func (p *prevRepo) hasTag(tag string) bool {
	if p == nil {
		return false
	}
	_, ok := p.tags[tag]
	return ok
}

// referrer returns the previous record of referrer digest d, or nil.
func (p *prevRepo) referrer(d string) *snapshot.Referrer {
	if p == nil {
		return nil
	}
	return p.referrers[d]
}

// image returns the previous record of digest d, or nil.
func (p *prevRepo) image(d string) *snapshot.Image {
	if p == nil || d == "" {
		return nil
	}
	return p.images[d]
}
