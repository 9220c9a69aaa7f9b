package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/net/html"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
)

// fixtureLabels computes, from the fixture's own images (not from what
// regcat crawled or rendered), what api/labels.json must hold: every key
// an image sets in its manifest's or index's annotations, or a platform
// sets in its config labels or manifest annotations, to each value and
// the "<repo>@<digest>" of the tagged image. Attestation manifests
// (platform unknown/unknown) are not platforms. Raw manifests contribute
// their annotations.
func fixtureLabels(t *testing.T, fx *regtest.Fixture) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	add := func(ref string, m map[string]string) {
		for k, v := range m {
			if out[k] == nil {
				out[k] = map[string][]string{}
			}
			if !slices.Contains(out[k][v], ref) {
				out[k][v] = append(out[k][v], ref)
			}
		}
	}
	image := func(ref string, img v1.Image) {
		m, err := img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		add(ref, m.Annotations)
		add(ref, cf.Config.Labels)
	}
	for _, r := range fx.Repos {
		for _, tag := range r.Tags {
			if strings.HasPrefix(tag.Name, "sha256-") {
				// Referrers tags (the tag schema and cosign's) hold
				// signatures and SBOMs of images, not images.
				continue
			}
			ref := r.Name + "@" + tag.Digest.String()
			switch {
			case tag.Image != nil:
				image(ref, tag.Image)
			case tag.Index != nil:
				im, err := tag.Index.IndexManifest()
				if err != nil {
					t.Fatal(err)
				}
				add(ref, im.Annotations)
				for _, d := range im.Manifests {
					if d.Platform == nil || d.Platform.OS == "unknown" {
						continue
					}
					img, err := tag.Index.Image(d.Digest)
					if err != nil {
						t.Fatal(err)
					}
					image(ref, img)
				}
			case tag.Raw != nil:
				var m struct{ Annotations map[string]string }
				if err := json.Unmarshal(tag.Raw.Manifest, &m); err != nil {
					t.Fatal(err)
				}
				add(ref, m.Annotations)
			}
		}
	}
	for _, vals := range out {
		for _, refs := range vals {
			slices.Sort(refs)
		}
	}
	return out
}

// TestLabelIndexOfFixture crawls and renders the standard fixture and
// checks api/labels.json and labels/index.html against fixtureLabels.
func TestLabelIndexOfFixture(t *testing.T) {
	reg, fx := startRegistry(t)
	dir := t.TempDir()
	var log bytes.Buffer
	cfg := build(reg, dir, &log)
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	want := fixtureLabels(t, fx)
	if len(want) < 5 {
		t.Fatalf("the fixture sets only %d keys: the test would prove little", len(want))
	}
	t.Logf("the fixture sets %d keys", len(want))
	b, err := os.ReadFile(filepath.Join(cfg.Render.Out, "api", "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string][]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("api/labels.json: %v", err)
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		for _, v := range slices.Sorted(maps.Keys(want[k])) {
			if g := got[k][v]; !slices.Equal(g, want[k][v]) {
				t.Errorf("api/labels.json[%q][%q] = %q, want %q", k, v, g, want[k][v])
			}
		}
	}
	for k, vals := range got {
		for v := range vals {
			if _, ok := want[k][v]; !ok {
				t.Errorf("api/labels.json has %q=%q, which no fixture image sets", k, v)
			}
		}
	}
	// The file's own bytes: keys in order, two lists never unsorted.
	if keys := jsonKeyOrder(t, b); !slices.IsSorted(keys) {
		t.Errorf("api/labels.json keys are not sorted: %q", keys)
	}

	// labels/index.html: a row per key with the number of images.
	page, err := os.ReadFile(filepath.Join(cfg.Render.Out, "labels", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	rows := keyRows(t, page)
	if len(rows) != len(want) {
		t.Errorf("labels/index.html lists %d keys, the fixture sets %d", len(rows), len(want))
	}
	for k, vals := range want {
		images := map[string]bool{}
		for _, refs := range vals {
			for _, r := range refs {
				images[r] = true
			}
		}
		row, ok := rows[k]
		if !ok {
			t.Errorf("labels/index.html does not list %q", k)
			continue
		}
		if row.images != len(images) || row.values != len(vals) {
			t.Errorf("labels/index.html: %q on %d images with %d values, want %d and %d", k, row.images, row.values, len(images), len(vals))
		}
		if _, err := os.Stat(filepath.Join(cfg.Render.Out, "labels", filepath.FromSlash(row.href))); err != nil {
			t.Errorf("%q links to %s: %v", k, row.href, err)
		}
	}
}

// jsonKeyOrder returns the top-level keys of the JSON object b in the
// order the file has them.
func jsonKeyOrder(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

type keyRow struct {
	href           string
	images, values int
}

// keyRows parses the key table of labels/index.html: each row's key
// (the text of its header cell), link and counts.
func keyRows(t *testing.T, page []byte) map[string]keyRow {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]keyRow{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "tr" || n.Parent == nil || n.Parent.Data != "tbody" {
			continue
		}
		var cells []*html.Node
		for c := range n.ChildNodes() {
			if c.Type == html.ElementNode {
				cells = append(cells, c)
			}
		}
		if len(cells) != 3 {
			t.Fatalf("a key row has %d cells", len(cells))
		}
		var r keyRow
		for d := range cells[0].Descendants() {
			if d.Type == html.ElementNode && d.Data == "a" {
				for _, a := range d.Attr {
					if a.Key == "href" {
						r.href = a.Val
					}
				}
			}
		}
		r.images, _ = strconv.Atoi(textOf(cells[1]))
		r.values, _ = strconv.Atoi(textOf(cells[2]))
		out[textOf(cells[0])] = r
	}
	return out
}
