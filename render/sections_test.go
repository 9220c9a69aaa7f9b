package render

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

// twoSections are two registries with the fixture's repositories.
func twoSections() []Section {
	a, b := fixture(), fixture()
	b.Index.Registry = "other.example.com"
	b.Repositories = b.Repositories[:1]
	b.Index.Repositories = b.Index.Repositories[:1]
	return []Section{{Dir: "main", Title: "Main", Snapshot: a}, {Dir: "other", Snapshot: b}}
}

func renderSections(t *testing.T, cfg Config, secs []Section) map[string][]byte {
	t.Helper()
	cfg.Out = filepath.Join(t.TempDir(), "site")
	if _, err := RenderSections(context.Background(), cfg, secs); err != nil {
		t.Fatal(err)
	}
	return readTree(t, cfg.Out)
}

// upLink is the footer link each section's pages have to the landing
// page, the one difference from a site of one registry.
var upLink = regexp.MustCompile(` Part of <a href="[^"]*">[^<]*</a>\.`)

// TestSections renders two registries into one site: each section holds
// the files a site of its registry alone has, byte for byte but for the
// link to the landing page; the landing page lists both with their
// counts; every relative link resolves; and two renders are identical.
func TestSections(t *testing.T) {
	secs := twoSections()
	site := renderSections(t, Config{Title: "All <catalogs>"}, secs)
	checkRelativeLinks(t, site)
	for _, sec := range secs {
		alone := readTree(t, renderTo(t, Config{Title: sec.Title}, sec.Snapshot))
		for name, want := range alone {
			if name == manifestFile {
				continue // its fingerprints hash the link to the landing page
			}
			got, ok := site[sec.Dir+"/"+name]
			if !ok {
				t.Errorf("%s/%s missing", sec.Dir, name)
				continue
			}
			if strings.HasSuffix(name, ".html") {
				if name != notFoundPage && !upLink.Match(got) {
					t.Errorf("%s/%s has no link to the landing page", sec.Dir, name)
				}
				got = upLink.ReplaceAll(got, nil)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from the site of its registry alone", sec.Dir, name)
			}
		}
	}
	landing := string(site[indexPage])
	for _, want := range []string{`<a href="main/index.html">Main</a>`, `<a href="other/index.html">other.example.com catalog</a>`, "All &lt;catalogs&gt;", "2 registries"} {
		if !strings.Contains(landing, want) {
			t.Errorf("landing page lacks %q:\n%s", want, landing)
		}
	}
	if !strings.Contains(string(site["main/index.html"]), `Part of <a href="../index.html">All &lt;catalogs&gt;</a>`) {
		t.Errorf("main/index.html does not link to the landing page:\n%s", site["main/index.html"])
	}
	var api struct {
		Registries []struct {
			Dir          string
			Registry     string
			Repositories int
		}
	}
	if err := json.Unmarshal(site["api/index.json"], &api); err != nil {
		t.Fatal(err)
	}
	if len(api.Registries) != 2 || api.Registries[1].Registry != "other.example.com" || api.Registries[1].Repositories != 1 || api.Registries[0].Repositories != secs[0].Snapshot.Len() {
		t.Errorf("api/index.json: %+v", api)
	}
	again := renderSections(t, Config{Title: "All <catalogs>"}, twoSections())
	for name, b := range site {
		if !bytes.Equal(b, again[name]) {
			t.Errorf("%s differs between two renders", name)
		}
	}
}

// TestSectionsBaseURL gives each section its own base URL.
func TestSectionsBaseURL(t *testing.T) {
	site := renderSections(t, Config{BaseURL: "https://example.github.io/cat"}, twoSections())
	if !strings.Contains(string(site["other/index.html"]), `<link rel=canonical href="https://example.github.io/cat/other/">`) {
		t.Errorf("other/index.html has no canonical link under its directory:\n%s", site["other/index.html"])
	}
	if _, ok := site["other/sitemap.xml"]; !ok {
		t.Error("no other/sitemap.xml")
	}
	if !strings.Contains(string(site["other/404.html"]), `Part of <a href="https://example.github.io/cat/other/../index.html">`) {
		t.Errorf("other/404.html does not link to the landing page by URL")
	}
	if !strings.Contains(string(site["404.html"]), `href="https://example.github.io/cat/index.html"`) {
		t.Errorf("404.html does not link to the landing page by URL:\n%s", site["404.html"])
	}
	want := `<sitemap><loc>https://example.github.io/cat/main/sitemap.xml</loc></sitemap><sitemap><loc>https://example.github.io/cat/other/sitemap.xml</loc></sitemap>`
	if !strings.Contains(string(site["sitemap.xml"]), want) {
		t.Errorf("sitemap.xml is not the index of the sections' sitemaps:\n%s", site["sitemap.xml"])
	}
}

func TestValidateSections(t *testing.T) {
	snap := &snapshot.Snapshot{}
	for _, c := range []struct {
		secs []Section
		bad  bool
	}{
		{[]Section{{Dir: "a", Snapshot: snap}, {Dir: "b.c_d-1", Snapshot: snap}}, false},
		{nil, true},
		{[]Section{{Dir: "a", Snapshot: snap}, {Dir: "a", Snapshot: snap}}, true},
		{[]Section{{Dir: "assets", Snapshot: snap}}, true},
		{[]Section{{Dir: "api", Snapshot: snap}}, true},
		{[]Section{{Dir: "../x", Snapshot: snap}}, true},
		{[]Section{{Dir: ".hidden", Snapshot: snap}}, true},
		{[]Section{{Dir: "Upper", Snapshot: snap}}, true},
		{[]Section{{Dir: "a/b", Snapshot: snap}}, true},
		{[]Section{{Dir: "a"}}, true},
	} {
		if err := ValidateSections(c.secs); (err != nil) != c.bad {
			t.Errorf("%+v: %v, want bad %v", c.secs, err, c.bad)
		}
	}
}

// TestSectionsRerender re-renders a site of two registries over itself:
// every repository of both is carried from the previous site, and the
// site stays the same.
func TestSectionsRerender(t *testing.T) {
	secs := twoSections()
	cfg := Config{Out: filepath.Join(t.TempDir(), "site")}
	if _, err := RenderSections(context.Background(), cfg, secs); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, cfg.Out)
	st, err := RenderSections(context.Background(), cfg, secs)
	if err != nil {
		t.Fatal(err)
	}
	if want := secs[0].Snapshot.Len() + secs[1].Snapshot.Len(); st.Carried != want {
		t.Errorf("carried %d repositories, want all %d", st.Carried, want)
	}
	after := readTree(t, cfg.Out)
	if !maps.EqualFunc(before, after, bytes.Equal) {
		t.Error("the re-rendered site differs")
	}
}
