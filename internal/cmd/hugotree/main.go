// Command hugotree writes a Hugo site holding the pages of a regcat
// snapshot, so that regcat's render speed can be set beside Hugo's on the
// same data (scripts/hugo-compare.sh, docs/benchmarks.md):
//
//	go run ./internal/cmd/hugotree --snapshot DIR --out SITE
//	hugo --minify -s SITE
//
// The site has one page per repository (its tag history: tags, digest,
// created, size, platforms, version) and one per image digest (tags,
// facts, each platform with its layers and build history, labels and
// annotations), as regcat's repository and image pages show them, with
// the table data in JSON front matter; an index of the repositories; no
// theme, no network. Sizes and times are formatted here, as regcat's
// render formats them in Go.
package main

import (
	"cmp"
	"embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// site holds hugo.toml, the layouts and the style sheet.
//
//go:embed all:site
var site embed.FS

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "hugotree: %v\n", err)
		os.Exit(1)
	}
}

// run parses args, reads the snapshot and writes the site, printing how
// many content pages it wrote to stdout.
func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("hugotree", flag.ContinueOnError)
	snapDir := flags.String("snapshot", "", "snapshot `directory` to read")
	out := flags.String("out", "", "Hugo site `directory` to write (must not exist)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *snapDir == "" || *out == "" {
		return fmt.Errorf("--snapshot and --out are required")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists: give a new directory", *out)
	}
	s, err := snapshot.Read(*snapDir)
	if err != nil {
		return err
	}
	if err := writeSkeleton(*out, s.Index.Registry); err != nil {
		return err
	}
	files := contentFiles(s)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := filepath.Join(*out, "content", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "hugo site %s: %d content pages\n", *out, len(files))
	return nil
}

// writeSkeleton copies the embedded site into out, with the registry as
// the site title.
func writeSkeleton(out, registry string) error {
	return fs.WalkDir(site, "site", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		p := filepath.Join(out, filepath.FromSlash(strings.TrimPrefix(name, "site")))
		if d.IsDir() {
			return os.MkdirAll(p, 0o755)
		}
		b, err := site.ReadFile(name)
		if err != nil {
			return err
		}
		if path.Base(name) == "hugo.toml" {
			title, _ := json.Marshal(registry + " catalog") // a JSON string is a TOML basic string
			b = append(b, "title = "+string(title)+"\n"...)
		}
		return os.WriteFile(p, b, 0o644)
	})
}

// contentFiles returns the content tree: a path relative to content/ to
// its bytes (JSON front matter, no body).
func contentFiles(s *snapshot.Snapshot) map[string][]byte {
	files := map[string][]byte{
		"_index.md":   page(map[string]any{"title": "Repositories"}),
		"r/_index.md": page(map[string]any{"title": "Repositories"}),
	}
	for i := range s.Repositories {
		r := &s.Repositories[i]
		dir := "r/" + r.Name
		for d := path.Dir(dir); d != "r"; d = path.Dir(d) {
			if _, ok := files[d+"/_index.md"]; !ok {
				files[d+"/_index.md"] = page(map[string]any{"title": strings.TrimPrefix(d, "r/")})
			}
		}
		files[dir+"/_index.md"] = page(repoParams(r, &s.Index.Repositories[i]))
		for j := range r.Images {
			im := &r.Images[j]
			files[dir+"/"+imageSlug(im.Digest)+".md"] = page(imageParams(r.Name, im))
		}
	}
	return files
}

// page is a content file with params as its JSON front matter.
func page(params map[string]any) []byte {
	b, err := json.MarshalIndent(params, "", " ")
	if err != nil {
		panic(err) // maps of strings, numbers and slices always marshal
	}
	return append(b, '\n')
}

// imageSlug is the page name of an image: "sha256-<hex>", as regcat's.
func imageSlug(digest string) string { return strings.Replace(digest, ":", "-", 1) }

// short is the first 12 hex digits of a digest.
func short(digest string) string {
	_, hex, _ := strings.Cut(digest, ":")
	return hex[:min(12, len(hex))]
}

// timeText is t as an RFC 3339 date and minute, or "" when unknown.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// row is one line of a repository's tag history: one image and its tags.
type row struct {
	Tags      []string `json:"tags"`
	Href      string   `json:"href"`
	Digest    string   `json:"digest"`
	Short     string   `json:"short"`
	Created   string   `json:"created"`
	ISO       string   `json:"iso"`
	Size      string   `json:"size"`
	Kind      string   `json:"kind"`
	Platforms string   `json:"platforms"`
	Version   string   `json:"version"`
}

