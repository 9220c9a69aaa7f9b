package examples

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

//go:embed catalog.json
var catalogJSON []byte

// Catalog describes the example registry: repositories in push order, each
// with its images. Load returns it validated.
type Catalog struct {
	Repositories []Repository `json:"repositories"`
}

// Repository is one repository of the catalog. Defaults apply to each of
// its images (see Spec for how an image overrides them).
type Repository struct {
	Name     string  `json:"name"`
	Defaults Spec    `json:"defaults"`
	Images   []Image `json:"images"`
}

// Image is one image (or, with several platforms, one image index) of a
// repository and the tags that point at it. The first tag is its version,
// which replaces "{version}" in the Spec's strings.
type Image struct {
	// Tags all name this image; aliases share its digest.
	Tags []string `json:"tags"`
	// Created is the image's creation time, also the time of its own
	// history steps and the value of "{created}".
	Created time.Time `json:"created"`
	// Revision is the source commit, the value of "{revision}".
	Revision string `json:"revision,omitempty"`
	Spec
}

// Spec is what an image is made of. In an Image, a field left empty takes
// the repository's default; labels, annotations and environment variables
// are merged key by key instead, the image's value winning. Strings may
// hold "{version}", "{revision}", "{created}" and "{arch}".
type Spec struct {
	// Base is "repository:tag" of an image earlier in the catalog. The
	// image then starts with the base's layers, history, labels and
	// environment, and its manifest carries the
	// org.opencontainers.image.base.name and .base.digest annotations.
	Base string `json:"base,omitempty"`
	// Format is "oci" (the default) or "docker" (Docker v2 schema 2 media
	// types).
	Format string `json:"format,omitempty"`
	// Platforms are "os/arch[/variant]"; the default is linux/amd64. With
	// more than one, the tags point at an OCI image index.
	Platforms []string `json:"platforms,omitempty"`
	// Attestations adds a buildx-style attestation manifest per platform
	// to an image index.
	Attestations *bool             `json:"attestations,omitempty"`
	Author       string            `json:"author,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Env          []string          `json:"env,omitempty"`
	User         string            `json:"user,omitempty"`
	WorkingDir   string            `json:"working_dir,omitempty"`
	Entrypoint   []string          `json:"entrypoint,omitempty"`
	Cmd          []string          `json:"cmd,omitempty"`
	ExposedPorts []string          `json:"exposed_ports,omitempty"`
	// Steps are the image's own build steps, after the base's.
	Steps []Step `json:"steps,omitempty"`
}

// Step is one build step of an image's history. A step with a Layer adds a
// layer; one without is an empty_layer step (ENV, CMD, LABEL...).
type Step struct {
	CreatedBy string `json:"created_by"`
	// Layer names the layer's content: the same name and platform always
	// give the same bytes, so images share a layer by naming it alike.
	Layer string `json:"layer,omitempty"`
	// Size is the layer's file content in bytes, give or take 5% (varied
	// by the layer's name, so that versions differ); the blob is slightly
	// larger still: tar and gzip framing.
	Size int64 `json:"size,omitempty"`
}

// Load parses and validates the embedded catalog.
func Load() (*Catalog, error) {
	return Parse(catalogJSON)
}

// Parse parses and validates a catalog in the format of catalog.json, for
// tests that push images of their own. Unknown fields are errors.
func Parse(b []byte) (*Catalog, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var c Catalog
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("examples catalog: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("examples catalog: %w", err)
	}
	return &c, nil
}

// Validate reports the first problem found: an invalid repository name or
// tag, a tag used twice in a repository, a base that is not an earlier
// image, an unknown format or platform, a missing creation time, a layer
// without a size.
func (c *Catalog) Validate() error {
	if len(c.Repositories) == 0 {
		return errors.New("no repositories")
	}
	known := map[string]bool{}
	repos := map[string]bool{}
	for _, r := range c.Repositories {
		if _, err := name.NewRepository("registry.invalid/"+r.Name, name.StrictValidation); err != nil {
			return fmt.Errorf("repository %q: %w", r.Name, err)
		}
		if repos[r.Name] {
			return fmt.Errorf("repository %s listed twice", r.Name)
		}
		repos[r.Name] = true
		if len(r.Images) == 0 {
			return fmt.Errorf("repository %s: no images", r.Name)
		}
		tags := map[string]bool{}
		for _, img := range r.Images {
			if err := validateImage(r, img, tags, known); err != nil {
				return fmt.Errorf("repository %s: %w", r.Name, err)
			}
			for _, t := range img.Tags {
				known[r.Name+":"+t] = true
			}
		}
	}
	return nil
}

func validateImage(r Repository, img Image, tags, known map[string]bool) error {
	if len(img.Tags) == 0 {
		return errors.New("image without tags")
	}
	for _, t := range img.Tags {
		if _, err := name.NewTag("registry.invalid/"+r.Name+":"+t, name.StrictValidation); err != nil {
			return fmt.Errorf("tag %q: %w", t, err)
		}
		if tags[t] {
			return fmt.Errorf("tag %s used twice", t)
		}
		tags[t] = true
	}
	if img.Created.IsZero() {
		return fmt.Errorf("image %s: no created time", img.Tags[0])
	}
	s := r.spec(img)
	if s.Base != "" && !known[s.Base] {
		return fmt.Errorf("image %s: base %s is not an earlier image of the catalog", img.Tags[0], s.Base)
	}
	if s.Format != "oci" && s.Format != "docker" {
		return fmt.Errorf("image %s: unknown format %q", img.Tags[0], s.Format)
	}
	for _, p := range s.Platforms {
		if _, err := v1.ParsePlatform(p); err != nil {
			return fmt.Errorf("image %s: platform %q: %w", img.Tags[0], p, err)
		}
	}
	if s.Base == "" && len(s.Steps) == 0 {
		return fmt.Errorf("image %s: no base and no steps", img.Tags[0])
	}
	for _, st := range s.Steps {
		if st.CreatedBy == "" {
			return fmt.Errorf("image %s: step without created_by", img.Tags[0])
		}
		if (st.Layer == "") != (st.Size == 0) {
			return fmt.Errorf("image %s: step %q: a layer needs a positive size and a size needs a layer", img.Tags[0], st.CreatedBy)
		}
		if st.Size < 0 {
			return fmt.Errorf("image %s: step %q: negative size", img.Tags[0], st.CreatedBy)
		}
	}
	return nil
}

// spec returns img's Spec with the repository's defaults applied and the
// placeholders other than {arch} expanded.
func (r Repository) spec(img Image) Spec {
	d, s := r.Defaults, img.Spec
	out := Spec{
		Base:         pick(s.Base, d.Base),
		Format:       pick(pick(s.Format, d.Format), "oci"),
		Platforms:    pickSlice(pickSlice(s.Platforms, d.Platforms), []string{"linux/amd64"}),
		Attestations: s.Attestations,
		Author:       pick(s.Author, d.Author),
		Labels:       merge(d.Labels, s.Labels),
		Annotations:  merge(d.Annotations, s.Annotations),
		Env:          mergeEnv(d.Env, s.Env),
		User:         pick(s.User, d.User),
		WorkingDir:   pick(s.WorkingDir, d.WorkingDir),
		Entrypoint:   pickSlice(s.Entrypoint, d.Entrypoint),
		Cmd:          pickSlice(s.Cmd, d.Cmd),
		ExposedPorts: pickSlice(s.ExposedPorts, d.ExposedPorts),
		Steps:        pickSlice(s.Steps, d.Steps),
	}
	if out.Attestations == nil {
		out.Attestations = d.Attestations
	}
	x := strings.NewReplacer(
		"{version}", img.Tags[0],
		"{revision}", img.Revision,
		"{created}", img.Created.UTC().Format(time.RFC3339),
	)
	for k, v := range out.Labels {
		out.Labels[k] = x.Replace(v)
	}
	for k, v := range out.Annotations {
		out.Annotations[k] = x.Replace(v)
	}
	for i, v := range out.Env {
		out.Env[i] = x.Replace(v)
	}
	steps := make([]Step, len(out.Steps))
	for i, st := range out.Steps {
		steps[i] = Step{CreatedBy: x.Replace(st.CreatedBy), Layer: x.Replace(st.Layer), Size: st.Size}
	}
	out.Steps = steps
	return out
}

func pick(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func pickSlice[T any](s, def []T) []T {
	if s != nil {
		return s
	}
	return def
}

// merge returns a new map with the keys of def and then of over; nil when
// both are empty, so an unlabelled image has no labels at all.
func merge(def, over map[string]string) map[string]string {
	if len(def)+len(over) == 0 {
		return nil
	}
	m := maps.Clone(def)
	if m == nil {
		m = map[string]string{}
	}
	maps.Copy(m, over)
	return m
}

// mergeEnv appends over to def, an entry of over replacing the entry of
// def with the same variable name in place, as Docker's ENV does.
func mergeEnv(def, over []string) []string {
	out := append([]string(nil), def...)
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, old := range out {
			if ok, _, _ := strings.Cut(old, "="); ok == k {
				out[i], replaced = kv, true
				break
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}
