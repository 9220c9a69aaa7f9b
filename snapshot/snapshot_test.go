package snapshot

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sample() (Index, []Repository) {
	t1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))
	t2 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d := func(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }
	repos := []Repository{
		{Name: "team-a/api", Tags: []Tag{{"v2", d('b')}, {"latest", d('b')}, {"v1", d('a')}},
			Images: []Image{
				{Digest: d('b'), Kind: KindImage, Tags: []string{"v2", "latest"}, Created: t1, Size: 30,
					Platforms: []Platform{{OS: "linux", Architecture: "amd64", Digest: d('b'),
						Config: Config{Labels: map[string]string{KeyTitle: "API", KeyDescription: "The API.\n\nMore text."}}}}},
				{Digest: d('a'), Kind: KindImage, Tags: []string{"v1"}, Created: t2, Size: 20},
			},
			Failures: []Failure{{Repo: "team-a/api", Tag: "z", Op: "manifest", Error: "x"}, {Repo: "team-a/api", Tag: "b", Op: "manifest", Error: "y"}},
		},
		{Name: "alpine"},
	}
	return Index{Registry: "localhost:5000", CrawledAt: t1}, repos
}

func TestBuildSummarizesAndSorts(t *testing.T) {
	idx, repos := sample()
	s, err := Build(idx, repos)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{s.Repositories[0].Name, s.Repositories[1].Name}; got[0] != "alpine" || got[1] != "team-a/api" {
		t.Fatalf("repositories not sorted: %v", got)
	}
	api := s.Index.Repositories[1]
	want := RepoSummary{Name: "team-a/api", Path: "repos/team-a~api.json", Tags: 3, Images: 2, DefaultTag: "latest",
		LastCreated: time.Date(2025, 3, 1, 11, 0, 0, 0, time.UTC), Size: 30, Title: "API", Description: "The API.", Failures: 2}
	if api != want {
		t.Errorf("summary:\n got %+v\nwant %+v", api, want)
	}
	r := s.Repositories[1]
	if r.Tags[0].Name != "latest" || r.Images[0].Digest[7] != 'a' || r.Images[1].Tags[0] != "latest" || r.Failures[0].Tag != "b" {
		t.Errorf("repository lists not sorted: %+v", r)
	}
	if s.Index.CrawledAt.Location() != time.UTC {
		t.Errorf("crawl time not UTC: %v", s.Index.CrawledAt)
	}
}

