package snapshot

import (
	"slices"
	"strings"
	"time"
)

// Referrer is a manifest that refers to an image (OCI image-spec 1.1
// `subject`): a signature, an SBOM, an attestation or another artifact.
type Referrer struct {
	// Subject is the digest referred to: the image's own, or one of its
	// platforms'.
	Subject string `json:"subject"`
	// Digest, MediaType and Size describe the referrer manifest.
	Digest    string `json:"digest"`
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	// ArtifactType is the manifest's artifactType, else its config media
	// type.
	ArtifactType string `json:"artifactType,omitempty"`
	// Annotations are the referrer manifest's annotations.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Created is its org.opencontainers.image.created annotation, if that
	// is an RFC 3339 time.
	Created time.Time `json:"created,omitzero"`
	// Kind and Format say what it is; see [ClassifyReferrer].
	Kind   ReferrerKind `json:"kind"`
	Format string       `json:"format,omitempty"`
	// PredicateTypes are the in-toto predicate types it names, sorted.
	PredicateTypes []string `json:"predicateTypes,omitempty"`
	// Source is how the crawl found it: [SourceAPI], [SourceTagSchema] or
	// [SourceCosign].
	Source string `json:"source"`
	// Tag is the referrers or cosign tag it was found under, if any.
	Tag string `json:"tag,omitempty"`
}

// ReferrerTag is a tag that holds referrers of a digest rather than a
// release (see [Repository.ReferrerTags]).
type ReferrerTag struct {
	// Name is the tag, for example "sha256-<hex>.sig".
	Name string `json:"name"`
	// Subject is the digest the tag names, "sha256:<hex>".
	Subject string `json:"subject"`
	// Scheme is [SourceTagSchema] or [SourceCosign].
	Scheme string `json:"scheme"`
	// Attached says whether the subject is an image (or platform) of the
	// repository, whose Referrers then hold what the tag points to. A tag
	// of a digest the crawl did not find in the repository, or one left
	// unread because the registry's referrers API answered instead, is
	// kept here with Attached false and Note saying why.
	Attached bool   `json:"attached"`
	Note     string `json:"note,omitempty"`
}

// How a referrer was found.
const (
	// SourceAPI is the OCI 1.1 referrers API, GET /v2/<name>/referrers/<digest>.
	SourceAPI = "api"
	// SourceTagSchema is the referrers tag schema: the index tagged
	// "sha256-<hex>" (distribution-spec, "Referrers Tag Schema").
	SourceTagSchema = "tag-schema"
	// SourceCosign is cosign's tag convention "sha256-<hex>.sig|.att|.sbom".
	SourceCosign = "cosign"
)

// ReferrerKind says what a referrer is for.
type ReferrerKind string

// The kinds of referrer.
const (
	// KindSignature is a signature; Format "cosign", "notation" or
	// "sigstore".
	KindSignature ReferrerKind = "signature"
	// KindSBOM is a software bill of materials, or an attestation whose
	// predicate is one; Format "spdx", "cyclonedx" or "".
	KindSBOM ReferrerKind = "sbom"
	// KindProvenance is an in-toto attestation with a SLSA provenance
	// predicate; Format is the predicate type.
	KindProvenance ReferrerKind = "provenance"
	// KindAttestation is any other in-toto attestation; Format is its
	// predicate type when known.
	KindAttestation ReferrerKind = "attestation"
	// KindOther is anything else.
	KindOther ReferrerKind = "other"
)

// Media types and annotation keys of the supply-chain tools regcat names.
const (
	// ArtifactCosignSig is cosign's artifactType for OCI 1.1 signatures.
	ArtifactCosignSig = "application/vnd.dev.cosign.artifact.sig.v1+json"
	// MediaCosignSimpleSigning is the layer media type of cosign signatures.
	MediaCosignSimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json"
	// ArtifactNotation is notation's signature artifactType.
	ArtifactNotation = "application/vnd.cncf.notary.signature"
	// MediaSigstoreBundle is the prefix of sigstore bundle media types.
	MediaSigstoreBundle = "application/vnd.dev.sigstore.bundle"
	// MediaInToto is an in-toto statement.
	MediaInToto = "application/vnd.in-toto+json"
	// MediaDSSE is a DSSE envelope (cosign attestations).
	MediaDSSE = "application/vnd.dsse.envelope.v1+json"
	// KeyCosignPredicateType is the layer annotation cosign puts on its
	// attestation layers.
	KeyCosignPredicateType = "predicateType"
	// KeySigstorePredicateType is the annotation of sigstore bundles that
	// hold attestations.
	KeySigstorePredicateType = "dev.sigstore.bundle.predicateType"
)

