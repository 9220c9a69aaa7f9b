package render

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

// TestTruncationNotices renders a snapshot whose catalog and one
// repository were cut at the crawl's caps, and checks that the index,
// the index row and the repository page say so, and that a repository
// that was not cut says nothing.
func TestTruncationNotices(t *testing.T) {
	var repos []snapshot.Repository
	for i, n := range []string{"big", "small"} {
		p := platform("amd64", n, day(1+i), nil, nil, "l-"+n)
		im := single(n, []string{"latest"}, p)
		repos = append(repos, snapshot.Repository{Name: n, Images: []snapshot.Image{im}, Tags: tagsOf(im)})
	}
	repos[0].Truncated = &snapshot.Truncation{Limit: 1, Listed: 101}
	snap, err := snapshot.Build(snapshot.Index{Registry: "r.example", Truncated: &snapshot.Truncation{Limit: 2, Listed: 3}}, repos)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Render(context.Background(), Config{Out: out}, snap); err != nil {
		t.Fatal(err)
	}
	site := readTree(t, out)
	tests := []struct {
		file, want string
		present    bool
	}{
		{"index.html", "its catalog listed at least 3 before listing stopped at the cap of 2", true},
		{"index.html", "big truncated", true},
		{"index.html", "small truncated", false},
		{"r/big/index.html", "the registry listed at least 101 before listing stopped at the cap of 1", true},
		{"r/small/index.html", "more tags than the crawl keeps", false},
	}
	for _, tt := range tests {
		page := pageText(t, site[tt.file])
		if got := strings.Contains(page, tt.want); got != tt.present {
			t.Errorf("%s: contains %q = %v, want %v\n%s", tt.file, tt.want, got, tt.present, page)
		}
	}
}
