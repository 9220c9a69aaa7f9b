package examples

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regcat/regcat/snapshot"
)

// Values the builder writes, as docker buildx does; the annotation keys
// are snapshot's.
const (
	provenanceType  = "https://slsa.dev/provenance/v0.2"
	inTotoMediaType = types.MediaType("application/vnd.in-toto+json")
)

// Artifact is one built image or image index of the catalog and the tags it
// is pushed under. Exactly one of Image and Index is set.
type Artifact struct {
	Repository string
	Tags       []string
	// Image is a single-platform image.
	Image v1.Image
	// Index is a multi-platform image: one manifest per platform, then
	// one attestation manifest per platform when the catalog asks for them.
	Index v1.ImageIndex
}

// Digest returns the digest the artifact's tags point at.
func (a Artifact) Digest() (v1.Hash, error) {
	if a.Index != nil {
		return a.Index.Digest()
	}
	return a.Image.Digest()
}

// built is an artifact already made, by "repository:tag", for images
// built on it.
type built struct {
	digest     v1.Hash
	byPlatform map[string]v1.Image
}

// builder builds a catalog's artifacts, sharing layers by name.
type builder struct {
	layers map[string]*layer
	byRef  map[string]*built
}

// Build makes every image of the catalog, in catalog order. The result is
// the same on every call: same digests, same bytes.
func (c *Catalog) Build() ([]Artifact, error) {
	b := &builder{layers: map[string]*layer{}, byRef: map[string]*built{}}
	var out []Artifact
	for _, r := range c.Repositories {
		for _, img := range r.Images {
			a, err := b.artifact(r, img)
			if err != nil {
				return nil, fmt.Errorf("%s:%s: %w", r.Name, img.Tags[0], err)
			}
			out = append(out, a)
		}
	}
	return out, nil
}

func (b *builder) artifact(r Repository, img Image) (Artifact, error) {
	s := r.spec(img)
	bt := &built{byPlatform: map[string]v1.Image{}}
	a := Artifact{Repository: r.Name, Tags: img.Tags}
	var adds []mutate.IndexAddendum
	for _, p := range s.Platforms {
		pl, err := v1.ParsePlatform(p)
		if err != nil {
			return Artifact{}, err
		}
		im, err := b.image(img, s, *pl)
		if err != nil {
			return Artifact{}, fmt.Errorf("%s: %w", p, err)
		}
		bt.byPlatform[p] = im
		a.Image = im
		adds = append(adds, mutate.IndexAddendum{Add: im, Descriptor: v1.Descriptor{Platform: pl}})
	}
	if len(s.Platforms) > 1 {
		if s.Attestations != nil && *s.Attestations {
			for i, p := range s.Platforms {
				att, err := attestation(r.Name, img, p, adds[i].Add.(v1.Image))
				if err != nil {
					return Artifact{}, fmt.Errorf("attestation of %s: %w", p, err)
				}
				adds = append(adds, att)
			}
		}
		mt := types.OCIImageIndex
		if s.Format == "docker" {
			mt = types.DockerManifestList
		}
		a.Image, a.Index = nil, mutate.AppendManifests(mutate.IndexMediaType(empty.Index, mt), adds...)
	}
	d, err := a.Digest()
	if err != nil {
		return Artifact{}, err
	}
	bt.digest = d
	for _, t := range img.Tags {
		b.byRef[r.Name+":"+t] = bt
	}
	return a, nil
}

