package catalog

import (
	"slices"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

// TestLabelSchemaTable holds LabelSchema to the pairs of
// snapshot.KnownKeys: each pair in one is in the other.
func TestLabelSchemaTable(t *testing.T) {
	for _, k := range snapshot.KnownKeys {
		if k.Schema == "" {
			continue
		}
		if oci, ok := ToOCI(k.Schema); !ok || oci != k.OCI {
			t.Errorf("ToOCI(%q) = %q, %v; snapshot.KnownKeys says %q", k.Schema, oci, ok, k.OCI)
		}
	}
	for _, e := range LabelSchema {
		if e.OCI == "" || e.Schema == "" {
			continue
		}
		if k, ok := Known(e.OCI); !ok || k.Schema != e.Schema {
			t.Errorf("LabelSchema maps %s to %s, snapshot.KnownKeys to %q", e.Schema, e.OCI, k.Schema)
		}
	}
	for _, key := range []string{"org.label-schema.schema-version", "org.label-schema.docker.cmd", snapshot.KeyTitle, "com.example.x"} {
		if oci, ok := ToOCI(key); ok {
			t.Errorf("ToOCI(%q) = %q, want no equivalent", key, oci)
		}
	}
}

// TestNormalized: Label Schema keys appear under their OCI keys with the
// key and source they came from, OCI keys first, keys without an OCI
// equivalent last, other keys not at all.
func TestNormalized(t *testing.T) {
	im := &snapshot.Image{
		Kind:        snapshot.KindIndex,
		Annotations: map[string]string{snapshot.KeyTitle: "from index"},
		Platforms: []snapshot.Platform{{
			Annotations: map[string]string{snapshot.KeyRevision: "abc"},
			Config: snapshot.Config{Labels: map[string]string{
				snapshot.SchemaKeyName:            "from label",
				snapshot.SchemaKeyVCSRef:          "abc",
				"org.label-schema.schema-version": "1.0",
				"com.example.other":               "x",
			}},
		}},
	}
	want := []Normal{
		{OCI: snapshot.KeyTitle, Entry: Entry{Key: snapshot.KeyTitle, Value: "from index", Source: "index annotation"}},
		{OCI: snapshot.KeyTitle, Entry: Entry{Key: snapshot.SchemaKeyName, Value: "from label", Source: "label"}},
		{OCI: snapshot.KeyRevision, Entry: Entry{Key: snapshot.KeyRevision, Value: "abc", Source: "manifest annotation"}},
		{OCI: snapshot.KeyRevision, Entry: Entry{Key: snapshot.SchemaKeyVCSRef, Value: "abc", Source: "label"}},
		{OCI: "", Entry: Entry{Key: "org.label-schema.schema-version", Value: "1.0", Source: "label"}},
	}
	if got := Normalized(Metadata(im)); !slices.Equal(got, want) {
		t.Errorf("Normalized:\n got %+v\nwant %+v", got, want)
	}
}
