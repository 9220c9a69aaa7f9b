package snapshot

import (
	"strings"
	"testing"
	"time"
)

// TestSummarizeFollowsDefaultImage: the index entry describes the image
// tagged latest, not the newest image, as the repository's page does
// (the case: tags 1.0 on a backport built after latest).
func TestSummarizeFollowsDefaultImage(t *testing.T) {
	d := func(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }
	at := func(day int) time.Time { return time.Date(2024, 5, day, 0, 0, 0, 0, time.UTC) }
	titled := func(title string) []Platform {
		return []Platform{{Config: Config{Labels: map[string]string{SchemaKeyName: title}}}}
	}
	tests := []struct {
		name      string
		images    []Image
		tag       string
		size      int64
		title     string
		lastDay   int
		noCreated bool
	}{
		{"latest beats newer backport", []Image{
			{Digest: d('a'), Tags: []string{"latest", "2.0"}, Created: at(1), Size: 1, Platforms: titled("two")},
			{Digest: d('b'), Tags: []string{"1.0"}, Created: at(2), Size: 2, Platforms: titled("one")},
		}, "latest", 1, "two", 2, false},
		{"newest tagged, shown by its last tag", []Image{
			{Digest: d('a'), Tags: []string{"1.0", "1.0.3"}, Created: at(3), Size: 3},
			{Digest: d('b'), Created: at(4), Size: 4},
			{Digest: d('c'), Tags: []string{"0.9"}, Created: at(2), Size: 2},
		}, "1.0.3", 3, "", 4, false},
		{"untagged: newest, ties by lowest digest", []Image{
			{Digest: d('b'), Created: at(4), Size: 5},
			{Digest: d('a'), Created: at(4), Size: 6},
		}, "", 6, "", 4, false},
		{"no images", nil, "", 0, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Summarize(&Repository{Name: "r", Images: tt.images})
			if err != nil {
				t.Fatal(err)
			}
			if s.DefaultTag != tt.tag || s.Size != tt.size || s.Title != tt.title {
				t.Errorf("got tag %q size %d title %q, want %q %d %q", s.DefaultTag, s.Size, s.Title, tt.tag, tt.size, tt.title)
			}
			if tt.noCreated != s.LastCreated.IsZero() || (!tt.noCreated && !s.LastCreated.Equal(at(tt.lastDay))) {
				t.Errorf("lastCreated %v, want the newest image's", s.LastCreated)
			}
		})
	}
}

func TestDisplayTag(t *testing.T) {
	for _, tt := range []struct {
		tags []string
		want string
	}{{nil, ""}, {[]string{"1.0", "latest", "stable"}, "latest"}, {[]string{"1", "1.2", "1.2.3"}, "1.2.3"}} {
		if got := DisplayTag(tt.tags); got != tt.want {
			t.Errorf("DisplayTag(%q) = %q, want %q", tt.tags, got, tt.want)
		}
	}
}
