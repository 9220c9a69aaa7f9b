package catalog

import (
	"cmp"
	"slices"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// SchemaPrefix starts every Label Schema key (label-schema.org rc1).
const SchemaPrefix = "org.label-schema."

// Equivalent is one row of the OCI Image Format Specification's
// "Back-compatibility with Label Schema" table (annotations.md): an OCI
// key and the Label Schema key that means the same. OCI is "" for a
// Label Schema key with no OCI equivalent, Schema "" for an OCI key with
// none in Label Schema; a Schema ending in "*" stands for every key with
// that prefix. Note is the table's compatibility note.
type Equivalent struct {
	OCI, Schema, Note string
}

// LabelSchema is the specification's back-compatibility table, row for
// row and in its order. snapshot.KnownKeys gives the same pairs (a test
// holds them together).
var LabelSchema = []Equivalent{
	{OCI: snapshot.KeyCreated, Schema: snapshot.SchemaKeyBuildDate, Note: "Compatible"},
	{OCI: snapshot.KeyURL, Schema: snapshot.SchemaKeyURL, Note: "Compatible"},
	{OCI: snapshot.KeySource, Schema: snapshot.SchemaKeyVCSURL, Note: "Compatible"},
	{OCI: snapshot.KeyVersion, Schema: snapshot.SchemaKeyVersion, Note: "Compatible"},
	{OCI: snapshot.KeyRevision, Schema: snapshot.SchemaKeyVCSRef, Note: "Compatible"},
	{OCI: snapshot.KeyVendor, Schema: snapshot.SchemaKeyVendor, Note: "Compatible"},
	{OCI: snapshot.KeyTitle, Schema: snapshot.SchemaKeyName, Note: "Compatible"},
	{OCI: snapshot.KeyDescription, Schema: snapshot.SchemaKeyDescription, Note: "Compatible"},
	{OCI: snapshot.KeyDocumentation, Schema: snapshot.SchemaKeyUsage, Note: "Value is compatible if the documentation is located by a URL"},
	{OCI: snapshot.KeyAuthors, Note: "No equivalent in Label Schema"},
	{OCI: snapshot.KeyLicenses, Note: "No equivalent in Label Schema"},
	{OCI: snapshot.KeyRefName, Note: "No equivalent in Label Schema"},
	{Schema: SchemaPrefix + "schema-version", Note: "No equivalent in the OCI Image Spec"},
	{Schema: SchemaPrefix + "docker.*", Note: "No equivalent in the OCI Image Spec"},
	{Schema: SchemaPrefix + "rkt.*", Note: "No equivalent in the OCI Image Spec"},
}

// ToOCI returns the OCI key that the Label Schema key means per
// LabelSchema, and false for any other key (an OCI key, a Label Schema
// key without an equivalent, an unrelated key).
func ToOCI(key string) (string, bool) {
	for _, e := range LabelSchema {
		if e.Schema == key && e.OCI != "" {
			return e.OCI, true
		}
	}
	return "", false
}

// Normal is one entry of an image's normalised metadata: a label or
// annotation whose key is an OCI pre-defined key or a Label Schema key,
// shown under OCI ("" when the Label Schema key has no OCI equivalent),
// with the key and place it was found under (Entry.Source).
type Normal struct {
	OCI string
	Entry
}

// Normalized returns the entries of meta (what Metadata returns) whose key is one of
// snapshot.KnownKeys (every OCI key of LabelSchema is), or starts with
// SchemaPrefix, each under its OCI key. They are ordered by the OCI key's
// place in snapshot.KnownKeys (those without an OCI key last), then the
// OCI key itself before the Label Schema one, then key, value and source.
func Normalized(meta []Entry) []Normal {
	var out []Normal
	for _, e := range meta {
		switch oci, ok := ToOCI(e.Key); {
		case ok:
			out = append(out, Normal{OCI: oci, Entry: e})
		case IsKnown(e.Key):
			out = append(out, Normal{OCI: e.Key, Entry: e})
		case strings.HasPrefix(e.Key, SchemaPrefix):
			out = append(out, Normal{Entry: e})
		}
	}
	slices.SortStableFunc(out, func(a, b Normal) int {
		return cmp.Or(cmp.Compare(knownRank(a.OCI), knownRank(b.OCI)), cmp.Compare(a.OCI, b.OCI),
			cmp.Compare(boolRank(a.Key != a.OCI), boolRank(b.Key != b.OCI)))
	})
	return out
}

// knownRank is the place of the OCI key oci in snapshot.KnownKeys, after
// all of them when it is not there ("" included).
func knownRank(oci string) int {
	i := slices.IndexFunc(snapshot.KnownKeys, func(k snapshot.KnownKey) bool { return k.OCI == oci })
	if i < 0 {
		return len(snapshot.KnownKeys)
	}
	return i
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
