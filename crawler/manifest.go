package crawler

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// Media types the crawler reads.
const (
	mtOCIManifest     = "application/vnd.oci.image.manifest.v1+json"
	mtOCIIndex        = "application/vnd.oci.image.index.v1+json"
	mtOCIConfig       = "application/vnd.oci.image.config.v1+json"
	mtDockerManifest  = "application/vnd.docker.distribution.manifest.v2+json"
	mtDockerList      = "application/vnd.docker.distribution.manifest.list.v2+json"
	mtDockerConfig    = "application/vnd.docker.container.image.v1+json"
	mtSchema1         = "application/vnd.docker.distribution.manifest.v1+json"
	mtSchema1Signed   = "application/vnd.docker.distribution.manifest.v1+prettyjws"
	mtSchema1LayerTar = "application/vnd.docker.image.rootfs.diff.tar.gzip"
)

// manifestAccept is the Accept header of every manifest request: every
// kind the crawler can read, so that the registry does not convert.
var manifestAccept = []string{mtOCIIndex, mtDockerList, mtOCIManifest, mtDockerManifest, mtSchema1Signed, mtSchema1}

// descriptor is an OCI content descriptor as found in a manifest.
type descriptor struct {
	MediaType    string            `json:"mediaType"`
	Digest       string            `json:"digest"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifactType,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Platform     *platformDoc      `json:"platform,omitempty"`
}

type platformDoc struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
	OSVersion    string `json:"os.version,omitempty"`
}

// manifestDoc is the union of the JSON fields of every manifest kind.
type manifestDoc struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        *descriptor       `json:"config"`
	Layers        []descriptor      `json:"layers"`
	Manifests     []descriptor      `json:"manifests"`
	Subject       *descriptor       `json:"subject"`
	Annotations   map[string]string `json:"annotations"`
	// Docker schema 1.
	Architecture string `json:"architecture"`
	FSLayers     []struct {
		BlobSum string `json:"blobSum"`
	} `json:"fsLayers"`
	History []struct {
		V1Compatibility string `json:"v1Compatibility"`
	} `json:"history"`
}

// manifest is a parsed, checked manifest of any kind.
type manifest struct {
	kind      snapshot.Kind
	mediaType string
	doc       manifestDoc
}

// parseManifest decodes a manifest, telling its kind from its mediaType
// field, else the Content-Type the registry sent, else its shape. Every
// descriptor must carry a canonical digest and a non-negative size.
func parseManifest(contentType string, b []byte) (*manifest, error) {
	var doc manifestDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	mt := doc.MediaType
	if mt == "" {
		mt = mediaTypeOnly(contentType)
	}
	m := &manifest{mediaType: mt, doc: doc}
	switch {
	case mt == mtOCIIndex || mt == mtDockerList:
		m.kind = snapshot.KindIndex
	case mt == mtOCIManifest || mt == mtDockerManifest:
		m.kind = snapshot.KindImage
	case mt == mtSchema1 || mt == mtSchema1Signed:
		m.kind = snapshot.KindSchema1
	case doc.SchemaVersion == 1:
		m.kind, m.mediaType = snapshot.KindSchema1, mtSchema1
	case doc.Manifests != nil:
		m.kind, m.mediaType = snapshot.KindIndex, mtOCIIndex
	case doc.Config != nil:
		m.kind, m.mediaType = snapshot.KindImage, mtOCIManifest
	default:
		return nil, fmt.Errorf("manifest: unknown media type %q", snapshot.Truncate(mt, 100))
	}
	if m.kind == snapshot.KindImage {
		if doc.Config == nil {
			return nil, errors.New("manifest: image manifest without config")
		}
		if doc.ArtifactType != "" || !isImageConfig(doc.Config.MediaType) {
			m.kind = snapshot.KindArtifact
		}
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

// check validates every descriptor and schema1 blob sum.
func (m *manifest) check() error {
	var ds []*descriptor
	if m.doc.Config != nil {
		ds = append(ds, m.doc.Config)
	}
	if m.doc.Subject != nil {
		ds = append(ds, m.doc.Subject)
	}
	for i := range m.doc.Layers {
		ds = append(ds, &m.doc.Layers[i])
	}
	for i := range m.doc.Manifests {
		ds = append(ds, &m.doc.Manifests[i])
	}
	for _, d := range ds {
		if err := snapshot.ValidateDigest(d.Digest); err != nil {
			return fmt.Errorf("manifest: descriptor: %w", err)
		}
		if d.Size < 0 {
			return fmt.Errorf("manifest: descriptor %s has negative size %d", d.Digest, d.Size)
		}
	}
	if m.kind == snapshot.KindSchema1 {
		if len(m.doc.FSLayers) != len(m.doc.History) {
			return fmt.Errorf("manifest: schema1 with %d fsLayers and %d history entries", len(m.doc.FSLayers), len(m.doc.History))
		}
		for _, l := range m.doc.FSLayers {
			if err := snapshot.ValidateDigest(l.BlobSum); err != nil {
				return fmt.Errorf("manifest: schema1 blobSum: %w", err)
			}
		}
	}
	return nil
}

// isImageConfig reports whether a config media type is a runnable image's.
func isImageConfig(mt string) bool {
	return mt == mtOCIConfig || mt == mtDockerConfig
}

// isImageManifest reports whether an index entry's media type is a
// single-platform image manifest.
func isImageManifest(mt string) bool {
	return mt == mtOCIManifest || mt == mtDockerManifest
}

// isAttestation reports whether an index entry describes another entry:
// buildx marks attestation manifests with platform unknown/unknown and the
// annotation [snapshot.KeyRefType] = [snapshot.RefTypeAttestation].
func isAttestation(d *descriptor) bool {
	if d.Annotations[snapshot.KeyRefType] == snapshot.RefTypeAttestation {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

// mediaTypeOnly strips parameters from a Content-Type value.
func mediaTypeOnly(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// layers converts descriptors to snapshot layers and sums their sizes.
func layers(ds []descriptor) ([]snapshot.Layer, int64) {
	out := make([]snapshot.Layer, 0, len(ds))
	var total int64
	for _, d := range ds {
		out = append(out, snapshot.Layer{Digest: d.Digest, MediaType: d.MediaType, Size: d.Size, Annotations: d.Annotations})
		total = addSize(total, d.Size)
	}
	return out, total
}

// addSize adds two non-negative sizes, saturating instead of overflowing
// on hostile descriptors.
func addSize(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// toDescriptor converts an index entry kept as found.
func toDescriptor(d *descriptor) snapshot.Descriptor {
	return snapshot.Descriptor{Digest: d.Digest, MediaType: d.MediaType, Size: d.Size, ArtifactType: d.ArtifactType, Annotations: d.Annotations}
}
