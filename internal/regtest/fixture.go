package regtest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Fixture is a set of repositories, tags and images to push to a registry,
// and the facts a test asserts against after crawling it. It is the same,
// byte for byte, on every run: layers are fixed tar files, times are fixed.
type Fixture struct {
	// Repos is sorted by name.
	Repos []Repo
	// Referrers are manifests with a subject pushed by digest after the
	// tags, in order; a registry without the referrers API gets the
	// referrers tag schema's fallback tags from the push (as
	// go-containerregistry writes them).
	Referrers []Referrer
}

// Referrer is a manifest with a subject, pushed by digest to Repo.
type Referrer struct {
	Repo string
	// Raw is the manifest and its blobs.
	Raw RawManifest
	// Digest is the manifest's digest.
	Digest v1.Hash
}

// Repo is one repository of a Fixture.
type Repo struct {
	// Name is the repository name, e.g. "team-a/tools/cli".
	Name string
	// Tags is sorted by name. Tags with equal Digest are aliases.
	Tags []Tag
}

// Tag is one tag of a Repo and what it points to: exactly one of Image,
// Index and Raw is set.
type Tag struct {
	// Name is the tag, e.g. "v1.10".
	Name string
	// Image is a single-platform image (Docker schema 2 or OCI manifest).
	Image v1.Image
	// Index is a multi-platform index (OCI index or Docker manifest list).
	Index v1.ImageIndex
	// Raw is a manifest pushed as bytes (schema1, OCI artifacts).
	Raw *RawManifest
	// Digest is the manifest's digest: the registry's Docker-Content-Digest.
	Digest v1.Hash
	// MediaType is the manifest's media type, as the registry serves it.
	MediaType types.MediaType
}

// RawManifest is a manifest pushed verbatim, after its blobs.
type RawManifest struct {
	// MediaType is sent as the Content-Type of the push.
	MediaType types.MediaType
	// Manifest is the exact manifest bytes.
	Manifest []byte
	// Blobs are uploaded before the manifest (config, layers).
	Blobs []v1.Layer
}

// Repo returns the repository called name.
func (f *Fixture) Repo(name string) (Repo, bool) {
	i, ok := slices.BinarySearchFunc(f.Repos, name, func(r Repo, n string) int { return strings.Compare(r.Name, n) })
	if !ok {
		return Repo{}, false
	}
	return f.Repos[i], true
}

// Tag returns tag of repository repo.
func (f *Fixture) Tag(repo, tag string) (Tag, bool) {
	r, ok := f.Repo(repo)
	if !ok {
		return Tag{}, false
	}
	i, ok := slices.BinarySearchFunc(r.Tags, tag, func(t Tag, n string) int { return strings.Compare(t.Name, n) })
	if !ok {
		return Tag{}, false
	}
	return r.Tags[i], true
}

// RepoNames returns the repository names, sorted.
func (f *Fixture) RepoNames() []string {
	names := make([]string, len(f.Repos))
	for i, r := range f.Repos {
		names[i] = r.Name
	}
	return names
}

// TagNames returns the tags of each repository, sorted, keyed by repository.
func (f *Fixture) TagNames() map[string][]string {
	m := make(map[string][]string, len(f.Repos))
	for _, r := range f.Repos {
		for _, t := range r.Tags {
			m[r.Name] = append(m[r.Name], t.Name)
		}
	}
	return m
}

// Aliases returns, for repository repo, the tags grouped by the digest they
// point to; each group is sorted.
func (f *Fixture) Aliases(repo string) map[v1.Hash][]string {
	r, _ := f.Repo(repo)
	m := make(map[v1.Hash][]string)
	for _, t := range r.Tags {
		m[t.Digest] = append(m[t.Digest], t.Name)
	}
	return m
}

// Stats are the sizes of a Fixture, for benchmarks that check their request
// counts.
type Stats struct {
	// Repos and Tags count repositories and tags (aliases included).
	Repos, Tags int
	// ReferrerTags counts the tags among Tags that are referrers tag schema
	// or cosign tags ("sha256-<hex>", with ".sig", ".att" or ".sbom"),
	// which a crawler does not treat as releases.
	ReferrerTags int
	// Manifests counts distinct manifest digests across all repositories,
	// index children (attestation manifests included) and raw manifests
	// included.
	Manifests int
	// Configs counts distinct config blob digests of image manifests
	// (index children included); artifact and schema1 manifests add none.
	Configs int
}

// Stats counts f's repositories, tags, distinct manifests and configs.
func (f *Fixture) Stats() (Stats, error) {
	s := Stats{Repos: len(f.Repos)}
	manifests := make(map[v1.Hash]bool)
	configs := make(map[v1.Hash]bool)
	addImage := func(img v1.Image) error {
		d, err := img.Digest()
		if err != nil {
			return err
		}
		c, err := img.ConfigName()
		if err != nil {
			return err
		}
		manifests[d], configs[c] = true, true
		return nil
	}
	for _, r := range f.Repos {
		s.Tags += len(r.Tags)
		for _, t := range r.Tags {
			manifests[t.Digest] = true
			if IsReferrerTag(t.Name) {
				s.ReferrerTags++
			}
			switch {
			case t.Image != nil:
				if err := addImage(t.Image); err != nil {
					return Stats{}, fmt.Errorf("stats of %s:%s: %w", r.Name, t.Name, err)
				}
			case t.Index != nil:
				im, err := t.Index.IndexManifest()
				if err != nil {
					return Stats{}, fmt.Errorf("stats of %s:%s: %w", r.Name, t.Name, err)
				}
				for _, d := range im.Manifests {
					img, err := t.Index.Image(d.Digest)
					if err != nil {
						return Stats{}, fmt.Errorf("stats of %s:%s: %w", r.Name, t.Name, err)
					}
					if err := addImage(img); err != nil {
						return Stats{}, fmt.Errorf("stats of %s:%s: %w", r.Name, t.Name, err)
					}
				}
			}
		}
	}
	s.Manifests, s.Configs = len(manifests), len(configs)
	return s, nil
}

