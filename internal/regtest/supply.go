package regtest

import (
	"bytes"
	"encoding/json"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regcat/regcat/snapshot"
)

// Media types of the supply-chain tools, as cosign, notation and the SBOM
// formats spell them.
const (
	// ArtifactCosignSig is cosign's OCI 1.1 signature artifactType.
	ArtifactCosignSig = snapshot.ArtifactCosignSig
	// MediaTypeCosignSimpleSigning is the layer media type of cosign
	// signatures.
	MediaTypeCosignSimpleSigning types.MediaType = snapshot.MediaCosignSimpleSigning
	// ArtifactNotation is notation's signature artifactType.
	ArtifactNotation = snapshot.ArtifactNotation
	// MediaTypeNotationJWS is notation's signature envelope.
	MediaTypeNotationJWS types.MediaType = "application/jose+json"
	// MediaTypeCycloneDX is the CycloneDX JSON SBOM media type.
	MediaTypeCycloneDX types.MediaType = "application/vnd.cyclonedx+json"
	// MediaTypeDSSE is the layer media type of cosign attestations.
	MediaTypeDSSE types.MediaType = snapshot.MediaDSSE
	// PredicateSLSA1 is the SLSA provenance v1 predicate type.
	PredicateSLSA1 = "https://slsa.dev/provenance/v1"
	// PredicateSLSA02 is the SLSA provenance v0.2 predicate type.
	PredicateSLSA02 = "https://slsa.dev/provenance/v0.2"
	// HostileArtifactType is the markup-laden artifactType of the hostile
	// referrer.
	HostileArtifactType = `application/vnd.evil+json"><script>alert(1)</script>`
	// HostileAnnotation is the markup-laden annotation value of the hostile
	// referrer (key "note").
	HostileAnnotation = `<img src=x onerror=alert(1)> & "quoted"`
)

// Supply returns the supply-chain fixture: images with signatures, SBOMs
// and attestations attached in every way regcat reads. Its repositories:
//
//   - sec/app "1.0": an OCI index of linux/amd64 and linux/arm64/v8
//     images (created 2024-06-01T12:00:00Z) with five referrers pushed by
//     digest with a subject: on the index, a cosign OCI 1.1 signature
//     (artifactType ArtifactCosignSig, created 2024-06-01T12:10:00Z), a
//     notation signature (ArtifactNotation, 12:11), an SPDX SBOM
//     (MediaTypeSPDX, 12:12) and an in-toto SLSA v1 provenance
//     (MediaTypeInToto, predicate annotation, 12:13); on the amd64
//     platform, a CycloneDX SBOM (MediaTypeCycloneDX, 12:14).
//   - sec/app "2.0": an OCI image (created 2024-07-01T12:00:00Z) with
//     cosign's legacy tags "sha256-<hex>.sig" (a simple-signing layer) and
//     "sha256-<hex>.att" (a DSSE layer, predicateType PredicateSLSA02).
//   - sec/app "3.0": an OCI image with nothing attached.
//   - sec/app "sbom": the SPDX SBOM of 1.0 also tagged, as `oras push`
//     with a tag does: a release of kind artifact and a referrer.
//   - sec/hostile "1.0": an OCI image with one referrer whose artifactType
//     is HostileArtifactType and whose annotation "note" is
//     HostileAnnotation; and a referrer pushed to sec/hostile whose subject
//     is sec/app:2.0, a digest that is not in sec/hostile.
//
// On a registry without the referrers API the pushes also write the
// fallback tags "sha256-<hex>" of sec/app:1.0, its amd64 platform,
// sec/hostile:1.0 and (in sec/hostile) sec/app:2.0.
func Supply(tb testing.TB) *Fixture {
	tb.Helper()
	b := &builder{}
	mk := func(arch, version string, created string) v1.Image {
		return b.image(imageSpec{
			platform: archs[arch],
			created:  utc(created),
			config:   v1.Config{Entrypoint: []string{"/app"}, Labels: map[string]string{snapshot.KeyTitle: "app"}},
			layers:   []v1.Layer{b.layer(types.OCILayer, file{"app", "app " + version + " " + arch + "\n"})},
		})
	}
	amd64 := mk("amd64", "1.0", "2024-06-01T12:00:00Z")
	idx := b.index(types.OCIImageIndex, nil,
		entry{image: amd64, platform: archs["amd64"]},
		entry{image: mk("arm64", "1.0", "2024-06-01T12:00:00Z"), platform: archs["arm64"]})
	app2 := mk("amd64", "2.0", "2024-07-01T12:00:00Z")
	app3 := mk("amd64", "3.0", "2024-08-01T12:00:00Z")
	hostile := mk("amd64", "hostile", "2024-09-01T12:00:00Z")

	sig, att := b.cosignTags(app2)
	spdx := b.artifact("sec/app", idx, string(MediaTypeSPDX), MediaTypeSPDX, `{"spdxVersion":"SPDX-2.3"}`, map[string]string{snapshot.KeyCreated: "2024-06-01T12:12:00Z"})
	fx := &Fixture{
		Repos: []Repo{
			{Name: "sec/app", Tags: []Tag{
				b.tag("1.0", idx), b.tag("2.0", app2), b.tag("3.0", app3),
				{Name: "sbom", Raw: &spdx.Raw, Digest: spdx.Digest, MediaType: spdx.Raw.MediaType},
				sig, att,
			}},
			{Name: "sec/hostile", Tags: []Tag{b.tag("1.0", hostile)}},
		},
		Referrers: []Referrer{
			b.artifact("sec/app", idx, ArtifactCosignSig, MediaTypeCosignSimpleSigning, `{"critical":{"type":"cosign container image signature"}}`, map[string]string{snapshot.KeyCreated: "2024-06-01T12:10:00Z"}),
			b.artifact("sec/app", idx, ArtifactNotation, MediaTypeNotationJWS, `{"payload":"e30","signatures":[]}`, map[string]string{snapshot.KeyCreated: "2024-06-01T12:11:00Z", "io.cncf.notary.x509chain.thumbprint#S256": `["abc"]`}),
			spdx,
			b.artifact("sec/app", idx, string(MediaTypeInToto), MediaTypeInToto, `{"_type":"https://in-toto.io/Statement/v1","predicateType":"`+PredicateSLSA1+`"}`, map[string]string{snapshot.KeyCreated: "2024-06-01T12:13:00Z", snapshot.KeyPredicateType: PredicateSLSA1}),
			b.artifact("sec/app", amd64, string(MediaTypeCycloneDX), MediaTypeCycloneDX, `{"bomFormat":"CycloneDX","specVersion":"1.5"}`, map[string]string{snapshot.KeyCreated: "2024-06-01T12:14:00Z"}),
			b.artifact("sec/hostile", hostile, HostileArtifactType, "application/octet-stream", "x", map[string]string{"note": HostileAnnotation}),
			b.artifact("sec/hostile", app2, ArtifactCosignSig, MediaTypeCosignSimpleSigning, `{"critical":{}}`, nil),
		},
	}
	if b.err != nil {
		tb.Fatalf("regtest: build supply fixture: %v", b.err)
	}
	return fx
}

