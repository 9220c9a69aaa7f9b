package render

import (
	"cmp"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

func TestTagBadgesWants(t *testing.T) {
	tests := []struct {
		tag      string
		badgeTag string // "latest" when empty
		want     bool   // under the default policy
	}{
		// Channels, and the tag the repository's own badges follow.
		{tag: "latest", want: true}, {tag: "stable", want: true},
		{tag: "v1.2.3", badgeTag: "v1.2.3", want: true}, {tag: "main", badgeTag: "main", want: true},
		// Not the newest tag for being the newest: its badges would go
		// with the next release.
		{tag: "edge", want: false},
		// Moving version aliases: a major or a minor, with a variant.
		{tag: "1", want: true}, {tag: "v2", want: true}, {tag: "1.2", want: true}, {tag: "v1.2", want: true},
		{tag: "1.2-alpine", want: true}, {tag: "3.19-alpine", want: true}, {tag: "2-slim", want: true},
		{tag: "2024.05", want: true}, {tag: "1.2+build.5", want: true},
		// Full releases: immutable, so a README embeds their alias.
		{tag: "1.2.3", want: false}, {tag: "v1.2.3", want: false}, {tag: "1.2.3.4", want: false},
		{tag: "1.2.3-rc.1", want: false}, {tag: "v1.2.3-rc.1", want: false}, {tag: "1.2.3-alpine", want: false},
		{tag: "1.2.3+build.5", want: false}, {tag: "2024.05.01", want: false},
		// CI and branch tags.
		{tag: "sha-4f2a9c1", want: false}, {tag: "pr-123", want: false}, {tag: "main-123", want: false},
		{tag: "main", want: false}, {tag: "nightly", want: false},
		{tag: "4f2a9c1e0b5d7a3f8e6c2b1a0d9f8e7c6b5a4d3c", want: false}, {tag: "0123456", want: false},
		{tag: "20240501120000", want: false},
		// Not versions at all.
		{tag: "v", want: false}, {tag: "1.", want: false}, {tag: "1..2", want: false}, {tag: "-1", want: false},
		{tag: "x1.2", want: false}, {tag: "1.2-", want: false},
	}
	for _, tt := range tests {
		badge := cmp.Or(tt.badgeTag, "latest")
		if got := TagBadgesDefault.Wants(tt.tag, badge); got != tt.want {
			t.Errorf("default Wants(%q, %q) = %v, want %v", tt.tag, badge, got, tt.want)
		}
		if !TagBadgesAll.Wants(tt.tag, badge) || TagBadgesNone.Wants(tt.tag, badge) {
			t.Errorf("all or none wrong for %q", tt.tag)
		}
		if got := TagBadges("").Wants(tt.tag, badge); got != tt.want {
			t.Errorf("zero policy Wants(%q) = %v, want the default %v", tt.tag, got, tt.want)
		}
	}
	for _, s := range []string{"all", "default", "none"} {
		if p, err := ParseTagBadges(s); err != nil || string(p) != s {
			t.Errorf("ParseTagBadges(%q) = %q, %v", s, p, err)
		}
	}
	if _, err := ParseTagBadges("some"); err == nil {
		t.Error("ParseTagBadges(some) = nil error")
	}
}

// TestTagBadgePolicies renders one repository with release and CI tags
// under each policy: the tag badge directories written are those the
// policy wants, the repository's own badges are always there, and every
// badge a page shows or offers in a snippet exists in the site.
func TestTagBadgePolicies(t *testing.T) {
	tags := []string{"1.2.3", "1.2", "latest", "sha-4f2a9c1", "pr-7", "main-123"}
	var ims []snapshot.Image
	for i, tag := range tags {
		ims = append(ims, single("app:"+tag, []string{tag}, platform("amd64", "app:"+tag, day(1+i), nil, nil, "app"+tag)))
	}
	snap, err := snapshot.Build(snapshot.Index{Registry: "r.example"}, []snapshot.Repository{{Name: "app", Images: ims, Tags: tagsOf(ims...)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		policy TagBadges
		want   []string
	}{
		{TagBadgesAll, tags},
		{TagBadgesDefault, []string{"1.2", "latest"}},
		{TagBadgesNone, nil},
	}
	badgeRef := regexp.MustCompile(`badges/[A-Za-z0-9._/-]+\.(?:svg|json)`)
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			out := renderTo(t, Config{TagBadges: tt.policy, BaseURL: "https://example.test/cat/"}, snap)
			site := readTree(t, out)
			if _, ok := site["badges/app/version.svg"]; !ok {
				t.Error("the repository's own badges are missing")
			}
			for _, tag := range tags {
				_, got := site["badges/app/"+tag+"/version.svg"]
				want := strings.Contains(" "+strings.Join(tt.want, " ")+" ", " "+tag+" ")
				if got != want {
					t.Errorf("badges of tag %s written: %v, want %v", tag, got, want)
				}
			}
			offered := 0
			for name, b := range site {
				if filepath.Ext(name) != ".html" {
					continue
				}
				for _, ref := range badgeRef.FindAllString(string(b), -1) {
					offered++
					if _, ok := site[ref]; !ok {
						t.Errorf("%s shows or offers %s, which was not written", name, ref)
					}
				}
			}
			if offered == 0 {
				t.Error("no page offers a badge")
			}
		})
	}
}