// repoParams are the front matter of a repository page: its summary and
// its images, newest first.
func repoParams(r *snapshot.Repository, sum *snapshot.RepoSummary) map[string]any {
	images := make([]*snapshot.Image, 0, len(r.Images))
	for i := range r.Images {
		images = append(images, &r.Images[i])
	}
	slices.SortFunc(images, func(a, b *snapshot.Image) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.Digest, b.Digest))
	})
	rows := make([]row, len(images))
	for i, im := range images {
		rows[i] = row{
			Tags: im.Tags, Href: imageSlug(im.Digest) + "/", Digest: im.Digest, Short: short(im.Digest),
			Created: timeText(im.Created), ISO: im.Created.UTC().Format(time.RFC3339),
			Size: badge.HumanSize(im.Size), Kind: string(im.Kind), Platforms: platforms(im),
			Version: im.Label("org.opencontainers.image.version"),
		}
	}
	title := cmp.Or(sum.Title, r.Name)
	return map[string]any{
		"title": title, "type": "repo", "name": r.Name,
		"description": sum.Description, "history": rows,
	}
}

// platforms is the image's platforms, "os/arch[/variant]", comma-separated.
func platforms(im *snapshot.Image) string {
	names := make([]string, len(im.Platforms))
	for i := range im.Platforms {
		names[i] = platformName(&im.Platforms[i])
	}
	return strings.Join(names, ", ")
}

func platformName(p *snapshot.Platform) string {
	return strings.Join(slices.DeleteFunc([]string{p.OS, p.Architecture, p.Variant, p.OSVersion}, func(s string) bool { return s == "" }), "/")
}

// imageParams are the front matter of an image page.
func imageParams(repo string, im *snapshot.Image) map[string]any {
	plats := make([]map[string]any, len(im.Platforms))
	var meta []map[string]string
	for k, v := range im.Annotations {
		meta = append(meta, map[string]string{"key": k, "value": v, "from": "index annotation"})
	}
	for i := range im.Platforms {
		p := &im.Platforms[i]
		plats[i] = platformParams(p)
		for k, v := range p.Config.Labels {
			meta = append(meta, map[string]string{"key": k, "value": v, "from": "label of " + platformName(p)})
		}
		for k, v := range p.Annotations {
			meta = append(meta, map[string]string{"key": k, "value": v, "from": "annotation of " + platformName(p)})
		}
	}
	slices.SortFunc(meta, func(a, b map[string]string) int {
		return cmp.Or(cmp.Compare(a["key"], b["key"]), cmp.Compare(a["from"], b["from"]))
	})
	return map[string]any{
		"title": repo + "@" + short(im.Digest), "type": "image", "repo": repo,
		"digest": im.Digest, "tags": im.Tags, "created": timeText(im.Created),
		"size": badge.HumanSize(im.Size), "kind": string(im.Kind), "mediatype": im.MediaType,
		"platforms": plats, "labels": meta,
	}
}

// platformParams are one platform's facts, layers and build history.
func platformParams(p *snapshot.Platform) map[string]any {
	c := &p.Config
	var steps []string
	for _, h := range c.History {
		if !h.EmptyLayer {
			steps = append(steps, h.CreatedBy)
		}
	}
	layers := make([]map[string]any, len(p.Layers))
	for i, l := range p.Layers {
		step := ""
		if len(steps) == len(p.Layers) {
			step = steps[i]
		}
		layers[i] = map[string]any{"index": i + 1, "digest": l.Digest, "short": short(l.Digest), "size": badge.HumanSize(l.Size), "step": step}
	}
	history := make([]map[string]any, len(c.History))
	for i, h := range c.History {
		history[i] = map[string]any{"createdby": h.CreatedBy, "comment": h.Comment, "empty": h.EmptyLayer}
	}
	return map[string]any{
		"name": platformName(p), "digest": p.Digest, "short": short(p.Digest),
		"size": badge.HumanSize(p.Size), "created": timeText(c.Created),
		"entrypoint": strings.Join(c.Entrypoint, " "), "cmd": strings.Join(c.Cmd, " "),
		"user": c.User, "workingdir": c.WorkingDir, "ports": c.ExposedPorts,
		"layers": layers, "history": history,
	}
}
