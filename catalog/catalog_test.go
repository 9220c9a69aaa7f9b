package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/changes"
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
				gotDig = rp.Default.Digest
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

// TestHistory: the change log's entries newest first, per repository,
// links only to images that still exist, and when each tag got its
// current digest as far as the log knows.
func TestHistory(t *testing.T) {
	const (
		dA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		dB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	)
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	snap, err := snapshot.Build(snapshot.Index{Registry: "r", CrawledAt: t2}, []snapshot.Repository{{
		Name:   "app",
		Tags:   []snapshot.Tag{{Name: "latest", Digest: dB}, {Name: "old", Digest: dA}, {Name: "v1", Digest: dB}},
		Images: []snapshot.Image{{Digest: dA, Tags: []string{"old"}}, {Digest: dB, Tags: []string{"latest", "v1"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	log := &changes.Log{Sets: []*changes.Set{
		{Registry: "r", CrawledAt: t1, Repositories: []changes.Repo{
			{Name: "app", Status: changes.Changed, NewTags: []changes.Tag{{Name: "latest", Digest: dA}, {Name: "v1", Digest: dB}}},
			{Name: "gone", Status: changes.Removed, DeletedTags: []changes.Tag{{Name: "x", Digest: dA}}},
		}},
		{Registry: "r", CrawledAt: t2, Repositories: []changes.Repo{
			{Name: "app", Status: changes.Changed, ChangedTags: []changes.Move{{Name: "latest", OldDigest: dA, Digest: dB}},
				DeletedImages: []string{"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"}},
		}},
	}}
	c := New(snap, Config{History: log})
	if len(c.Changes) != 3 || !c.Changes[0].Set.CrawledAt.Equal(t2) || c.Changes[1].Repo.Name != "app" || c.Changes[2].Repo.Name != "gone" {
		t.Fatalf("changes %+v", c.Changes)
	}
	if c.Changes[2].Current != nil || c.Changes[2].HasImage(dA) {
		t.Error("a removed repository's change links to it")
	}
	app := c.Repos[0]
	if len(app.Changes) != 2 || !app.Changes[0].HasImage(dB) || app.Changes[0].HasImage("sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc") {
		t.Errorf("repository changes %+v", app.Changes)
	}
	for _, tt := range []struct {
		tag  string
		want time.Time
	}{{"latest", t2}, {"v1", t1}, {"old", time.Time{}}, {"missing", time.Time{}}} {
		if got := app.Tagged(tt.tag); !got.Equal(tt.want) {
			t.Errorf("Tagged(%s) = %s, want %s", tt.tag, got, tt.want)
		}
	}
	if New(snap, Config{}).Changes != nil {
		t.Error("no history, yet changes")
	}
}

// TestLoad: a repository's whole record comes back from the snapshot
// with each compact image's record, and a snapshot that no longer holds
// what the catalog read is refused rather than shown.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	snap := &snapshot.Snapshot{Repositories: []snapshot.Repository{
		repo("a", map[string]int{"a": 1, "b": 2}, map[string]string{"1": "a", "2": "b"}),
		repo("b", map[string]int{"c": 3}, nil),
	}}
	c := New(snap, Config{})
	for _, rp := range c.Repos {
		full, err := c.Load(ctx, rp)
		if err != nil {
			t.Fatal(err)
		}
		if full.Repo.Name != rp.Name {
			t.Errorf("loaded %s for %s", full.Repo.Name, rp.Name)
		}
		for _, ip := range rp.Images {
			if im := full.Image(ip); im.Digest != ip.Digest || !im.Created.Equal(ip.Created) {
				t.Errorf("%s: full record %s, want %s", rp.Name, im.Digest, ip.Digest)
			}
		}
	}
	snap.Repositories[0].Images = snap.Repositories[0].Images[:1]
	if _, err := c.Load(ctx, c.Repos[0]); !errors.Is(err, ErrChanged) {
		t.Errorf("snapshot changed: %v, want ErrChanged", err)
	}
	snap.Repositories[1].Name = "c"
	if _, err := c.Load(ctx, c.Repos[1]); !errors.Is(err, ErrChanged) {
		t.Errorf("repository renamed: %v, want ErrChanged", err)
	}
}

// TestCompactLabel: the compact record answers every key as the
// snapshot's image does (snapshot.Image.Label), where the manifest,
// platforms' labels and platforms' annotations agree, disagree or
// leave a key out.
func TestCompactLabel(t *testing.T) {
	plat := func(labels, annotations map[string]string) snapshot.Platform {
		return snapshot.Platform{OS: "linux", Architecture: "amd64", Digest: digest("p"),
			Config: snapshot.Config{Labels: labels}, Annotations: annotations}
	}
	images := []snapshot.Image{
		{Annotations: map[string]string{"a": "top", "b": ""},
			Platforms: []snapshot.Platform{plat(map[string]string{"a": "label", "c": "label"}, map[string]string{"c": "ann", "d": "ann"})}},
		{Kind: snapshot.KindIndex, Platforms: []snapshot.Platform{
			plat(map[string]string{"a": "one"}, nil),
			plat(map[string]string{"a": "two", "b": "two"}, map[string]string{"b": "ann", "e": "x"}),
			plat(nil, map[string]string{"a": "three", "e": "x"}),
		}},
		{Platforms: []snapshot.Platform{plat(map[string]string{"a": "same"}, map[string]string{"a": "same"})}},
	}
	keys := []string{"a", "b", "c", "d", "e", "f"}
	for i, im := range images {
		im.Digest = digest(string(rune('a' + i)))
		ip := compact(&Repo{Name: "r", values: stringSet{}}, &im, 0, newInterner())
		for _, k := range keys {
			if got, want := ip.RawLabel(k), im.Label(k); got != want {
				t.Errorf("image %d, key %s: %q, want %q", i, k, got, want)
			}
		}
	}
}
