package catalog

import (
	"maps"
	"slices"
)

// LabelKey is one label or annotation key found on the catalog's images
// and the images that carry it. An image carries a key when its top-level
// manifest or index, or any of its platforms, has it (see [Metadata]): an
// index stands for its platforms.
type LabelKey struct {
	// Key is the key as the image sets it.
	Key string
	// Images counts the images that carry Key, with any value.
	Images int
	// Values are the values Key has, each once, sorted.
	Values []LabelValue
}

// LabelValue is one value of a key and the images that carry the key
// with that value, each once, in Catalog.Images order (repository name,
// then newest first). An image whose platforms disagree is listed under
// each of their values.
type LabelValue struct {
	Value  string
	Images []*Image
}

// labelIndex builds Catalog.Labels from images.
func labelIndex(images []*Image) []LabelKey {
	byKey := map[string]map[string][]*Image{}
	counts := map[string]int{}
	for _, ip := range images {
		seen := map[[2]string]bool{}
		keys := map[string]bool{}
		for _, e := range ip.Meta {
			kv := [2]string{e.Key, e.Value}
			if seen[kv] {
				continue // the same pair from another source or platform
			}
			seen[kv] = true
			vals := byKey[e.Key]
			if vals == nil {
				vals = map[string][]*Image{}
				byKey[e.Key] = vals
			}
			vals[e.Value] = append(vals[e.Value], ip)
			if !keys[e.Key] {
				keys[e.Key] = true
				counts[e.Key]++
			}
		}
	}
	out := make([]LabelKey, 0, len(byKey))
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		lk := LabelKey{Key: k, Images: counts[k]}
		for _, v := range slices.Sorted(maps.Keys(byKey[k])) {
			lk.Values = append(lk.Values, LabelValue{Value: v, Images: byKey[k][v]})
		}
		out = append(out, lk)
	}
	return out
}
