package snapshot

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDecodeVersions decodes index and repository files of every schema
// version: the current one, version 1 (converted), and unknown ones.
func TestDecodeVersions(t *testing.T) {
	const summary = `{"name":"a","path":"repos/a.json","tags":1,"images":1,"lastCreated":"2025-01-01T00:00:00Z","size":3,"title":"A","failures":1}`
	const summaryV1 = `{"name":"a","path":"repos/a.json","tags":1,"images":1,"newestTag":"v1","lastCreated":"2025-01-01T00:00:00Z","size":3,"title":"A","failures":1}`
	index := func(version, summary string) string {
		return `{"schemaVersion":` + version + `,"registry":"r","crawledAt":"2025-01-01T00:00:00Z","repositories":[` + summary + `],` +
			`"failures":[{"op":"catalog","error":"x"}],"skipped":[{"name":"B","reason":"invalid name"}]}`
	}
	wantIndex := Index{SchemaVersion: SchemaVersion, Registry: "r", CrawledAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		Repositories: []RepoSummary{{Name: "a", Path: "repos/a.json", Tags: 1, Images: 1, LastCreated: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Size: 3, Title: "A", Failures: 1}},
		Failures:     []Failure{{Op: "catalog", Error: "x"}}, Skipped: []Skipped{{Name: "B", Reason: "invalid name"}}}
	indexTests := []struct {
		name, doc string
		wantErr   error // nil: decodes to wantIndex
		errText   string
	}{
		{"current", index("3", summary), nil, ""},
		{"version 2", index("2", summary), nil, ""},
		{"version 2 with a shard", index("2", summary)[:len(index("2", summary))-1] + `,"shard":{"index":1,"count":2}}`, nil, "unknown field"},
		{"version 1", index("1", summaryV1), nil, ""},
		{"version 1 without newestTag", index("1", summary), nil, ""},
		{"version 1 with an unknown field", index("1", strings.Replace(summaryV1, `"size"`, `"defaultTag":"v1","size"`, 1)), nil, "unknown field"},
		{"version 4", index("4", summary), ErrSchemaVersion, ""},
		{"version 0", index("0", summary), ErrSchemaVersion, ""},
		{"no version", `{"registry":"r"}`, ErrSchemaVersion, ""},
		{"trailing data", index("1", summaryV1) + "{}", nil, "decode"},
	}
	for _, tt := range indexTests {
		t.Run("index "+tt.name, func(t *testing.T) {
			idx, err := DecodeIndex(strings.NewReader(tt.doc))
			switch {
			case tt.wantErr != nil || tt.errText != "":
				if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("DecodeIndex = %v, want %v %q", err, tt.wantErr, tt.errText)
				}
			case err != nil:
				t.Fatal(err)
			default:
				got, _ := Marshal(idx)
				want, _ := Marshal(&wantIndex)
				if string(got) != string(want) {
					t.Errorf("decoded\n%s\nwant\n%s", got, want)
				}
			}
		})
	}

	repo := func(version string) string {
		return `{"schemaVersion":` + version + `,"name":"a","tags":[],"images":[]}`
	}
	for _, tt := range []struct {
		name, doc string
		ok        bool
	}{
		{"current", repo("3"), true},
		{"version 2", repo("2"), true},
		{"version 1", repo("1"), true},
		{"version 4", repo("4"), false},
		{"version 0", repo("0"), false},
		{"no version", `{"name":"a","tags":[],"images":[]}`, false},
		{"version 4 with a new field", `{"schemaVersion":4,"name":"a","tags":[],"images":[],"later":1}`, false},
	} {
		t.Run("repository "+tt.name, func(t *testing.T) {
			r, err := DecodeRepository(strings.NewReader(tt.doc))
			if !tt.ok {
				if !errors.Is(err, ErrSchemaVersion) {
					t.Fatalf("DecodeRepository = %v, want ErrSchemaVersion", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.SchemaVersion != SchemaVersion || r.Name != "a" {
				t.Errorf("decoded %+v", r)
			}
		})
	}
}

// TestReadVersion1Snapshot reads a snapshot directory written by version
// 1 and writes it back as the current version.
func TestReadVersion1Snapshot(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		IndexFile:      `{"schemaVersion":1,"registry":"r","crawledAt":"2025-01-01T00:00:00Z","repositories":[{"name":"a","path":"repos/a.json","tags":0,"images":0,"newestTag":"x"}]}`,
		"repos/a.json": `{"schemaVersion":1,"name":"a","tags":[],"images":[]}`,
	}
	writeFiles(t, dir, files)
	s, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Index.SchemaVersion != SchemaVersion || len(s.Repositories) != 1 || s.Repositories[0].SchemaVersion != SchemaVersion {
		t.Fatalf("read %+v", s)
	}
	if err := Write(t.Context(), dir, s); err != nil {
		t.Fatal(err)
	}
	for name, b := range readTree(t, dir) {
		if !strings.Contains(string(b), `"schemaVersion": 3`) {
			t.Errorf("%s after rewrite:\n%s", name, b)
		}
	}
}

// writeFiles writes files (slash-separated path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
