package render

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/regcat/regcat/snapshot"
)

func TestDeterministic(t *testing.T) {
	a := readTree(t, renderFixture(t, Config{}))
	b := readTree(t, renderFixture(t, Config{}))
	if len(a) != len(b) {
		t.Fatalf("renders have %d and %d files", len(a), len(b))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s differs between two renders of one snapshot", name)
		}
	}
}

// pageRefs returns the relative references (href, src) and the ids of an
// HTML page.
func pageRefs(t *testing.T, b []byte) (refs []string, ids map[string]bool) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	ids = map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch a.Key {
				case "href", "src":
					refs = append(refs, a.Val)
				case "id":
					ids[a.Val] = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return refs, ids
}

// TestRelativeLinks checks that every relative link and asset reference
// of every page resolves to a file of the site (and fragments to an id),
// and that pages link to files, never to directories, so they work from
// file://.
func TestRelativeLinks(t *testing.T) {
	checkRelativeLinks(t, readTree(t, renderFixture(t, Config{})))
}

// checkRelativeLinks is TestRelativeLinks for any site.
func checkRelativeLinks(t *testing.T, site map[string][]byte) {
	t.Helper()
	checked := 0
	for name, b := range site {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		refs, ids := pageRefs(t, b)
		for _, ref := range refs {
			u, err := url.Parse(ref)
			if err != nil {
				t.Errorf("%s: unparsable reference %q", name, ref)
				continue
			}
			if u.IsAbs() {
				if u.Scheme != "http" && u.Scheme != "https" {
					t.Errorf("%s: reference %q has scheme %q", name, ref, u.Scheme)
				}
				continue
			}
			if u.Host != "" || strings.HasPrefix(u.Path, "/") {
				t.Errorf("%s: reference %q is not relative", name, ref)
				continue
			}
			checked++
			target := name
			if u.Path != "" {
				target = path.Join(path.Dir(name), u.Path)
			}
			tb, ok := site[target]
			if !ok {
				t.Errorf("%s: %q leads to %s, which is not a file of the site", name, ref, target)
				continue
			}
			if u.Fragment != "" {
				tids := ids
				if target != name {
					_, tids = pageRefs(t, tb)
				}
				if !tids[u.Fragment] {
					t.Errorf("%s: %q: no id %q in %s", name, ref, u.Fragment, target)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d relative references; the test is not seeing the site", checked)
	}
}

func TestRefusesForeignDirectory(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, out string)
	}{
		{"non-empty directory", func(t *testing.T, out string) {
			os.MkdirAll(out, 0o755)
			os.WriteFile(filepath.Join(out, "thesis.tex"), []byte("years of work"), 0o644)
		}},
		{"file", func(t *testing.T, out string) {
			os.WriteFile(out, []byte("not a directory"), 0o644)
		}},
		{"marker is a directory", func(t *testing.T, out string) {
			os.MkdirAll(filepath.Join(out, MarkerFile), 0o755)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			tt.setup(t, out)
			before := readTree(t, filepath.Dir(out))
			_, err := Render(context.Background(), Config{Out: out}, fixture())
			if !errors.Is(err, ErrNotSite) {
				t.Fatalf("Render = %v, want ErrNotSite", err)
			}
			after := readTree(t, filepath.Dir(out))
			if len(after) != len(before) {
				t.Errorf("render changed the directory: %d files before, %d after", len(before), len(after))
			}
			for n, b := range before {
				if !bytes.Equal(after[n], b) {
					t.Errorf("%s changed", n)
				}
			}
		})
	}
}

func TestEmptyDirectoryIsReplaceable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(out, 0o755)
	if _, err := Render(context.Background(), Config{Out: out}, fixture()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, MarkerFile)); err != nil {
		t.Fatal(err)
	}
}

// TestFailedRenderKeepsPreviousSite makes renders fail before and in the
// middle of writing and checks that the previous site is untouched and no
// temporary directory is left behind.
func TestFailedRenderKeepsPreviousSite(t *testing.T) {
	tests := []struct {
		name      string
		templates map[string]string
		ctx       func() context.Context
	}{
		{name: "template syntax error", templates: map[string]string{"repo.html": `{{define "content"}}{{if}}{{end}}`}},
		// Fails while executing, after other pages have been written.
		{name: "template execute error", templates: map[string]string{"image.html": `{{define "content"}}{{.NoSuchField}}{{end}}`}},
		{name: "cancelled", ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "site")
			renderFixture(t, Config{Out: out})
			before := readTree(t, out)
			dir := t.TempDir()
			for name, src := range tt.templates {
				os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644)
			}
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			snap := fixture()
			snap.Index.Registry = "changed.example"
			_, err := Render(ctx, Config{Out: out, TemplatesDir: dir}, snap)
			if err == nil {
				t.Fatal("Render succeeded, want an error")
			}
			after := readTree(t, out)
			if len(after) != len(before) {
				t.Errorf("site has %d files after a failed render, want %d", len(after), len(before))
			}
			for n, b := range before {
				if !bytes.Equal(after[n], b) {
					t.Errorf("%s changed by a failed render", n)
				}
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("parent holds %v after a failed render, want only the site", names)
			}
		})
	}
}

