package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/snapshot"
)

// labelFileName is what labelFile may return: one path segment of safe
// characters that does not start with a dot.
var labelFileName = regexp.MustCompile(`^[a-z0-9_][a-z0-9._-]{0,59}-[0-9a-f]{12}([0-9a-f]{52})?\.html$`)

// hostileKeys are label keys that a naive path scheme would turn into
// paths outside labels/, into hidden files, or into one file for two keys.
var hostileKeys = []string{
	"", ".", "..", "../../../etc/passwd", "..\\..\\x", "/abs", "a/b", "a\x00b", "a\x00c", "\x00",
	"<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "index", "index.html",
	"Foo", "foo", "FOO", "f o o", "f/o/o", "ключ", "\u202ertl", strings.Repeat("k", 5000),
	"-leading", ".hidden", "org.opencontainers.image.title",
}

// TestLabelKeysFiles: every key gets one safe file name of its own, even
// keys whose slugs and short hashes collide.
func TestLabelKeysFiles(t *testing.T) {
	var keys []catalog.LabelKey
	for _, k := range hostileKeys {
		keys = append(keys, catalog.LabelKey{Key: k})
	}
	// Two keys whose 12-digit names would collide cannot be made here,
	// but keys that share a slug (they differ in case only) exercise the
	// rule's first half; the second half is forced below.
	got := labelKeys(keys)
	seen := map[string]string{}
	for _, k := range got {
		if !labelFileName.MatchString(k.file) || path.Clean(k.file) != k.file || strings.Contains(k.file, "/") {
			t.Errorf("key %q: unsafe file %q", k.Key, k.file)
		}
		if other, ok := seen[k.file]; ok {
			t.Errorf("keys %q and %q share %s", other, k.Key, k.file)
		}
		seen[k.file] = k.Key
	}
	if f := labelFile("org.opencontainers.image.title", 12); !strings.HasPrefix(f, "org.opencontainers.image.title-") {
		t.Errorf("a plain key's file is not readable: %s", f)
	}
	// A collision of short names falls back to the whole hash.
	dup := labelKeys([]catalog.LabelKey{{Key: "a"}, {Key: "a"}})
	if dup[0].file != labelFile("a", 64) || !labelFileName.MatchString(dup[0].file) {
		t.Errorf("colliding names: %q, want the 64-digit form", dup[0].file)
	}
}

// TestLabelPagesHostile renders an image with a thousand labels and the
// hostile keys, and a key with more values than a page lists: every file
// stays in the site, each key has its page, keys and values appear as
// text and never as markup, and the capped page says what it leaves out.
func TestLabelPagesHostile(t *testing.T) {
	labels := map[string]string{}
	for i := range 1000 {
		labels[fmt.Sprintf("com.example.k%04d", i)] = fmt.Sprintf("<b>v%d</b>\x00", i)
	}
	for i, k := range hostileKeys {
		labels[k] = fmt.Sprintf("../../%d <script>alert(%d)</script>\x00", i, i)
	}
	big := platform("amd64", "big", day(1), labels, nil, "l")
	repos := []snapshot.Repository{{Name: "hostile", Images: []snapshot.Image{single("big", []string{"latest"}, big)}}}
	// maxLabelValues+5 images that each give "many" another value, and
	// "shared" the same.
	many := snapshot.Repository{Name: "many"}
	for i := range maxLabelValues + 5 {
		p := platform("amd64", fmt.Sprintf("m%d", i), day(2), map[string]string{"many": fmt.Sprintf("v%05d", i), "shared": "one"}, nil, "l")
		many.Images = append(many.Images, single("m", []string{fmt.Sprintf("t%d", i)}, p))
	}
	repos = append(repos, many)
	for i := range repos {
		repos[i].Tags = tagsOf(repos[i].Images...)
	}
	snap, err := snapshot.Build(snapshot.Index{Registry: "r.example"}, repos)
	if err != nil {
		t.Fatal(err)
	}
	site := readTree(t, renderTo(t, Config{}, snap))

	var pages []string
	for name := range site {
		if rest, ok := strings.CutPrefix(name, labelsDir); ok && rest != indexPage {
			if !labelFileName.MatchString(rest) {
				t.Errorf("label page %q", name)
			}
			pages = append(pages, name)
		}
	}
	if want := len(labels) + 2; len(pages) != want {
		t.Errorf("%d key pages, want %d (one per key)", len(pages), want)
	}

	index := textOf(t, site[labelsDir+indexPage])
	for _, k := range []string{"<script>alert(1)</script>", "../../../etc/passwd", "com.example.k0999", "ключ"} {
		if !strings.Contains(index, k) {
			t.Errorf("labels/index.html does not show the key %q as text", k)
		}
	}
	file := labelFile("<script>alert(1)</script>", 12)
	page := textOf(t, site[labelsDir+file])
	if i := slices.Index(hostileKeys, "<script>alert(1)</script>"); !strings.Contains(page, fmt.Sprintf("../../%d <script>alert(%d)</script>\ufffd", i, i)) {
		t.Errorf("%s does not show its value as text:\n%s", file, page)
	}
	// NUL is shown as U+FFFD, as every control character.
	if strings.Contains(index, "\x00") || !strings.Contains(index, "a\ufffdb") {
		t.Error("labels/index.html: NUL kept, or the key around it lost")
	}

	capped := textOf(t, site[labelsDir+labelFile("many", 12)])
	if !strings.Contains(capped, "5 more not shown") || strings.Contains(capped, fmt.Sprintf("v%05d", maxLabelValues)) ||
		!strings.Contains(capped, fmt.Sprintf("v%05d", maxLabelValues-1)) {
		t.Errorf("the page of a key with %d values does not stop at %d with a note", maxLabelValues+5, maxLabelValues)
	}

	shared := site[labelsDir+labelFile("shared", 12)]
	if n := strings.Count(string(shared), "<code class=digest>"); n != maxLabelValueImages ||
		!strings.Contains(textOf(t, shared), fmt.Sprintf("and %d more images", maxLabelValues+5-maxLabelValueImages)) {
		t.Errorf("the page of a value of %d images lists %d, want %d and a note", maxLabelValues+5, n, maxLabelValueImages)
	}

	// api/labels.json has every value, NUL included, as JSON escapes it.
	var api map[string]map[string][]string
	if err := json.Unmarshal(site[labelsJSON], &api); err != nil {
		t.Fatal(err)
	}
	if len(api["many"]) != maxLabelValues+5 {
		t.Errorf("api/labels.json: %d values of many, want all %d", len(api["many"]), maxLabelValues+5)
	}
	wantKeys := slices.Sorted(maps.Keys(labels))
	wantKeys = append(wantKeys, "many", "shared")
	slices.Sort(wantKeys)
	if got := slices.Sorted(maps.Keys(api)); !slices.Equal(got, wantKeys) {
		t.Errorf("api/labels.json keys differ from the labels set: %d keys, want %d", len(got), len(wantKeys))
	}
	if v := api["a\x00b"]; len(v) != 1 {
		t.Errorf(`api/labels.json["a\x00b"] = %q`, v)
	}
	// Written without encoding/json's maps, the file is what it writes.
	want, err := json.Marshal(api)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(site[labelsJSON], escapeInvisible(want)) {
		t.Error("api/labels.json differs from encoding/json's encoding of what it holds")
	}
}
