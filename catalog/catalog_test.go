package catalog

import (
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// digest returns a valid sha256 digest made of c.
func digest(c string) string { return "sha256:" + strings.Repeat(c, 64) }

// repo builds a repository whose images are created on the given days
// (of June 2024) and tagged as tags says, one image per digest letter.
func repo(name string, days map[string]int, tags map[string]string) snapshot.Repository {
	r := snapshot.Repository{Name: name}
	for d, day := range days {
		r.Images = append(r.Images, snapshot.Image{
			Digest:  digest(d),
			Kind:    snapshot.KindImage,
			Created: time.Date(2024, 6, day, 0, 0, 0, 0, time.UTC),
		})
	}
	for t, d := range tags {
		r.Tags = append(r.Tags, snapshot.Tag{Name: t, Digest: digest(d)})
	}
	return r
}

// TestDefaultImage checks the one rule for a repository's representative
// image on the catalog, with invalid tags, a --badge-tag preference and
// untagged images, and that the published summary follows it.
func TestDefaultImage(t *testing.T) {
	tests := []struct {
		name             string
		r                snapshot.Repository
		prefer           string
		wantDig, wantTag string // wantDig "" when the repository has no images
	}{
		{"latest wins over a newer backport",
			repo("a", map[string]int{"a": 1, "b": 2}, map[string]string{"latest": "a", "1.0": "a", "0.9.1": "b"}),
			"", digest("a"), "latest"},
		{"preferred tag",
			repo("a", map[string]int{"a": 1, "b": 2}, map[string]string{"latest": "a", "stable": "b"}),
			"stable", digest("b"), "stable"},
		{"no latest: newest tagged image by its display tag",
			repo("a", map[string]int{"a": 1, "b": 2, "c": 3}, map[string]string{"1.0": "a", "1.1": "b", "2.0-rc": "b"}),
			"", digest("b"), "2.0-rc"},
		{"invalid tag never chosen",
			repo("a", map[string]int{"a": 1, "b": 2}, map[string]string{"1.0": "a", "-latest": "b"}),
			"", digest("a"), "1.0"},
		{"untagged: the newest image, no tag",
			repo("a", map[string]int{"a": 1, "b": 2}, nil),
			"", digest("b"), ""},
		{"no images", snapshot.Repository{Name: "a"}, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := &snapshot.Snapshot{Repositories: []snapshot.Repository{tt.r}}
			for i := range snap.Repositories[0].Images {
				im := &snap.Repositories[0].Images[i]
				for _, tg := range tt.r.Tags {
					if tg.Digest == im.Digest && snapshot.ValidateTag(tg.Name) == nil {
						im.Tags = append(im.Tags, tg.Name)
					}
				}
			}
			c := New(snap, Config{Prefer: tt.prefer})
			if len(c.Repos) != 1 {
				t.Fatalf("%d repositories, want 1", len(c.Repos))
			}
			rp := c.Repos[0]
			gotDig := ""
			if rp.Default != nil {
				gotDig = rp.Default.Snap.Digest
			}
			if gotDig != tt.wantDig || rp.DefaultTag != tt.wantTag {
				t.Errorf("default %s %q, want %s %q", gotDig, rp.DefaultTag, tt.wantDig, tt.wantTag)
			}
			if rp.Summary.DefaultTag != tt.wantTag {
				t.Errorf("summary defaultTag %q, want %q", rp.Summary.DefaultTag, tt.wantTag)
			}
		})
	}
}