// TestUnchangedFilesKeepMtime re-renders a site and checks that files
// whose bytes did not change were not rewritten.
func TestUnchangedFilesKeepMtime(t *testing.T) {
	out := renderFixture(t, Config{})
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return err
	})
	st, err := Render(context.Background(), Config{Out: out, History: fixtureHistory()}, fixture())
	if err != nil {
		t.Fatal(err)
	}
	if st.Unchanged != st.Files || st.Files == 0 {
		t.Errorf("re-render of the same snapshot: %d of %d files unchanged", st.Unchanged, st.Files)
	}
	mtimes := func() map[string]time.Time {
		m := map[string]time.Time{}
		filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				fi, _ := d.Info()
				rel, _ := filepath.Rel(out, p)
				m[filepath.ToSlash(rel)] = fi.ModTime()
			}
			return err
		})
		return m
	}
	for name, mt := range mtimes() {
		if !mt.Equal(old) {
			t.Errorf("%s: rewritten by a re-render of the same snapshot (mtime %v)", name, mt)
		}
	}

	// Change one repository: its files change, another's do not.
	snap := fixture()
	for i := range snap.Repositories {
		if snap.Repositories[i].Name == "charts/api" {
			snap.Repositories[i].Images[0].Size++
		}
	}
	if st, err = Render(context.Background(), Config{Out: out, History: fixtureHistory()}, snap); err != nil {
		t.Fatal(err)
	}
	m := mtimes()
	if m["r/charts~api/index.html"].Equal(old) {
		t.Error("r/charts~api/index.html kept its mtime though it changed")
	}
	if !m["r/team-a~api/index.html"].Equal(old) {
		t.Error("r/team-a~api/index.html was rewritten though it did not change")
	}
	if st.Unchanged == 0 || st.Unchanged == st.Files {
		t.Errorf("after one change: %d of %d files unchanged", st.Unchanged, st.Files)
	}
}

// TestPathScheme renders repositories whose names would collide under a
// naive scheme and checks that each gets its own pages.
func TestPathScheme(t *testing.T) {
	names := []string{"a", "a/index.html", "a/b", "a/b/c", "index.html", "r", "api", "assets", "sha256-x", "a/sha256-x.html"}
	var repos []snapshot.Repository
	for i, n := range names {
		p := platform("amd64", n, day(1+i), map[string]string{"org.opencontainers.image.title": "title of " + n}, nil, "l-"+n)
		im := single(n, []string{"latest"}, p)
		repos = append(repos, snapshot.Repository{Name: n, Images: []snapshot.Image{im}, Tags: tagsOf(im)})
	}
	snap, err := snapshot.Build(snapshot.Index{Registry: "r.example"}, repos)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	st, err := Render(context.Background(), Config{Out: out}, snap)
	if err != nil {
		t.Fatal(err)
	}
	// The index, failures.html, 404.html, coverage.html, rebuild.html,
	// changes.html, the label index and the page of the one label key; a
	// repository and an image page per name.
	if want := 8 + 2*len(names); st.Pages != want {
		t.Errorf("rendered %d pages, want %d", st.Pages, want)
	}
	site := readTree(t, out)
	for _, r := range snap.Repositories {
		for _, p := range []string{repoPage(r.Name), imagePage(r.Name, r.Images[0].Digest)} {
			b, ok := site[p]
			if !ok {
				t.Errorf("repository %q: no %s", r.Name, p)
				continue
			}
			if !bytes.Contains(b, []byte("title of "+html.EscapeString(r.Name))) {
				t.Errorf("%s does not belong to repository %q", p, r.Name)
			}
		}
	}
}

// TestInvalidNamesSkipped renders a snapshot that did not come from
// snapshot.Read, with names that would escape the site, and checks they
// are left out and nothing is written outside it.
func TestInvalidNamesSkipped(t *testing.T) {
	snap := fixture()
	escape := snap.Repositories[0] // base/alpine
	escape.Name = "../../escaped"
	other := snap.Repositories[3] // team-a/api
	other.Name = "other"
	other.Images = append([]snapshot.Image(nil), other.Images...)
	other.Images[0].Digest = "sha256:../../../escaped"
	snap.Repositories = append(snap.Repositories, escape, other)
	parent := t.TempDir()
	out := filepath.Join(parent, "a", "site")
	st, err := Render(context.Background(), Config{Out: out}, snap)
	if err != nil {
		t.Fatal(err)
	}
	// The repository, the digest, and the fixture's tag "<script>".
	if st.Skipped != 3 {
		t.Errorf("Skipped = %d, want 3", st.Skipped)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || entries[0].Name() != "a" {
		t.Errorf("parent holds %v, want only a/", entries)
	}
	site := readTree(t, out)
	if _, ok := site["r/other/index.html"]; !ok {
		t.Error("repository other has no page")
	}
	for name := range site {
		if strings.Contains(name, "escaped") {
			t.Errorf("site holds %s", name)
		}
	}
}
