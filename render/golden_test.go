package render

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	fixtureDir = "testdata/fixture" // the fixture snapshot on disk
	goldenDir  = "testdata/golden"  // the site rendered from it
)

// renderFixture renders the fixture snapshot, with fixtureHistory unless
// cfg has a history, to a new directory and returns its path.
func renderFixture(t *testing.T, cfg Config) string {
	t.Helper()
	if cfg.History == nil {
		cfg.History = fixtureHistory()
	}
	return renderTo(t, cfg, fixture())
}

// renderTo renders snap with cfg, in a new directory unless cfg.Out is
// set, and returns the site's path.
func renderTo(t *testing.T, cfg Config, snap snapshot.Source) string {
	t.Helper()
	if cfg.Out == "" {
		cfg.Out = filepath.Join(t.TempDir(), "site")
	}
	if _, err := Render(context.Background(), cfg, snap); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return cfg.Out
}

// readTree returns every regular file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestFixtureOnDisk keeps testdata/fixture, the snapshot the CLI tests and
// screenshots use, equal to fixture().
func TestFixtureOnDisk(t *testing.T) {
	if *update {
		os.RemoveAll(fixtureDir)
		files, err := fixtureHistory().Files()
		if err != nil {
			t.Fatal(err)
		}
		if err := snapshot.WriteWith(context.Background(), fixtureDir, fixture(), files); err != nil {
			t.Fatal(err)
		}
	}
	got, err := snapshot.Read(fixtureDir)
	if err != nil {
		t.Fatalf("read %s (run go test -update): %v", fixtureDir, err)
	}
	want, _ := fixture().Files()
	have, _ := got.Files()
	if len(want) != len(have) {
		t.Fatalf("fixture on disk has %d files, want %d (run go test -update)", len(have), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(have[name], b) {
			t.Errorf("%s differs from fixture() (run go test -update)", name)
		}
	}
	log, err := changes.ReadLog(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	wantLog, _ := fixtureHistory().Files()
	haveLog, _ := log.Files()
	if !maps.EqualFunc(wantLog, haveLog, bytes.Equal) {
		t.Errorf("change log on disk differs from fixtureHistory() (run go test -update)")
	}
}

// TestGolden compares the whole site rendered from the fixture with
// testdata/golden. Run with -update to refresh, then read the diff. The
// render manifest is left out: its fingerprints hash the test binary
// (TestRerender* check it).
func TestGolden(t *testing.T) {
	site := renderFixture(t, Config{BaseURL: "https://example.github.io/catalog/"})
	got := readTree(t, site)
	if _, ok := got[manifestFile]; !ok {
		t.Errorf("%s: missing from the rendered site", manifestFile)
	}
	delete(got, manifestFile)
	if *update {
		os.RemoveAll(goldenDir)
		for name, b := range got {
			p := filepath.Join(goldenDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := readTree(t, goldenDir)
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: missing from the rendered site", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("%s: not in %s (run go test -update)", name, goldenDir)
		case !bytes.Equal(got[name], w):
			t.Errorf("%s differs from the golden file (run go test -update and read the diff)", name)
		}
	}
}

// TestGoldenFromDirectory renders the fixture from a snapshot directory,
// read a repository at a time (snapshot.Open), and requires the site the
// in-memory fixture renders: the catalog keeps compact records and each
// repository's pages load its whole record again.
func TestGoldenFromDirectory(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "snapshot")
	if err := snapshot.Write(ctx, dir, fixture()); err != nil {
		t.Fatal(err)
	}
	src, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg := Config{BaseURL: "https://example.github.io/catalog/", History: fixtureHistory(), Out: filepath.Join(t.TempDir(), "site")}
	if _, err := Render(ctx, cfg, src); err != nil {
		t.Fatal(err)
	}
	// The render manifests are compared too: their fingerprints hash
	// the repositories' whole records, read once by each.
	got, want := readTree(t, cfg.Out), readTree(t, renderFixture(t, Config{BaseURL: cfg.BaseURL}))
	if len(got) != len(want) {
		t.Errorf("%d files, want %d", len(got), len(want))
	}
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s differs from the in-memory render", name)
		}
	}
}
