package catalog

import (
	"cmp"
	"slices"

	"github.com/regcat/regcat/snapshot"
)

var knownByOCI = func() map[string]snapshot.KnownKey {
	m := make(map[string]snapshot.KnownKey, len(snapshot.KnownKeys))
	for _, k := range snapshot.KnownKeys {
		m[k.OCI] = k
	}
	return m
}()

var schemaKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range snapshot.KnownKeys {
		if k.Schema != "" {
			m[k.Schema] = true
		}
	}
	return m
}()

// Known returns the entry of snapshot.KnownKeys whose OCI key is oci.
func Known(oci string) (snapshot.KnownKey, bool) {
	k, ok := knownByOCI[oci]
	return k, ok
}

// IsKnown reports whether key is one of snapshot.KnownKeys, as an OCI
// key or as its Label Schema equivalent.
func IsKnown(key string) bool {
	_, ok := knownByOCI[key]
	return ok || schemaKeys[key]
}

// Label returns the value of the OCI key oci for an image (see
// snapshot.Image.Label), falling back to its Label Schema equivalent.
func Label(im *snapshot.Image, oci string) string {
	if v := im.Label(oci); v != "" {
		return v
	}
	if k, ok := knownByOCI[oci]; ok && k.Schema != "" {
		return im.Label(k.Schema)
	}
	return ""
}

// Entry is one label or annotation of an image, and where it is set:
// "index annotation" or "manifest annotation" for the top level,
// "label" or "manifest annotation" for a platform.
type Entry struct {
	Key, Value, Source string
}

// SourceLabel is the Entry.Source of a platform's config label.
const SourceLabel = "label"

// Metadata collects an image's annotations and labels: the top-level
// manifest's (or index's) annotations, then each platform's config labels
// and manifest annotations. Equal entries from several platforms are kept
// once. The result is sorted by key, value, source.
func Metadata(im *snapshot.Image) []Entry {
	n := len(im.Annotations)
	for i := range im.Platforms {
		n += len(im.Platforms[i].Config.Labels) + len(im.Platforms[i].Annotations)
	}
	if n == 0 {
		return nil
	}
	// Sized once: the catalog keeps every image's entries.
	out := make([]Entry, 0, n)
	add := func(m map[string]string, source string) {
		for k, v := range m {
			out = append(out, Entry{Key: k, Value: v, Source: source})
		}
	}
	top := "manifest annotation"
	if im.Kind == snapshot.KindIndex {
		top = "index annotation"
	}
	add(im.Annotations, top)
	for i := range im.Platforms {
		add(im.Platforms[i].Config.Labels, SourceLabel)
		add(im.Platforms[i].Annotations, "manifest annotation")
	}
	slices.SortFunc(out, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value), cmp.Compare(a.Source, b.Source))
	})
	return slices.Compact(out)
}
