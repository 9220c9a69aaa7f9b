package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	digA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	digC = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

// writeSnap writes a snapshot crawled at day (of January 2026) holding
// repos, given as repository → tag → digest, into a new directory.
func writeSnap(t *testing.T, day int, repos map[string]map[string]string) string {
	t.Helper()
	var rs []snapshot.Repository
	for name, tags := range repos {
		r := snapshot.Repository{Name: name}
		seen := map[string]bool{}
		for tag, d := range tags {
			r.Tags = append(r.Tags, snapshot.Tag{Name: tag, Digest: d})
			if !seen[d] {
				seen[d] = true
				r.Images = append(r.Images, snapshot.Image{Digest: d, MediaType: "application/vnd.oci.image.manifest.v1+json", Kind: snapshot.KindImage})
			}
		}
		rs = append(rs, r)
	}
	s, err := snapshot.Build(snapshot.Index{Registry: "registry.example:5000", CrawledAt: time.Date(2026, 1, day, 3, 0, 0, 0, time.UTC)}, rs)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	if err := snapshot.Write(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDiffCommand runs regcat diff on two snapshot directories and
// compares its output with testdata/diff-*.golden (-update rewrites
// them: read the diff before committing).
func TestDiffCommand(t *testing.T) {
	old := writeSnap(t, 1, map[string]map[string]string{
		"team-a/api": {"latest": digA, "v1": digA, "v0": digB},
		"legacy":     {"latest": digC},
		"same":       {"latest": digC},
	})
	new := writeSnap(t, 2, map[string]map[string]string{
		"team-a/api": {"latest": digB, "v1": digA, "v2": digB},
		"team-b/web": {"latest": digC},
		"same":       {"latest": digC},
	})
	equal := writeSnap(t, 3, map[string]map[string]string{"same": {"latest": digC}})
	equalToo := writeSnap(t, 4, map[string]map[string]string{"same": {"latest": digC}})
	tests := []struct {
		name   string
		args   []string
		code   int
		golden string // "" means no output expected
		stderr string
	}{
		{"text", []string{"diff", old, new}, 1, "diff-text.golden", ""},
		{"json", []string{"diff", old, new, "--format", "json"}, 1, "diff-json.golden", ""},
		{"equal", []string{"diff", equal, equalToo}, 0, "diff-equal.golden", ""},
		{"equal json", []string{"diff", equal, equalToo, "--format=json"}, 0, "diff-equal-json.golden", ""},
		{"one argument", []string{"diff", old}, 2, "", "accepts 2 arg(s)"},
		{"bad format", []string{"diff", old, new, "--format", "yaml"}, 2, "", `"yaml" is not text or json`},
		{"missing snapshot", []string{"diff", old, filepath.Join(t.TempDir(), "none")}, 2, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, bytes.NewReader(nil), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) || (tt.stderr == "" && stderr.Len() > 0) {
				t.Errorf("stderr %q, want it to hold %q", stderr.String(), tt.stderr)
			}
			if tt.golden == "" {
				if stdout.Len() > 0 {
					t.Errorf("stdout %q, want none", stdout.String())
				}
				return
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if stdout.String() != string(want) {
				t.Errorf("output differs from %s:\n%s", path, stdout.String())
			}
		})
	}

	// The JSON output decodes to the change set itself.
	var stdout bytes.Buffer
	run(context.Background(), []string{"diff", old, new, "--format", "json"}, bytes.NewReader(nil), &stdout, &bytes.Buffer{})
	var set changes.Set
	if err := json.Unmarshal(stdout.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	if c := set.Count(); c != (changes.Counts{Repositories: 3, Added: 1, Removed: 1, NewTags: 2, ChangedTags: 1, DeletedTags: 2, NewImages: 1, DeletedImages: 1}) {
		t.Errorf("counts %+v", c)
	}
}