// WithoutSchema1 returns a copy of f without the schema1 tags (and without
// repositories left empty), for registries that refuse schema1.
func (f *Fixture) WithoutSchema1() *Fixture {
	out := &Fixture{Referrers: f.Referrers}
	for _, r := range f.Repos {
		var tags []Tag
		for _, t := range r.Tags {
			if !t.MediaType.IsSchema1() {
				tags = append(tags, t)
			}
		}
		if len(tags) > 0 {
			out.Repos = append(out.Repos, Repo{Name: r.Name, Tags: tags})
		}
	}
	return out
}

// Push writes f to the registry at host ("127.0.0.1:PORT"; plain HTTP),
// with opts for auth and transport. Images and indexes go up in one
// remote.MultiWrite, so shared blobs are uploaded once per repository.
func (f *Fixture) Push(ctx context.Context, host string, opts ...remote.Option) (err error) {
	opts = append(slices.Clone(opts), remote.WithContext(ctx))
	todo := make(map[name.Reference]remote.Taggable)
	for _, r := range f.Repos {
		for _, t := range r.Tags {
			ref, err := name.NewTag(host+"/"+r.Name+":"+t.Name, name.Insecure)
			if err != nil {
				return fmt.Errorf("fixture tag %s:%s: %w", r.Name, t.Name, err)
			}
			switch {
			case t.Image != nil:
				todo[ref] = t.Image
			case t.Index != nil:
				todo[ref] = t.Index
			}
		}
	}
	if len(todo) > 0 {
		if err := remote.MultiWrite(todo, append(opts, remote.WithJobs(8))...); err != nil {
			return fmt.Errorf("push fixture images: %w", err)
		}
	}
	// Raw indexes go last: a registry checks that their children exist.
	defer func() {
		if err == nil {
			err = f.pushReferrers(ctx, host, opts)
		}
	}()
	for _, indexes := range []bool{false, true} {
		for _, r := range f.Repos {
			for _, t := range r.Tags {
				if t.Raw == nil || t.MediaType.IsIndex() != indexes {
					continue
				}
				if err := pushRaw(host, r.Name, t, opts); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// pushReferrers pushes the referrers one by one: go-containerregistry's
// update of a fallback tag reads and rewrites it, so concurrent pushes
// would lose entries.
func (f *Fixture) pushReferrers(ctx context.Context, host string, opts []remote.Option) error {
	for _, r := range f.Referrers {
		ref, err := name.NewDigest(host+"/"+r.Repo+"@"+r.Digest.String(), name.Insecure)
		if err != nil {
			return fmt.Errorf("fixture referrer %s@%s: %w", r.Repo, r.Digest, err)
		}
		for _, b := range r.Raw.Blobs {
			if err := remote.WriteLayer(ref.Context(), b, opts...); err != nil {
				return fmt.Errorf("push blob for %s@%s: %w", r.Repo, r.Digest, err)
			}
		}
		if err := remote.Put(ref, rawTaggable{&r.Raw}, opts...); err != nil {
			return fmt.Errorf("push referrer %s@%s: %w", r.Repo, r.Digest, err)
		}
	}
	return ctx.Err()
}

// IsReferrerTag reports whether tag is a referrers tag schema tag
// ("sha256-" and 64 lower-case hex digits) or one of cosign's (the same
// with ".sig", ".att" or ".sbom").
func IsReferrerTag(tag string) bool {
	rest, ok := strings.CutPrefix(tag, "sha256-")
	if !ok || len(rest) < 64 {
		return false
	}
	for _, c := range rest[:64] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	switch rest[64:] {
	case "", ".sig", ".att", ".sbom":
		return true
	}
	return false
}

func pushRaw(host, repo string, t Tag, opts []remote.Option) error {
	ref, err := name.NewTag(host+"/"+repo+":"+t.Name, name.Insecure)
	if err != nil {
		return fmt.Errorf("fixture tag %s:%s: %w", repo, t.Name, err)
	}
	for _, b := range t.Raw.Blobs {
		if err := remote.WriteLayer(ref.Context(), b, opts...); err != nil {
			return fmt.Errorf("push blob for %s:%s: %w", repo, t.Name, err)
		}
	}
	if err := remote.Put(ref, rawTaggable{t.Raw}, opts...); err != nil {
		return fmt.Errorf("push manifest %s:%s: %w", repo, t.Name, err)
	}
	return nil
}

// rawTaggable gives remote.Put the raw manifest's media type.
type rawTaggable struct{ m *RawManifest }

func (r rawTaggable) RawManifest() ([]byte, error)        { return r.m.Manifest, nil }
func (r rawTaggable) MediaType() (types.MediaType, error) { return r.m.MediaType, nil }

func sortTags(tags []Tag) {
	slices.SortFunc(tags, func(a, b Tag) int { return strings.Compare(a.Name, b.Name) })
}
