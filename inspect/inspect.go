// Package inspect describes one image as `skopeo inspect` prints it: the
// same JSON keys, order and conventions for the fields both tools have
// (Name, Digest, RepoTags, Created, DockerVersion, Labels, Architecture,
// Os, Layers, LayersData, Env), followed by regcat's own fields under
// names skopeo does not print (Variant, Author, MediaType, ...). It reads
// the image live from the registry through [crawler.FetchImage] (same
// authentication, retries, caps and digest checks as a crawl) or offline
// from a snapshot directory, and both give the same answer for the same
// image (a snapshot written before schema version 3 lacks DockerVersion).
//
// It also owns the platform rule for an index ([Choose]) and the
// line-oriented label output (`--labels`), whose text is escaped so that
// hostile labels cannot write control sequences to a terminal.
package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// Output is what `regcat inspect` prints. The first fields are those of
// skopeo's inspect output (containers/skopeo cmd/skopeo/inspect, type
// Output, built from containers/image's types.ImageInspectInfo), in its
// order and with its conventions: Labels and Env are null when the
// config has none, Layers and LayersData are [] when there are none, a
// layer's Annotations are null when it has none, Created is null for an
// OCI image without a creation time (a Docker one shows the zero time, as
// containers/image does), and RepoTags is [] unless the tags were asked
// for. skopeo's legacy Tag field (schema 1 only) is never set.
type Output struct {
	Name          string `json:",omitempty"`
	Digest        string
	RepoTags      []string
	Created       *time.Time
	DockerVersion string
	Labels        map[string]string
	Architecture  string
	Os            string
	Layers        []string
	LayersData    []Layer
	Env           []string

	// regcat's own fields.

	// Variant is the CPU variant (as in containers/image's
	// ImageInspectInfo), and Author the config's author.
	Variant string `json:",omitempty"`
	Author  string `json:",omitempty"`
	// MediaType is the top-level manifest's media type; Kind what it is
	// ("image", "index", "artifact", "schema1").
	MediaType string
	Kind      snapshot.Kind
	// PlatformDigest is the digest of the image manifest described: the
	// chosen platform of an index, else Digest.
	PlatformDigest string `json:",omitempty"`
	// ConfigDigest is the digest of the config blob described.
	ConfigDigest string `json:",omitempty"`
	// Size is the compressed size in bytes of the image described:
	// config plus layers.
	Size int64
	// Platforms lists the platforms of an index ("os/arch[/variant]"), in
	// sort order; omitted for a single image.
	Platforms []string `json:",omitempty"`
	// Annotations are the top-level manifest's annotations.
	Annotations map[string]string `json:",omitempty"`
}

// Layer is one entry of Output.LayersData, as containers/image's
// types.ImageInspectLayer: Size is -1 when unknown (schema 1), MIMEType
// "" when unknown.
type Layer struct {
	MIMEType    string
	Digest      string
	Size        int64
	Annotations map[string]string
}

// Platform is the platform wanted from an index.
type Platform struct{ OS, Architecture, Variant string }

// DefaultPlatform is the platform chosen without --platform, as skopeo
// does on a linux/amd64 machine.
var DefaultPlatform = Platform{OS: "linux", Architecture: "amd64"}

// ParsePlatform reads "os/arch[/variant]".
func ParsePlatform(s string) (Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" || (len(parts) == 3 && parts[2] == "") {
		return Platform{}, fmt.Errorf("platform %q: want os/arch[/variant]", s)
	}
	p := Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

func (p Platform) String() string {
	return platformText(p.OS, p.Architecture, p.Variant)
}

func platformText(os, arch, variant string) string {
	s := os + "/" + arch
	if variant != "" {
		s += "/" + variant
	}
	return s
}