// TestBuildWritesEmptyListsAsArrays: a repository or image built with nil
// lists encodes them as [], as the format documents, never as null.
func TestBuildWritesEmptyListsAsArrays(t *testing.T) {
	d := "sha256:" + strings.Repeat("c", 64)
	s, err := Build(Index{Registry: "localhost:5000"}, []Repository{
		{Name: "empty"},
		{Name: "one", Images: []Image{{Digest: d, Kind: KindImage, Platforms: []Platform{{Digest: d}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := s.Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if bytes.Contains(b, []byte("null")) {
			t.Errorf("%s holds null:\n%s", name, b)
		}
	}
	for _, want := range []string{`"tags": []`, `"images": []`, `"layers": []`} {
		if !bytes.Contains(files["repos/empty.json"], []byte(want)) && !bytes.Contains(files["repos/one.json"], []byte(want)) {
			t.Errorf("no %s in the repository files", want)
		}
	}
	empty, err := Build(Index{Registry: "localhost:5000"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := Marshal(&empty.Index); !bytes.Contains(b, []byte(`"repositories": []`)) {
		t.Errorf("index of no repositories:\n%s", b)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	idx, repos := sample()
	s, err := Build(idx, repos)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	ctx := context.Background()
	if err := Write(ctx, dir, s); err != nil {
		t.Fatal(err)
	}
	first := readTree(t, dir)
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(ctx, dir, got); err != nil {
		t.Fatal(err)
	}
	second := readTree(t, dir)
	if len(first) != 3 || !equalTrees(first, second) {
		t.Fatalf("round trip changed the snapshot:\n%v\n%v", keys(first), keys(second))
	}
	if b := first[IndexFile]; !bytes.HasSuffix(b, []byte("}\n")) || !bytes.Contains(b, []byte("\n  \"registry\": \"localhost:5000\"")) {
		t.Errorf("index.json not two-space indented with trailing newline:\n%s", b)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".snap.*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary directories left behind: %v", leftovers)
	}
}

func TestWriteRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "thesis.txt")
	if err := os.WriteFile(precious, []byte("years of work"), 0o644); err != nil {
		t.Fatal(err)
	}
	idx, repos := sample()
	s, _ := Build(idx, repos)
	if err := Write(context.Background(), dir, s); !errors.Is(err, ErrNotSnapshot) {
		t.Fatalf("Write into a foreign directory: err = %v, want ErrNotSnapshot", err)
	}
	if b, err := os.ReadFile(precious); err != nil || string(b) != "years of work" {
		t.Fatalf("foreign file damaged: %q, %v", b, err)
	}
}

func TestWriteFailureKeepsPreviousSnapshot(t *testing.T) {
	idx, repos := sample()
	s, _ := Build(idx, repos)
	dir := filepath.Join(t.TempDir(), "snap")
	if err := Write(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, dir, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Write: err = %v", err)
	}
	if !equalTrees(before, readTree(t, dir)) {
		t.Fatal("a failed write changed the previous snapshot")
	}
}

func TestReadRejectsEscapingPaths(t *testing.T) {
	tests := []struct{ name, index string }{
		{"traversal path", `{"schemaVersion":1,"registry":"r","crawledAt":"2025-01-01T00:00:00Z","repositories":[{"name":"a","path":"../../etc/passwd","tags":0,"images":0}]}`},
		{"invalid name", `{"schemaVersion":1,"registry":"r","crawledAt":"2025-01-01T00:00:00Z","repositories":[{"name":"../a","path":"repos/../a.json","tags":0,"images":0}]}`},
		{"absolute path", `{"schemaVersion":1,"registry":"r","crawledAt":"2025-01-01T00:00:00Z","repositories":[{"name":"a","path":"/etc/passwd","tags":0,"images":0}]}`},
		{"other schema", `{"schemaVersion":99,"registry":"r","crawledAt":"2025-01-01T00:00:00Z","repositories":[]}`},
		{"unknown field", `{"schemaVersion":1,"registry":"r","crawledAt":"2025-01-01T00:00:00Z","repositories":[],"evil":1}`},
		{"trailing data", `{"schemaVersion":1,"registry":"r","crawledAt":"2025-01-01T00:00:00Z","repositories":[]} {}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(tt.index), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Read(dir); err == nil {
				t.Fatal("Read accepted a bad index")
			}
		})
	}
}

func TestValidateNames(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) error
		in    string
		ok    bool
	}{
		{"repo simple", ValidateRepoName, "alpine", true},
		{"repo nested", ValidateRepoName, "team-a/tools/cli", true},
		{"repo separators", ValidateRepoName, "a.b_c__d---e/f", true},
		{"repo traversal", ValidateRepoName, "../../etc", false},
		{"repo dot component", ValidateRepoName, "a/./b", false},
		{"repo upper", ValidateRepoName, "Team/API", false},
		{"repo leading slash", ValidateRepoName, "/abs", false},
		{"repo trailing slash", ValidateRepoName, "a/", false},
		{"repo backslash", ValidateRepoName, `a\b`, false},
		{"repo tilde", ValidateRepoName, "a~b", false},
		{"repo over-long", ValidateRepoName, strings.Repeat("a", MaxRepoNameLen+1), false},
		{"repo longest", ValidateRepoName, strings.Repeat("a", MaxRepoNameLen), true},
		{"tag", ValidateTag, "v1.2.3-rc_1", true},
		{"tag upper", ValidateTag, "Latest", true},
		{"tag leading dot", ValidateTag, ".hidden", false},
		{"tag slash", ValidateTag, "a/b", false},
		{"tag over-long", ValidateTag, strings.Repeat("a", 129), false},
		{"digest", ValidateDigest, "sha256:" + strings.Repeat("a", 64), true},
		{"digest upper", ValidateDigest, "sha256:" + strings.Repeat("A", 64), false},
		{"digest short", ValidateDigest, "sha256:abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("%q: err = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidName) {
				t.Fatalf("error %v does not wrap ErrInvalidName", err)
			}
		})
	}
}

func TestRepoPathIsInjective(t *testing.T) {
	names := []string{"a", "a/b", "a~b", "a.json", "a.json/x", "a/index.json", "a-b", "a/b/c"}
	seen := map[string]string{}
	for _, n := range names {
		p, err := RepoPath(n)
		if err != nil {
			continue
		}
		if other, ok := seen[p]; ok {
			t.Errorf("%q and %q both map to %q", n, other, p)
		}
		seen[p] = n
		if strings.Count(p, "/") != 1 || !strings.HasPrefix(p, "repos/") {
			t.Errorf("RepoPath(%q) = %q, want a file directly under repos/", n, p)
		}
	}
}

// FuzzRepoPath checks that no accepted name maps outside repos/.
func FuzzRepoPath(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../x", "a/../../b", "a//b", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		p, err := RepoPath(name)
		if err != nil {
			return
		}
		clean := filepath.ToSlash(filepath.Clean(p))
		if clean != p || !strings.HasPrefix(p, "repos/") || strings.Contains(p[len("repos/"):], "/") || strings.Contains(p, "..") {
			t.Fatalf("RepoPath(%q) = %q escapes or nests", name, p)
		}
	})
}

// FuzzDecodeRepository checks that any accepted repository file re-encodes
// to bytes that decode to the same encoding (decode→encode is stable).
func FuzzDecodeRepository(f *testing.F) {
	_, repos := sample()
	repos[0].Normalize()
	b, _ := Marshal(&repos[0])
	f.Add(b)
	f.Add([]byte(`{"schemaVersion":1,"name":"x","tags":null,"images":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeRepository(bytes.NewReader(data))
		if err != nil {
			return
		}
		r.Normalize()
		once, err := Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := DecodeRepository(bytes.NewReader(once))
		if err != nil {
			t.Fatalf("re-decoding our own output: %v\n%s", err, once)
		}
		r2.Normalize()
		twice, _ := Marshal(r2)
		if !bytes.Equal(once, twice) {
			t.Fatalf("encoding not stable:\n%s\n%s", once, twice)
		}
	})
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
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

func equalTrees(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
