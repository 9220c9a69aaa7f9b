package changes

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/regcat/regcat/snapshot"
)

// loadSchema compiles docs/snapshot-changes.schema.json, with the
// repository schema it refers to, asserting formats.
func loadSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	var id string
	for _, name := range []string{"snapshot-repository.schema.json", "snapshot-changes.schema.json"} {
		b, err := os.ReadFile(filepath.Join("..", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		id, _ = doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestSchema validates change-log files of every kind of change against
// the published schema, and checks that it rejects broken ones.
func TestSchema(t *testing.T) {
	sch := loadSchema(t)
	old := snap(t, t0, nil,
		repo("app", map[string]string{"latest": dA, "old": dB}),
		repo("gone", map[string]string{"latest": dC}))
	new := snap(t, t1, nil,
		repo("app", map[string]string{"latest": dB, "v2": dC}, dA),
		repo("new", map[string]string{"latest": dA}))
	s := Diff(old, new)
	if s.Count().Repositories != 3 {
		t.Fatalf("fixture change set: %s", s.Summary())
	}
	b, err := encodeFile(s)
	if err != nil {
		t.Fatal(err)
	}
	check := func(doc string) error {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		return sch.Validate(inst)
	}
	if err := check(string(b)); err != nil {
		t.Fatalf("change-log file does not match its schema: %v\n%s", err, b)
	}
	for _, tt := range []struct{ name, from, to string }{
		{"unknown status", `"status": "changed"`, `"status": "moved"`},
		{"schema version 2", `"schemaVersion": 3`, `"schemaVersion": 2`},
		{"bad digest", `"oldDigest": "` + dA, `"oldDigest": "md5:` + dA[7:]},
		{"time not in UTC", `"crawledAt": "2026-01-02T00:00:00Z"`, `"crawledAt": "2026-01-02T01:00:00+01:00"`},
		{"unknown field", `"registry":`, `"extra": 1, "registry":`},
		{"move without old digest", `"oldDigest": "` + dA + `",`, ``},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(string(b), tt.from, tt.to, 1)
			if doc == string(b) {
				t.Fatalf("%q not in the file", tt.from)
			}
			if err := check(doc); err == nil {
				t.Errorf("schema accepts a file with %s", tt.name)
			}
		})
	}
	if snapshot.SchemaVersion != 3 {
		t.Errorf("schema describes version 3, snapshot.SchemaVersion is %d", snapshot.SchemaVersion)
	}
}