// Choose returns the rule that picks want among the platforms of an
// index: OS and architecture must be equal; a wanted variant must be
// equal too (arm64 without a variant is v8), and without one the entry
// without a variant wins, then the lowest variant, OS version and digest,
// so the live answer (index order) and the snapshot's (sorted) agree.
// It returns -1 when nothing fits.
func Choose(want Platform) func([]snapshot.Platform) int {
	norm := func(arch, v string) string {
		if arch == "arm64" && v == "" {
			return "v8"
		}
		return v
	}
	return func(ps []snapshot.Platform) int {
		best := -1
		for i, p := range ps {
			if p.OS != want.OS || p.Architecture != want.Architecture {
				continue
			}
			if want.Variant != "" && norm(p.Architecture, p.Variant) != norm(want.Architecture, want.Variant) {
				continue
			}
			if best < 0 || less(p, ps[best]) {
				best = i
			}
		}
		return best
	}
}

func less(a, b snapshot.Platform) bool {
	switch {
	case (a.Variant == "") != (b.Variant == ""):
		return a.Variant == ""
	case a.Variant != b.Variant:
		return a.Variant < b.Variant
	case a.OSVersion != b.OSVersion:
		return a.OSVersion < b.OSVersion
	}
	return a.Digest < b.Digest
}

// ErrNotImage is wrapped by the error for a manifest that is not an image
// (an artifact), which skopeo refuses too.
var ErrNotImage = errors.New("not an image")

// Describe builds the Output of image im of repository repo in registry
// (host[:port]): im's chosen platform is im.Platforms[0] for a live
// fetch, or the one Choose picks. platforms lists an index's platforms;
// tags is RepoTags (nil means not asked: []).
func Describe(registry, repo string, im *snapshot.Image, p *snapshot.Platform, platforms []snapshot.Platform, tags []string) Output {
	o := Output{
		Name:        registry + "/" + repo,
		Digest:      im.Digest,
		RepoTags:    tags,
		MediaType:   im.MediaType,
		Kind:        im.Kind,
		Annotations: im.Annotations,
		Layers:      []string{},
		LayersData:  []Layer{},
		Size:        im.Size,
	}
	if o.RepoTags == nil {
		o.RepoTags = []string{}
	}
	if im.Kind == snapshot.KindIndex {
		for _, c := range platforms {
			o.Platforms = append(o.Platforms, platformText(c.OS, c.Architecture, c.Variant))
		}
		o.Platforms = sortedUnique(o.Platforms)
	}
	if p == nil {
		for _, l := range im.Layers {
			o.Layers = append(o.Layers, l.Digest)
			o.LayersData = append(o.LayersData, Layer{MIMEType: l.MediaType, Digest: l.Digest, Size: l.Size, Annotations: nonEmpty(l.Annotations)})
		}
		return o
	}
	cfg := &p.Config
	o.PlatformDigest, o.ConfigDigest, o.Size = p.Digest, cfg.Digest, p.Size
	o.Architecture, o.Os, o.Variant, o.Author = p.Architecture, p.OS, p.Variant, cfg.Author
	o.Labels, o.Env = nonEmpty(cfg.Labels), nonEmptyList(cfg.Env)
	if !cfg.Created.IsZero() || p.MediaType != ociManifest {
		t := cfg.Created
		o.Created = &t
	}
	schema1 := im.Kind == snapshot.KindSchema1
	for _, l := range p.Layers {
		ld := Layer{MIMEType: l.MediaType, Digest: l.Digest, Size: l.Size, Annotations: nonEmpty(l.Annotations)}
		if schema1 {
			// containers/image knows neither from a schema 1 manifest.
			ld.MIMEType, ld.Size = "", -1
		}
		o.Layers = append(o.Layers, l.Digest)
		o.LayersData = append(o.LayersData, ld)
	}
	o.DockerVersion = cfg.DockerVersion
	return o
}

const ociManifest = "application/vnd.oci.image.manifest.v1+json"

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func nonEmptyList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

func sortedUnique(l []string) []string {
	out := make([]string, 0, len(l))
	seen := map[string]bool{}
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// JSON encodes o as skopeo does: json.MarshalIndent with four spaces
// (so HTML characters are escaped as \u003c), and a newline.
func (o *Output) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(o, "", "    ")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Write(b)
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