// image builds img for one platform, on its base when it has one.
func (b *builder) image(img Image, s Spec, pl v1.Platform) (v1.Image, error) {
	manifestMT, configMT, layerMT := types.OCIManifestSchema1, types.OCIConfigJSON, types.OCILayer
	if s.Format == "docker" {
		manifestMT, configMT, layerMT = types.DockerManifestSchema2, types.DockerConfigJSON, types.DockerLayer
	}

	start := mutate.ConfigMediaType(mutate.MediaType(empty.Image, manifestMT), configMT)
	cfg := &v1.ConfigFile{RootFS: v1.RootFS{Type: "layers"}}
	ann := maps.Clone(s.Annotations)
	if s.Base != "" {
		base := b.byRef[s.Base]
		bi, ok := base.byPlatform[pl.String()]
		if !ok {
			return nil, fmt.Errorf("base %s has no platform %s", s.Base, pl.String())
		}
		bc, err := bi.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("base %s: %w", s.Base, err)
		}
		start, cfg = bi, bc.DeepCopy()
		if ann == nil {
			ann = map[string]string{}
		}
		// Host-free on purpose: the demo registry's port changes from run
		// to run, and the digests must not.
		ann[snapshot.KeyBaseName] = s.Base
		ann[snapshot.KeyBaseDigest] = base.digest.String()
	}

	cfg.Architecture, cfg.OS, cfg.Variant = pl.Architecture, pl.OS, pl.Variant
	cfg.Created = v1.Time{Time: img.Created.UTC()}
	cfg.Author = s.Author
	c := &cfg.Config
	c.Labels = merge(c.Labels, s.Labels)
	c.Env = mergeEnv(c.Env, s.Env)
	c.User = pick(s.User, c.User)
	c.WorkingDir = pick(s.WorkingDir, c.WorkingDir)
	if s.Entrypoint != nil {
		// As in a Dockerfile: a new ENTRYPOINT drops the inherited CMD.
		c.Entrypoint, c.Cmd = s.Entrypoint, nil
	}
	c.Cmd = pickSlice(s.Cmd, c.Cmd)
	for _, p := range s.ExposedPorts {
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		c.ExposedPorts[p] = struct{}{}
	}

	im, err := mutate.ConfigFile(start, cfg)
	if err != nil {
		return nil, err
	}
	var adds []mutate.Addendum
	for _, st := range s.Steps {
		h := v1.History{
			Created:    cfg.Created,
			CreatedBy:  strings.ReplaceAll(st.CreatedBy, "{arch}", pl.Architecture),
			EmptyLayer: st.Layer == "",
		}
		add := mutate.Addendum{History: h}
		if st.Layer != "" {
			l, err := b.layer(strings.ReplaceAll(st.Layer, "{arch}", pl.Architecture), pl.String(), st.Size, img, layerMT)
			if err != nil {
				return nil, err
			}
			add.Layer = l
		}
		adds = append(adds, add)
	}
	if im, err = mutate.Append(im, adds...); err != nil {
		return nil, err
	}
	if len(ann) > 0 {
		im = mutate.Annotations(im, ann).(v1.Image)
	}
	return im, nil
}

// layer returns the layer named id for platform, made once and then
// shared, so images that name the same layer share its blob.
func (b *builder) layer(id, platform string, size int64, img Image, mt types.MediaType) (*layer, error) {
	key := id + "|" + platform
	if l, ok := b.layers[key]; ok {
		// One blob may be listed under the OCI and the Docker media type,
		// as a registry sees when OCI and Docker builds share a base.
		same := *l
		same.mediaType = mt
		return &same, nil
	}
	l, err := newLayer(id, platform, size, img.Created, mt)
	if err != nil {
		return nil, err
	}
	b.layers[key] = l
	return l, nil
}

// attestation builds a buildx-style attestation manifest for the platform
// image im: an in-toto SLSA provenance statement as its only layer, an
// unknown/unknown platform, and the vnd.docker.reference annotations that
// tie it to im.
func attestation(repo string, img Image, platform string, im v1.Image) (mutate.IndexAddendum, error) {
	d, err := im.Digest()
	if err != nil {
		return mutate.IndexAddendum{}, err
	}
	created := img.Created.UTC().Format("2006-01-02T15:04:05Z")
	statement := map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"predicateType": provenanceType,
		"subject": []any{map[string]any{
			"name":   "pkg:docker/" + repo + "@" + img.Tags[0] + "?platform=" + strings.ReplaceAll(platform, "/", "%2F"),
			"digest": map[string]string{"sha256": d.Hex},
		}},
		"predicate": map[string]any{
			"builder":   map[string]string{"id": ""},
			"buildType": "https://mobyproject.org/buildkit@v1",
			"invocation": map[string]any{
				"configSource": map[string]string{"entryPoint": "Dockerfile"},
			},
			"metadata": map[string]any{
				"buildStartedOn":  created,
				"buildFinishedOn": created,
				"completeness":    map[string]bool{"parameters": false, "environment": true, "materials": false},
				"reproducible":    false,
			},
		},
	}
	raw, err := json.Marshal(statement)
	if err != nil {
		return mutate.IndexAddendum{}, err
	}
	l := newBlobLayer(raw, inTotoMediaType)
	att := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	att, err = mutate.Append(att, mutate.Addendum{
		Layer:       l,
		Annotations: map[string]string{snapshot.KeyPredicateType: provenanceType},
	})
	if err != nil {
		return mutate.IndexAddendum{}, err
	}
	// Replace the config Append wrote (it adds a history entry buildx
	// does not) with buildx's minimal one.
	att, err = mutate.ConfigFile(att, &v1.ConfigFile{
		Architecture: "unknown",
		OS:           "unknown",
		Created:      v1.Time{Time: img.Created.UTC()},
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{l.diffID}},
	})
	if err != nil {
		return mutate.IndexAddendum{}, err
	}
	return mutate.IndexAddendum{
		Add: att,
		Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{snapshot.KeyRefDigest: d.String(), snapshot.KeyRefType: snapshot.RefTypeAttestation},
		},
	}, nil
}