// Referrer formats.
const (
	FormatCosign    = "cosign"
	FormatNotation  = "notation"
	FormatSigstore  = "sigstore"
	FormatSPDX      = "spdx"
	FormatCycloneDX = "cyclonedx"
)

// ClassifyReferrer names a referrer from its artifactType, the media types
// of its layers (when known), the in-toto predicate types it names, and
// hint, the kind its cosign tag suffix implies ("" when not found by a
// cosign tag). The artifactType rules come first, then predicate types,
// then layer media types, then the hint.
func ClassifyReferrer(artifactType string, layers, predicates []string, hint ReferrerKind) (ReferrerKind, string) {
	at := strings.ToLower(artifactType)
	switch {
	case at == ArtifactCosignSig:
		return KindSignature, FormatCosign
	case at == ArtifactNotation:
		return KindSignature, FormatNotation
	case strings.HasPrefix(at, MediaSigstoreBundle) && len(predicates) == 0:
		return KindSignature, FormatSigstore
	}
	if k, f := sbomFormat(at); k != "" {
		return k, f
	}
	for _, p := range predicates {
		if k, f := ClassifyPredicate(p); k == KindSBOM || k == KindProvenance {
			return k, f
		}
	}
	if len(predicates) > 0 {
		return KindAttestation, predicates[0]
	}
	for _, l := range layers {
		l = strings.ToLower(l)
		if l == MediaCosignSimpleSigning {
			return KindSignature, FormatCosign
		}
		if k, f := sbomFormat(l); k != "" {
			return k, f
		}
		if l == MediaInToto || l == MediaDSSE {
			return KindAttestation, ""
		}
	}
	switch {
	case at == MediaInToto || at == MediaDSSE:
		return KindAttestation, ""
	case hint == KindSignature:
		return KindSignature, FormatCosign
	case hint != "":
		return hint, ""
	}
	return KindOther, ""
}

// sbomFormat names an SBOM media type: SPDX (application/spdx+json,
// text/spdx…) or CycloneDX (application/vnd.cyclonedx…).
func sbomFormat(mt string) (ReferrerKind, string) {
	switch {
	case strings.HasPrefix(mt, "application/spdx"), strings.HasPrefix(mt, "text/spdx"):
		return KindSBOM, FormatSPDX
	case strings.HasPrefix(mt, "application/vnd.cyclonedx"):
		return KindSBOM, FormatCycloneDX
	}
	return "", ""
}

// ClassifyPredicate names an in-toto predicate type: SPDX and CycloneDX
// documents are SBOMs, SLSA provenance is provenance (Format the predicate
// type), the rest attestations.
func ClassifyPredicate(p string) (ReferrerKind, string) {
	lp := strings.ToLower(p)
	switch {
	case strings.HasPrefix(lp, "https://spdx.dev/document"):
		return KindSBOM, FormatSPDX
	case strings.HasPrefix(lp, "https://cyclonedx.org/bom"):
		return KindSBOM, FormatCycloneDX
	case strings.HasPrefix(lp, "https://slsa.dev/provenance/"):
		return KindProvenance, p
	}
	return KindAttestation, p
}

// Supply sums up what an image's referrers and attestation manifests say
// about it, for markers and badges.
type Supply struct {
	// Signed lists the signature formats found, sorted and distinct
	// ("cosign", "notation", "sigstore").
	Signed []string
	// SBOM lists the SBOM formats found, sorted and distinct; an SBOM of
	// unknown format is "unknown".
	SBOM []string
	// Provenance is set when a SLSA provenance attestation was found.
	Provenance bool
}

// SupplyOf sums up im's referrers and the predicate types of its index's
// attestation manifests.
func SupplyOf(im *Image) Supply {
	var s Supply
	add := func(k ReferrerKind, f string) {
		switch k {
		case KindSignature:
			s.Signed = append(s.Signed, f)
		case KindSBOM:
			if f == "" {
				f = "unknown"
			}
			s.SBOM = append(s.SBOM, f)
		case KindProvenance:
			s.Provenance = true
		}
	}
	for _, r := range im.Referrers {
		add(r.Kind, r.Format)
		for _, p := range r.PredicateTypes {
			add(ClassifyPredicate(p))
		}
	}
	for _, a := range im.Attestations {
		for _, p := range a.PredicateTypes {
			add(ClassifyPredicate(p))
		}
	}
	slices.Sort(s.Signed)
	s.Signed = slices.Compact(s.Signed)
	slices.Sort(s.SBOM)
	s.SBOM = slices.Compact(s.SBOM)
	return s
}
