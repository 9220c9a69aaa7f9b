package inspect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/snapshot"
)

// Options says what to describe besides the image.
type Options struct {
	// Platform is the platform chosen from an index; the zero value means
	// DefaultPlatform.
	Platform Platform
	// Tags fills RepoTags with the repository's tags (one tag list more
	// live).
	Tags bool
	// ManifestOnly fetches the top-level manifest only (live): Result
	// holds its bytes and an Output without config fields.
	ManifestOnly bool
}

func (o Options) platform() Platform {
	if o.Platform == (Platform{}) {
		return DefaultPlatform
	}
	return o.Platform
}

// Result is an image described live.
type Result struct {
	Output Output
	// Manifest is the top-level manifest as served; Config the described
	// platform's config blob as served (nil when there is none).
	Manifest, Config []byte
}

// ErrNotInSnapshot is wrapped by the error of [FromSnapshot] for an image
// the snapshot does not hold.
var ErrNotInSnapshot = errors.New("not in the snapshot")

// Live describes ref read from its registry with cfg's authentication,
// retries and caps (cfg.Registry is replaced by ref.Registry, which must
// be set). The Stats count the requests.
func Live(ctx context.Context, cfg crawler.Config, ref Ref, opts Options) (*Result, crawler.Stats, error) {
	if ref.Registry == "" {
		return nil, crawler.Stats{}, fmt.Errorf("image %s: no registry (write REGISTRY/REPO)", ref)
	}
	cfg.Registry = ref.Registry
	want := opts.platform()
	f, st, err := crawler.FetchImage(ctx, cfg, ref.Repo, ref.Reference(), crawler.FetchOptions{
		Choose: Choose(want), ManifestOnly: opts.ManifestOnly, Tags: opts.Tags,
	})
	if errors.Is(err, crawler.ErrNoPlatform) {
		err = fmt.Errorf("%w (want %s)", err, want)
	}
	if err != nil {
		return nil, st, err
	}
	if f.Image.Kind == snapshot.KindArtifact && !opts.ManifestOnly {
		return nil, st, fmt.Errorf("%s: %w: an artifact of type %s", ref, ErrNotImage, f.Image.ArtifactType)
	}
	var p *snapshot.Platform
	if len(f.Image.Platforms) > 0 {
		p = &f.Image.Platforms[0]
	}
	tags := f.Tags
	if opts.Tags && tags == nil {
		tags = []string{}
	}
	return &Result{Output: Describe(f.Registry, f.Repo, &f.Image, p, f.Candidates, tags), Manifest: f.Manifest, Config: f.Config}, st, nil
}

// FromSnapshot describes ref from the snapshot in dir, reading its index
// and the one repository file, and no network. dir may also be the
// snapshot directory of `build --config`, whose subdirectories are the
// snapshots of several registries: the one of ref.Registry is read (or
// the only one, when ref names no registry). A ref.Registry other than
// the snapshot's is an error, as is an image the snapshot lacks
// (wrapping [ErrNotInSnapshot]).
func FromSnapshot(dir string, ref Ref, opts Options) (*Output, error) {
	dir, err := snapshotFor(dir, ref.Registry)
	if err != nil {
		return nil, err
	}
	idx, repo, err := snapshot.ReadRepo(dir, ref.Repo)
	if errors.Is(err, snapshot.ErrNoRepository) {
		return nil, fmt.Errorf("%s: %w %s (crawled %s): no repository %s", ref, ErrNotInSnapshot, dir, crawled(idx), ref.Repo)
	}
	if err != nil {
		return nil, err
	}
	if ref.Registry != "" && ref.Registry != idx.Registry {
		return nil, fmt.Errorf("%s: %w %s: it is a snapshot of %s", ref, ErrNotInSnapshot, dir, idx.Registry)
	}
	im, err := findImage(repo, ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w %s (crawled %s): %w", ref, ErrNotInSnapshot, dir, crawled(idx), err)
	}
	if im.Kind == snapshot.KindArtifact {
		return nil, fmt.Errorf("%s: %w: an artifact of type %s", ref, ErrNotImage, im.ArtifactType)
	}
	var p *snapshot.Platform
	switch {
	case im.Kind == snapshot.KindIndex:
		want := opts.platform()
		i := Choose(want)(im.Platforms)
		if i < 0 {
			return nil, fmt.Errorf("%s: index %s: %w (want %s)", ref, im.Digest, crawler.ErrNoPlatform, want)
		}
		p = &im.Platforms[i]
	case len(im.Platforms) > 0:
		p = &im.Platforms[0]
	}
	var tags []string
	if opts.Tags {
		// Every tag, as the registry lists them: the snapshot keeps
		// referrers tags (signatures, SBOMs) apart from the releases.
		tags = make([]string, 0, len(repo.Tags)+len(repo.ReferrerTags))
		for _, t := range repo.Tags {
			tags = append(tags, t.Name)
		}
		for _, t := range repo.ReferrerTags {
			tags = append(tags, t.Name)
		}
		slices.Sort(tags)
	}
	o := Describe(idx.Registry, repo.Name, im, p, im.Platforms, tags)
	return &o, nil
}

// findImage returns the image of repo that ref names.
func findImage(repo *snapshot.Repository, ref Ref) (*snapshot.Image, error) {
	d := ref.Digest
	if d == "" {
		for _, t := range repo.Tags {
			if t.Name == ref.Tag {
				d = t.Digest
			}
		}
		if d == "" {
			return nil, fmt.Errorf("no tag %s in %s (%d tags)", ref.Tag, repo.Name, len(repo.Tags))
		}
	}
	for i := range repo.Images {
		if repo.Images[i].Digest == d {
			return &repo.Images[i], nil
		}
	}
	return nil, fmt.Errorf("no image %s in %s", d, repo.Name)
}

func crawled(idx *snapshot.Index) string {
	if idx == nil || idx.CrawledAt.IsZero() {
		return "at an unknown time"
	}
	return idx.CrawledAt.UTC().Format("2006-01-02T15:04:05Z")
}

// snapshotFor returns dir when it holds a snapshot, else the
// subdirectory of dir holding the snapshot of registry (any registry when
// "" and there is only one).
func snapshotFor(dir, registry string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, snapshot.IndexFile)); err == nil {
		return dir, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	var found []string
	var hosts []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		idx, err := readIndex(sub)
		if err != nil {
			continue // not a snapshot
		}
		hosts = append(hosts, idx.Registry)
		if registry == "" || idx.Registry == registry {
			found = append(found, sub)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(hosts) == 0:
		return "", fmt.Errorf("snapshot %s: no %s, and no snapshot in its subdirectories", dir, snapshot.IndexFile)
	case len(found) == 0:
		return "", fmt.Errorf("%w %s: no snapshot of %s (it holds %s)", ErrNotInSnapshot, dir, registry, strings.Join(hosts, ", "))
	}
	return "", fmt.Errorf("snapshot %s holds several registries (%s): name one, REGISTRY/REPO", dir, strings.Join(hosts, ", "))
}

// readIndex reads the index of the snapshot in dir.
func readIndex(dir string) (*snapshot.Index, error) {
	f, err := os.Open(filepath.Join(dir, snapshot.IndexFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return snapshot.DecodeIndex(f)
}
