package snapshot

import (
	"slices"
	"testing"
)

// TestClassifyReferrer names referrers from the media types and
// annotations cosign, notation, buildx and the SBOM tools write.
func TestClassifyReferrer(t *testing.T) {
	tests := []struct {
		name         string
		artifactType string
		layers       []string
		predicates   []string
		hint         ReferrerKind
		kind         ReferrerKind
		format       string
	}{
		{"cosign OCI 1.1", ArtifactCosignSig, nil, nil, "", KindSignature, FormatCosign},
		{"cosign legacy tag", "application/vnd.oci.image.config.v1+json", []string{MediaCosignSimpleSigning}, nil, KindSignature, KindSignature, FormatCosign},
		{"notation", ArtifactNotation, []string{"application/jose+json"}, nil, "", KindSignature, FormatNotation},
		{"sigstore bundle", "application/vnd.dev.sigstore.bundle.v0.3+json", nil, nil, "", KindSignature, FormatSigstore},
		{"sigstore attestation bundle", "application/vnd.dev.sigstore.bundle.v0.3+json", nil, []string{"https://slsa.dev/provenance/v1"}, "", KindProvenance, "https://slsa.dev/provenance/v1"},
		{"spdx", "application/spdx+json", nil, nil, "", KindSBOM, FormatSPDX},
		{"spdx text, upper case", "TEXT/SPDX", nil, nil, "", KindSBOM, FormatSPDX},
		{"cyclonedx", "application/vnd.cyclonedx+json", nil, nil, "", KindSBOM, FormatCycloneDX},
		{"cyclonedx xml layer", "", []string{"application/vnd.cyclonedx+xml"}, nil, KindSBOM, KindSBOM, FormatCycloneDX},
		{"cosign sbom tag of unknown format", "", []string{"application/octet-stream"}, nil, KindSBOM, KindSBOM, ""},
		{"in-toto provenance", MediaInToto, nil, []string{"https://slsa.dev/provenance/v0.2"}, "", KindProvenance, "https://slsa.dev/provenance/v0.2"},
		{"in-toto spdx", MediaInToto, nil, []string{"https://spdx.dev/Document"}, "", KindSBOM, FormatSPDX},
		{"in-toto vuln scan", MediaInToto, nil, []string{"https://cosign.sigstore.dev/attestation/vuln/v1"}, "", KindAttestation, "https://cosign.sigstore.dev/attestation/vuln/v1"},
		{"in-toto without predicate", MediaInToto, nil, nil, "", KindAttestation, ""},
		{"cosign att tag", "application/vnd.oci.image.config.v1+json", []string{MediaDSSE}, nil, KindAttestation, KindAttestation, ""},
		{"helm chart", "application/vnd.cncf.helm.config.v1+json", nil, nil, "", KindOther, ""},
		{"markup", `x"><script>`, nil, nil, "", KindOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, f := ClassifyReferrer(tt.artifactType, tt.layers, tt.predicates, tt.hint)
			if k != tt.kind || f != tt.format {
				t.Errorf("ClassifyReferrer = %s %q, want %s %q", k, f, tt.kind, tt.format)
			}
		})
	}
}

// TestSupplyOf sums referrers and buildx attestations.
func TestSupplyOf(t *testing.T) {
	im := &Image{
		Referrers: []Referrer{
			{Kind: KindSignature, Format: FormatNotation},
			{Kind: KindSignature, Format: FormatCosign},
			{Kind: KindSignature, Format: FormatNotation},
			{Kind: KindSBOM},
			{Kind: KindAttestation, PredicateTypes: []string{"https://cyclonedx.org/bom"}},
		},
		Attestations: []Descriptor{{PredicateTypes: []string{"https://slsa.dev/provenance/v1"}}},
	}
	s := SupplyOf(im)
	if !slices.Equal(s.Signed, []string{FormatCosign, FormatNotation}) || !slices.Equal(s.SBOM, []string{FormatCycloneDX, "unknown"}) || !s.Provenance {
		t.Errorf("SupplyOf = %+v", s)
	}
	if s := SupplyOf(&Image{}); s.Signed != nil || s.SBOM != nil || s.Provenance {
		t.Errorf("SupplyOf(empty) = %+v", s)
	}
}
