package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// FetchOptions says what [FetchImage] fetches besides the top-level
// manifest.
type FetchOptions struct {
	// Choose picks the platform of an index from its image entries (OS,
	// Architecture, Variant, OSVersion and Digest set, in index order) and
	// returns its position, or -1 when none fits. nil picks the first.
	Choose func([]snapshot.Platform) int
	// ManifestOnly stops after the top-level manifest: no platform
	// manifest, no config (for printing the manifest as served).
	ManifestOnly bool
	// Tags also lists the repository's tags (capped by Config.MaxTags).
	Tags bool
}

// Fetched is one image read live by [FetchImage].
type Fetched struct {
	// Registry is the registry host; Repo the repository.
	Registry, Repo string
	// Image is the top-level manifest's record, as [Crawl] builds it,
	// without tags. For an index, Platforms holds the chosen platform only
	// (none with FetchOptions.ManifestOnly).
	Image snapshot.Image
	// Candidates are the image entries of an index, in index order, with
	// their platform fields and digests only; nil for a single image.
	Candidates []snapshot.Platform
	// Manifest is the top-level manifest as served; Config is the chosen
	// platform's config blob as served (nil for schema 1, artifacts and
	// with ManifestOnly). Both were checked against their digests.
	Manifest, Config []byte
	// Tags are the repository's tags in byte order, with FetchOptions.Tags.
	Tags []string
	// TagsTruncated is set when the tag list stopped at Config.MaxTags.
	TagsTruncated *snapshot.Truncation
}

// ErrNoPlatform is wrapped by the error of [FetchImage] for an index
// without a platform that FetchOptions.Choose accepts.
var ErrNoPlatform = errors.New("no matching platform in the index")

// FetchImage reads one image of cfg.Registry live: the manifest of
// repo at reference (a tag or a digest), and for an index the platform
// that opts.Choose picks, with its config. It uses the crawl's
// authentication, retries, caps and digest checks (cfg's Repos, Include,
// Exclude and Previous do not apply). A single-platform image costs the
// registry's authentication handshake (one ping; with bearer tokens also
// one token request), the manifest and the config; an index one more
// request, for the platform manifest; opts.Tags adds the tag list pages.
// Stats counts them.
func FetchImage(ctx context.Context, cfg Config, repo, reference string, opts FetchOptions) (*Fetched, Stats, error) {
	c := newCrawl(cfg)
	f, err := c.fetchImage(ctx, repo, reference, opts)
	return f, c.stats(), err
}

func newCrawl(cfg Config) *crawl {
	return &crawl{
		cfg:       &cfg,
		log:       cfg.logger(),
		counts:    &counters{},
		start:     time.Now(),
		manifests: newFlight[*manifest](cacheLimit),
		configs:   newFlight[*imageConfig](cacheLimit),
		images:    newFlight[*snapshot.Image](cacheLimit),
		api:       newReferrersAPI(),
	}
}

func (c *crawl) fetchImage(ctx context.Context, repo, reference string, opts FetchOptions) (*Fetched, error) {
	if err := snapshot.ValidateRepoName(repo); err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	byDigest := snapshot.ValidateDigest(reference) == nil
	if !byDigest {
		if err := snapshot.ValidateTag(reference); err != nil {
			return nil, fmt.Errorf("reference: %w", err)
		}
	}
	host, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	c.keepConfig = !opts.ManifestOnly
	sess, err := c.cl.session(ctx, repo)
	if err != nil {
		return nil, fatalAuth(repo, err)
	}
	f := &Fetched{Registry: host, Repo: repo}
	c.counts.manifestGets.Add(1)
	resp, err := sess.do(ctx, http.MethodGet, sess.url("/v2/"+repo+"/manifests/"+reference), manifestAccept, MaxManifest)
	if err != nil {
		return nil, fatalAuth("manifest of "+repo+":"+reference, err)
	}
	want := resp.header.Get("Docker-Content-Digest")
	if byDigest {
		want = reference
	}
	d, err := manifestDigest(want, resp.body)
	if err != nil {
		return nil, fmt.Errorf("manifest of %s:%s: %w", repo, reference, err)
	}
	m, err := parseManifest(resp.header.Get("Content-Type"), resp.body)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", d, err)
	}
	f.Manifest = resp.body
	if err := c.fetchedImage(ctx, sess, f, d, m, opts); err != nil {
		return nil, err
	}
	if opts.Tags {
		l, err := sess.list(ctx, "/v2/"+repo+"/tags/list", c.cfg.maxTags(), decodeTags)
		if err != nil {
			return nil, fmt.Errorf("tags of %s: %w", repo, err)
		}
		f.Tags, f.TagsTruncated = l.names, l.truncated
		slices.Sort(f.Tags)
	}
	return f, nil
}

// fetchedImage fills f.Image (and for an index f.Candidates) from the
// top-level manifest m with digest d.
func (c *crawl) fetchedImage(ctx context.Context, sess *session, f *Fetched, d string, m *manifest, opts FetchOptions) error {
	if m.kind != snapshot.KindIndex {
		if opts.ManifestOnly {
			f.Image = snapshot.Image{Digest: d, MediaType: m.mediaType, Kind: m.kind, Tags: []string{}, Annotations: m.doc.Annotations}
			return nil
		}
		im, err := c.buildImage(ctx, sess, d, m)
		if err != nil {
			return err
		}
		f.Image = *im
		if m.kind == snapshot.KindImage {
			f.Config = c.rawConfig
		}
		return nil
	}
	f.Image = snapshot.Image{Digest: d, MediaType: m.mediaType, Kind: m.kind, Tags: []string{}, Annotations: m.doc.Annotations}
	var entries []*descriptor
	for i := range m.doc.Manifests {
		desc := &m.doc.Manifests[i]
		if isAttestation(desc) || !isImageManifest(desc.MediaType) || (desc.ArtifactType != "" && !isImageConfig(desc.ArtifactType)) {
			continue
		}
		p := snapshot.Platform{Digest: desc.Digest, MediaType: desc.MediaType}
		if pd := desc.Platform; pd != nil {
			p.OS, p.Architecture, p.Variant, p.OSVersion = pd.OS, pd.Architecture, pd.Variant, pd.OSVersion
		}
		f.Candidates = append(f.Candidates, p)
		entries = append(entries, desc)
	}
	if opts.ManifestOnly {
		return nil
	}
	i := 0
	if opts.Choose != nil {
		i = opts.Choose(f.Candidates)
	}
	if i < 0 || i >= len(entries) {
		return fmt.Errorf("index %s: %w", d, ErrNoPlatform)
	}
	desc := entries[i]
	child, err := c.manifest(ctx, sess, desc)
	if err != nil {
		return err
	}
	if child.kind != snapshot.KindImage {
		return fmt.Errorf("index %s: entry %s is not an image manifest", d, desc.Digest)
	}
	p, err := c.platform(ctx, sess, desc.Digest, child, desc.Platform)
	if err != nil {
		return err
	}
	f.Image.Platforms = []snapshot.Platform{*p}
	f.Image.Size = p.Size
	f.Image.Created = p.Config.Created
	f.Config = c.rawConfig
	return nil
}