// artifact is an OCI 1.1 artifact of one blob with artifactType at and a
// subject, built with mutate.Subject; go-containerregistry's mutate has no
// artifactType, so it is set on the manifest it built, with the empty
// config.
func (b *builder) artifact(repo string, subject partial.Describable, at string, mt types.MediaType, body string, annotations map[string]string) Referrer {
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), static.NewLayer([]byte(body), mt))
	if err != nil {
		b.fail(err)
		return Referrer{}
	}
	if len(annotations) > 0 {
		img = mutate.Annotations(img, annotations).(v1.Image)
	}
	img = mutate.Subject(img, b.descriptor(subject)).(v1.Image)
	m, err := img.Manifest()
	if err != nil {
		b.fail(err)
		return Referrer{}
	}
	cfg := static.NewLayer([]byte("{}"), MediaTypeEmpty)
	m.ArtifactType = at
	for i := range m.Layers {
		m.Layers[i].Annotations = map[string]string{snapshot.KeyTitle: "blob"}
	}
	m.Config = b.descriptor(cfg)
	m.Config.Data = []byte("{}")
	if m.Subject != nil {
		m.Subject.Platform = nil
		m.Subject.Annotations = nil
	}
	layers, err := img.Layers()
	if err != nil {
		b.fail(err)
	}
	raw := b.marshalCompact(m)
	d, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		b.fail(err)
	}
	return Referrer{Repo: repo, Raw: RawManifest{MediaType: types.OCIManifestSchema1, Manifest: raw, Blobs: append([]v1.Layer{cfg}, layers...)}, Digest: d}
}

// cosignTags are cosign's legacy signature and attestation tags of
// subject: image manifests (an image config, as cosign writes) whose
// layers are a simple-signing payload with its signature annotation, and
// a DSSE envelope with cosign's predicateType annotation.
func (b *builder) cosignTags(subject v1.Image) (sig, att Tag) {
	tag := "sha256-" + b.digest(subject).Hex
	payload, err := json.Marshal(map[string]any{"critical": map[string]any{
		"identity": map[string]string{"docker-reference": "sec/app"},
		"image":    map[string]string{"docker-manifest-digest": b.digest(subject).String()},
		"type":     "cosign container image signature",
	}})
	if err != nil {
		b.fail(err)
	}
	s := b.image(imageSpec{
		layers:           []v1.Layer{static.NewLayer(payload, MediaTypeCosignSimpleSigning)},
		layerAnnotations: map[int]map[string]string{0: {"dev.cosignproject.cosign/signature": "MEUCIQDfake"}},
	})
	a := b.image(imageSpec{
		layers:           []v1.Layer{static.NewLayer([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30","signatures":[]}`), MediaTypeDSSE)},
		layerAnnotations: map[int]map[string]string{0: {snapshot.KeyCosignPredicateType: PredicateSLSA02}},
	})
	return b.tag(tag+".sig", s), b.tag(tag+".att", a)
}
