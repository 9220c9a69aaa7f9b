package render

import (
	"cmp"
	"slices"

	"github.com/regcat/regcat/snapshot"
)

// knownKey is a well-known piece of image metadata with its OCI
// annotation key (OCI Image Format Specification, "Pre-Defined Annotation
// Keys") and the older Label Schema key that means the same
// (label-schema.org rc1, mapped as the OCI spec's "Back-compatibility with
// Label Schema" table does).
type knownKey struct {
	name   string // friendly name shown on pages
	oci    string
	schema string // "" when Label Schema has no equivalent
	link   bool   // the value is a URL
}

// knownKeys in display order.
var knownKeys = []knownKey{
	{name: "Title", oci: "org.opencontainers.image.title", schema: "org.label-schema.name"},
	{name: "Description", oci: "org.opencontainers.image.description", schema: "org.label-schema.description"},
	{name: "Version", oci: "org.opencontainers.image.version", schema: "org.label-schema.version"},
	{name: "Revision", oci: "org.opencontainers.image.revision", schema: "org.label-schema.vcs-ref"},
	{name: "Source", oci: "org.opencontainers.image.source", schema: "org.label-schema.vcs-url", link: true},
	{name: "Home page", oci: "org.opencontainers.image.url", schema: "org.label-schema.url", link: true},
	{name: "Documentation", oci: "org.opencontainers.image.documentation", schema: "org.label-schema.usage", link: true},
	{name: "Licenses", oci: "org.opencontainers.image.licenses"},
	{name: "Vendor", oci: "org.opencontainers.image.vendor", schema: "org.label-schema.vendor"},
	{name: "Authors", oci: "org.opencontainers.image.authors"},
	{name: "Built", oci: "org.opencontainers.image.created", schema: "org.label-schema.build-date"},
	{name: "Reference name", oci: "org.opencontainers.image.ref.name"},
	{name: "Base image", oci: "org.opencontainers.image.base.name"},
	{name: "Base digest", oci: "org.opencontainers.image.base.digest"},
}

// Keys of knownKeys used directly.
const (
	keyVersion  = "org.opencontainers.image.version"
	keyRevision = "org.opencontainers.image.revision"
	keySource   = "org.opencontainers.image.source"
	keyDocs     = "org.opencontainers.image.documentation"
	keyURL      = "org.opencontainers.image.url"
	keyLicenses = "org.opencontainers.image.licenses"
	keyBaseName = "org.opencontainers.image.base.name"
	keyBaseDig  = "org.opencontainers.image.base.digest"
)

var knownByOCI = func() map[string]knownKey {
	m := make(map[string]knownKey, len(knownKeys))
	for _, k := range knownKeys {
		m[k.oci] = k
	}
	return m
}()

var schemaKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range knownKeys {
		if k.schema != "" {
			m[k.schema] = true
		}
	}
	return m
}()

// label returns the value of the OCI key oci for an image, falling back to
// its Label Schema equivalent.
func label(im *snapshot.Image, oci string) string {
	if v := im.Label(oci); v != "" {
		return v
	}
	if k, ok := knownByOCI[oci]; ok && k.schema != "" {
		return im.Label(k.schema)
	}
	return ""
}

// metaEntry is one label or annotation of an image.
type metaEntry struct {
	key, value, source string
}

// metadata collects an image's annotations and labels: the top-level
// manifest's (or index's) annotations, then each platform's config labels
// and manifest annotations. Equal entries from several platforms are kept
// once. The result is sorted by key, value, source.
func metadata(im *snapshot.Image, isIndex bool) []metaEntry {
	var out []metaEntry
	add := func(m map[string]string, source string) {
		for k, v := range m {
			out = append(out, metaEntry{key: k, value: v, source: source})
		}
	}
	top := "manifest annotation"
	if isIndex {
		top = "index annotation"
	}
	add(im.Annotations, top)
	for i := range im.Platforms {
		add(im.Platforms[i].Config.Labels, "label")
		add(im.Platforms[i].Annotations, "manifest annotation")
	}
	slices.SortFunc(out, func(a, b metaEntry) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.value, b.value), cmp.Compare(a.source, b.source))
	})
	return slices.Compact(out)
}
