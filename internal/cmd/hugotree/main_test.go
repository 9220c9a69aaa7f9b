package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// testSnapshot writes a snapshot of two repositories, one nested under
// the other's name, and returns its directory.
func testSnapshot(t *testing.T) string {
	t.Helper()
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	image := func(hex byte, tags ...string) snapshot.Image {
		d := "sha256:" + strings.Repeat(string(hex), 64)
		return snapshot.Image{
			Digest: d, MediaType: "application/vnd.oci.image.manifest.v1+json", Kind: snapshot.KindImage,
			Tags: tags, Created: created, Size: 2048,
			Platforms: []snapshot.Platform{{
				OS: "linux", Architecture: "arm64", Variant: "v8", Digest: d, MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 2048,
				Config: snapshot.Config{Created: created, Labels: map[string]string{"org.opencontainers.image.version": tags[0], "<b>": "a&b"},
					History: []snapshot.History{{CreatedBy: "ENV A=1", EmptyLayer: true}, {CreatedBy: "COPY . /"}}},
				Layers: []snapshot.Layer{{Digest: "sha256:" + strings.Repeat("e", 64), MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Size: 1900}},
			}},
		}
	}
	repos := []snapshot.Repository{
		{Name: "team/app", Tags: []snapshot.Tag{{Name: "1.0", Digest: "sha256:" + strings.Repeat("a", 64)}, {Name: "latest", Digest: "sha256:" + strings.Repeat("a", 64)}, {Name: "0.9", Digest: "sha256:" + strings.Repeat("b", 64)}},
			Images: []snapshot.Image{image('a', "1.0", "latest"), image('b', "0.9")}},
		{Name: "team/app/cli", Tags: []snapshot.Tag{{Name: "1.0", Digest: "sha256:" + strings.Repeat("c", 64)}}, Images: []snapshot.Image{image('c', "1.0")}},
	}
	s, err := snapshot.Build(snapshot.Index{Registry: "registry.example", CrawledAt: created}, repos)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snapshot")
	if err := snapshot.Write(t.Context(), dir, s); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRun checks the site's content tree: one page per repository and
// per image, each with front matter that decodes to what the snapshot
// holds, sections for the parents, and the embedded layouts.
func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	var stdout bytes.Buffer
	if err := run([]string{"--snapshot", testSnapshot(t), "--out", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := filepath.WalkDir(filepath.Join(out, "content"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := "sha256-"+strings.Repeat("a", 64), "sha256-"+strings.Repeat("b", 64), "sha256-"+strings.Repeat("c", 64)
	want := []string{
		"content/_index.md", "content/r/_index.md", "content/r/team/_index.md",
		"content/r/team/app/_index.md", "content/r/team/app/cli/_index.md", "content/r/team/app/cli/" + c + ".md",
		"content/r/team/app/" + a + ".md", "content/r/team/app/" + b + ".md",
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("content files:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(stdout.String(), "8 content pages") {
		t.Errorf("stdout %q does not count 8 content pages", stdout.String())
	}
	for _, f := range []string{"hugo.toml", "layouts/_default/baseof.html", "layouts/repo/list.html", "layouts/image/single.html", "static/style.css"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	toml, err := os.ReadFile(filepath.Join(out, "hugo.toml"))
	if err != nil || !strings.HasSuffix(string(toml), "title = \"registry.example catalog\"\n") {
		t.Errorf("hugo.toml: %v\n%s", err, toml)
	}

	var repo struct {
		Type    string
		Name    string
		History []row
	}
	frontMatter(t, filepath.Join(out, "content/r/team/app/_index.md"), &repo)
	if repo.Type != "repo" || repo.Name != "team/app" || len(repo.History) != 2 {
		t.Fatalf("repository page: %+v", repo)
	}
	if r := repo.History[0]; !slices.Equal(r.Tags, []string{"1.0", "latest"}) || r.Href != a+"/" || r.Size != badge.HumanSize(2048) || r.Platforms != "linux/arm64/v8" || r.Version != "1.0" {
		t.Errorf("first history row: %+v", r)
	}

	var img struct {
		Type, Repo, Digest string
		Platforms          []struct {
			Name   string
			Layers []struct{ Step string }
		}
		Labels []map[string]string
	}
	frontMatter(t, filepath.Join(out, "content/r/team/app/"+b+".md"), &img)
	if img.Type != "image" || img.Repo != "team/app" || img.Digest != "sha256:"+strings.Repeat("b", 64) {
		t.Fatalf("image page: %+v", img)
	}
	if len(img.Platforms) != 1 || len(img.Platforms[0].Layers) != 1 || img.Platforms[0].Layers[0].Step != "COPY . /" {
		t.Errorf("image platforms (the empty ENV step has no layer): %+v", img.Platforms)
	}
	if len(img.Labels) != 2 || img.Labels[0]["key"] != "<b>" || img.Labels[0]["value"] != "a&b" {
		t.Errorf("image labels: %v", img.Labels)
	}
}

// frontMatter decodes the JSON front matter of the content file p into v.
func frontMatter(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

// TestRunRefusesExisting checks that an existing output directory is
// left alone.
func TestRunRefusesExisting(t *testing.T) {
	out := t.TempDir()
	if err := run([]string{"--snapshot", testSnapshot(t), "--out", out}, &bytes.Buffer{}); err == nil {
		t.Fatal("run wrote into an existing directory")
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("existing directory now holds %d entries", len(ents))
	}
}
