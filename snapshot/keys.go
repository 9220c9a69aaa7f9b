package snapshot

// The metadata vocabulary: label and annotation keys that regcat reads,
// spelled once. Every other package refers to these names.

// OCI pre-defined annotation keys (OCI Image Format Specification,
// annotations.md, "Pre-Defined Annotation Keys"). Images carry them as
// manifest annotations or, by convention, as config labels.
const (
	KeyCreated       = "org.opencontainers.image.created"
	KeyAuthors       = "org.opencontainers.image.authors"
	KeyURL           = "org.opencontainers.image.url"
	KeyDocumentation = "org.opencontainers.image.documentation"
	KeySource        = "org.opencontainers.image.source"
	KeyVersion       = "org.opencontainers.image.version"
	KeyRevision      = "org.opencontainers.image.revision"
	KeyVendor        = "org.opencontainers.image.vendor"
	KeyLicenses      = "org.opencontainers.image.licenses"
	KeyRefName       = "org.opencontainers.image.ref.name"
	KeyTitle         = "org.opencontainers.image.title"
	KeyDescription   = "org.opencontainers.image.description"
	KeyBaseDigest    = "org.opencontainers.image.base.digest"
	KeyBaseName      = "org.opencontainers.image.base.name"
)

// Label Schema keys (label-schema.org rc1) that the OCI specification's
// "Back-compatibility with Label Schema" table maps to OCI keys.
const (
	SchemaKeyBuildDate   = "org.label-schema.build-date"
	SchemaKeyURL         = "org.label-schema.url"
	SchemaKeyUsage       = "org.label-schema.usage"
	SchemaKeyVCSURL      = "org.label-schema.vcs-url"
	SchemaKeyVersion     = "org.label-schema.version"
	SchemaKeyVCSRef      = "org.label-schema.vcs-ref"
	SchemaKeyVendor      = "org.label-schema.vendor"
	SchemaKeyName        = "org.label-schema.name"
	SchemaKeyDescription = "org.label-schema.description"
)

// Annotations that BuildKit sets on the attestation manifests it puts in
// an image index (buildkit docs/attestations/attestation-storage.md): the
// digest of the platform manifest an entry attests, and the kind of
// reference, RefTypeAttestation for attestations.
const (
	KeyRefDigest       = "vnd.docker.reference.digest"
	KeyRefType         = "vnd.docker.reference.type"
	RefTypeAttestation = "attestation-manifest"
)

// KeyPredicateType is the in-toto annotation on an attestation layer that
// names the predicate of the statement inside it.
const KeyPredicateType = "in-toto.io/predicate-type"

// KnownKey is a well-known piece of image metadata: its OCI key, the
// Label Schema key that means the same ("" when there is none), the name
// pages show it by, and whether its value is a URL.
type KnownKey struct {
	Name   string
	OCI    string
	Schema string
	Link   bool
}

// KnownKeys are the OCI pre-defined keys in display order, each with its
// Label Schema equivalent as the OCI back-compatibility table gives it.
var KnownKeys = []KnownKey{
	{Name: "Title", OCI: KeyTitle, Schema: SchemaKeyName},
	{Name: "Description", OCI: KeyDescription, Schema: SchemaKeyDescription},
	{Name: "Version", OCI: KeyVersion, Schema: SchemaKeyVersion},
	{Name: "Revision", OCI: KeyRevision, Schema: SchemaKeyVCSRef},
	{Name: "Source", OCI: KeySource, Schema: SchemaKeyVCSURL, Link: true},
	{Name: "Home page", OCI: KeyURL, Schema: SchemaKeyURL, Link: true},
	{Name: "Documentation", OCI: KeyDocumentation, Schema: SchemaKeyUsage, Link: true},
	{Name: "Licenses", OCI: KeyLicenses},
	{Name: "Vendor", OCI: KeyVendor, Schema: SchemaKeyVendor},
	{Name: "Authors", OCI: KeyAuthors},
	{Name: "Built", OCI: KeyCreated, Schema: SchemaKeyBuildDate},
	{Name: "Reference name", OCI: KeyRefName},
	{Name: "Base image", OCI: KeyBaseName},
	{Name: "Base digest", OCI: KeyBaseDigest},
}
