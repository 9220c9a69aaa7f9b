package render

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

var (
	// pluralOfOne is "1" followed by a plural: "1 tags".
	pluralOfOne = regexp.MustCompile(`\b1 (?:repositories|tags|images|failures|layers|steps|variables|platforms)\b`)
	// singularOfMany is another number followed by a singular: "2 tag".
	singularOfMany = regexp.MustCompile(`\b(?:0|[2-9]|\d\d+) (?:repository|tag|image|failure|layer|step|variable|platform)\b`)
)

// TestPlural renders sites whose counts are one and more than one and
// checks that every page counts with the right form of the noun.
func TestPlural(t *testing.T) {
	one := platform("amd64", "one", day(1), nil, []string{"SECRET=x"}, "only")
	one.Config.History = one.Config.History[1:] // one step, which made the one layer
	// A comment, which the layers table does not show, keeps the build
	// history on the page.
	one.Config.History[0].Comment = "by hand"
	arm := platform("arm64", "two", day(2), nil, []string{"A=1", "B=2"}, "first", "second")
	amd := platform("amd64", "two", day(2), nil, []string{"A=1", "B=2"}, "first", "second")
	tests := []struct {
		name  string
		repos []snapshot.Repository
		fails []snapshot.Failure
		want  []string // in the text of some page
	}{
		{
			name: "one",
			repos: []snapshot.Repository{func() snapshot.Repository {
				im := snapshot.Image{
					Digest: dg("index one"), MediaType: "application/vnd.oci.image.index.v1+json", Kind: snapshot.KindIndex,
					Tags: []string{"latest"}, Created: day(1), Size: one.Size, Platforms: []snapshot.Platform{one},
				}
				return snapshot.Repository{Name: "solo", Images: []snapshot.Image{im}, Tags: tagsOf(im)}
			}()},
			fails: []snapshot.Failure{{Op: "catalog", Status: 503, Error: "unavailable"}},
			want: []string{
				"1 repository · 1 tag · 1 image", "see 1 failure.", "total of 1 platform",
				"1 layer", "Build history (1 step)", "1 variable, not published",
			},
		},
		{
			name: "two",
			repos: []snapshot.Repository{
				func() snapshot.Repository {
					im := snapshot.Image{
						Digest: dg("index two"), MediaType: "application/vnd.oci.image.index.v1+json", Kind: snapshot.KindIndex,
						Tags: []string{"1", "latest"}, Created: day(2), Size: amd.Size + arm.Size, Platforms: []snapshot.Platform{amd, arm},
					}
					return snapshot.Repository{Name: "duo", Images: []snapshot.Image{im}, Tags: tagsOf(im)}
				}(),
				{Name: "empty"},
			},
			fails: []snapshot.Failure{{Op: "catalog", Status: 503, Error: "unavailable"}, {Op: "catalog", Status: 500, Error: "again"}},
			want: []string{
				"2 repositories · 2 tags · 1 image", "see 2 failures.", "total of 2 platforms",
				"2 layers", "Build history (4 steps)", "2 variables, not published",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := snapshot.Build(snapshot.Index{Registry: "r.example", Failures: tc.fails}, tc.repos)
			if err != nil {
				t.Fatal(err)
			}
			site := readTree(t, renderTo(t, Config{}, snap))
			var all strings.Builder
			for _, name := range slices.Sorted(maps.Keys(site)) {
				if !strings.HasSuffix(name, ".html") {
					continue
				}
				text := pageText(t, site[name])
				all.WriteString(text + "\n")
				for _, re := range []*regexp.Regexp{pluralOfOne, singularOfMany} {
					for _, m := range re.FindAllString(text, -1) {
						t.Errorf("%s says %q", name, m)
					}
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("no page says %q", w)
				}
			}
		})
	}
}
