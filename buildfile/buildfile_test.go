package buildfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExample reads examples/regcat.yaml, which README documents.
func TestExample(t *testing.T) {
	f, err := Load("../examples/regcat.yaml", env(map[string]string{"MAIN_REGISTRY_USER": "u", "MAIN_REGISTRY_PASSWORD": "p"}))
	if err != nil {
		t.Fatal(err)
	}
	if f.Title != "Example Corp containers" || len(f.Registries) != 3 {
		t.Fatalf("%+v", f)
	}
	main, ghcr, local := f.Registries[0], f.Registries[1], f.Registries[2]
	if main.Dir != "main" || main.Title != "Main registry" || main.Crawl.Registry != "registry.example.com" ||
		strings.Join(main.Crawl.Include, ",") != "team-a/*,base/*" || strings.Join(main.Crawl.Exclude, ",") != "*/scratch-*" {
		t.Errorf("main: %+v", main)
	}
	if b, ok := main.Crawl.Auth.(*authn.Basic); !ok || b.Username != "u" || b.Password != "p" {
		t.Errorf("main auth: %#v", main.Crawl.Auth)
	}
	if ghcr.Dir != "ghcr" || strings.Join(ghcr.Crawl.Repos, ",") != "example-corp/app,example-corp/worker" || ghcr.Crawl.Keychain == nil || ghcr.Crawl.Auth != nil {
		t.Errorf("ghcr: %+v", ghcr)
	}
	if local.Dir != "localhost-5000" {
		t.Errorf("local dir %q, want localhost-5000", local.Dir)
	}
	if main.Shards != 1 || ghcr.Shards != 1 || local.Shards != 1 {
		t.Errorf("shards %d, %d, %d; want 1 each", main.Shards, ghcr.Shards, local.Shards)
	}

	// Its commented shards line, uncommented, shards the main registry.
	b, err := os.ReadFile("../examples/regcat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "# shards: 3", "shards: 3", 1)
	if text == string(b) {
		t.Fatal("examples/regcat.yaml has no commented shards line")
	}
	f, err = parse([]byte(text), "../examples", env(map[string]string{"MAIN_REGISTRY_USER": "u", "MAIN_REGISTRY_PASSWORD": "p"}))
	if err != nil {
		t.Fatal(err)
	}
	if f.Registries[0].Shards != 3 || f.MaxShards() != 3 {
		t.Errorf("uncommented: shards %d, max %d; want 3", f.Registries[0].Shards, f.MaxShards())
	}
}

func TestReposFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "repos.txt"), []byte("# team a\nteam-a/api\n\nteam-a/web\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "regcat.yaml")
	if err := os.WriteFile(cfg, []byte("registries:\n  - address: r.example.com\n    repos: [x/y]\n    repos-file: repos.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(cfg, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.Registries[0].Crawl.Repos, ","); got != "x/y,team-a/api,team-a/web" {
		t.Errorf("repos %s", got)
	}
}

// TestErrors rejects bad files, naming the line.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
	}{
		{"unknown top key", "title: x\nregistry:\n  - address: a.example.com\n", "line 2: field registry not found"},
		{"unknown registry key", "registries:\n  - address: a.example.com\n    passwrd: x\n", "line 3: field passwrd not found"},
		{"duplicate key", "registries:\n  - address: a.example.com\n    address: b.example.com\n", "line 3"},
		{"wrong type", "registries:\n  - address: a.example.com\n    repos: x/y\n", "line 3"},
		{"no address", "registries:\n  - title: x\n  - address: b.example.com\n", "line 2: registry 1: address: not set"},
		{"half credentials", "registries:\n  - address: a.example.com\n  - address: b.example.com\n    username-env: U\n", "line 3: registry 2: username-env and password-env"},
		{"unset credentials", "registries:\n  - address: a.example.com\n    username-env: NOPE_U\n    password-env: NOPE_P\n", "line 2: registry 1: credentials: NOPE_U and NOPE_P"},
		{"same dir", "registries:\n  - address: a.example.com\n    dir: x\n  - address: b.example.com\n    dir: x\n", `line 4: registry 2: dir "x" is also that of the registry at line 2`},
		{"bad dir", "registries:\n  - address: a.example.com\n    dir: ../x\n", "line 2: registry 1: dir: directory"},
		{"reserved dir", "registries:\n  - address: a.example.com\n    dir: assets\n", "not assets or api"},
		{"bad glob", "registries:\n  - address: a.example.com\n    include: ['[']\n", "line 2: registry 1: crawl config"},
		{"bad repo", "registries:\n  - address: a.example.com\n    repos: ['../etc']\n", "line 2: registry 1: crawl config"},
		{"missing repos file", "registries:\n  - address: a.example.com\n    repos-file: nope.txt\n", "line 2: registry 1: repos-file"},
		{"zero shards", "registries:\n  - address: a.example.com\n  - address: b.example.com\n    shards: 0\n", "line 3: registry 2: shards: 0 is not 1 to 10000"},
		{"too many shards", "registries:\n  - address: a.example.com\n    shards: 10001\n", "line 2: registry 1: shards: 10001 is not 1 to 10000"},
		{"negative shards", "registries:\n  - address: a.example.com\n    shards: -2\n", "line 2: registry 1: shards: -2 is not 1 to 10000"},
		{"shards not a number", "registries:\n  - address: a.example.com\n    shards: three\n", `line 3: "three" is not a whole number`},
		{"shards a fraction", "registries:\n  - address: a.example.com\n    shards: 1.5\n", `line 3: "1.5" is not a whole number`},
		{"shards a list", "registries:\n  - address: a.example.com\n    shards: [2]\n", `line 3: not a whole number`},
		{"shards huge", "registries:\n  - address: a.example.com\n    shards: 99999999999999999999\n", "line 3"},
		{"shards twice", "registries:\n  - address: a.example.com\n    shards: 2\n    shards: 3\n", "line 4"},
		{"none", "title: x\n", "registries: none listed"},
		{"empty", "", "empty file"},
		{"two documents", "registries:\n  - address: a.example.com\n---\ntitle: y\n", "second YAML document"},
		{"not yaml", "registries: [\n", "yaml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(write(t, "regcat.yaml", c.text), env(nil))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestShards reads shards (default 1, at most snapshot.MaxShards) and
// checks which shard of each registry every job crawls.
func TestShards(t *testing.T) {
	f, err := Load(write(t, "regcat.yaml", "registries:\n  - address: a.example.com\n    shards: 3\n  - address: b.example.com\n  - address: c.example.com\n    shards: 10000\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := f.Registries[0], f.Registries[1], f.Registries[2]
	if a.Shards != 3 || b.Shards != 1 || c.Shards != 10000 || f.MaxShards() != 10000 {
		t.Fatalf("shards %d, %d, %d, max %d", a.Shards, b.Shards, c.Shards, f.MaxShards())
	}
	for _, tc := range []struct {
		r    Registry
		job  int
		want string // "" for none
	}{
		{a, 1, "1/3"}, {a, 3, "3/3"}, {a, 4, ""}, {a, 0, ""},
		{b, 1, "1/1"}, {b, 2, ""},
		{c, 10000, "10000/10000"},
	} {
		got := ""
		if s, ok := tc.r.Shard(tc.job); ok {
			got = s.String()
			if err := s.Validate(); err != nil {
				t.Errorf("%s job %d: %v", tc.r.Dir, tc.job, err)
			}
		}
		if got != tc.want {
			t.Errorf("%s job %d: shard %q, want %q", tc.r.Dir, tc.job, got, tc.want)
		}
	}
}

func TestDirOf(t *testing.T) {
	for in, want := range map[string]string{
		"registry.example.com":              "registry.example.com",
		"https://Reg.Example.com:5000/path": "reg.example.com-5000",
		"user:pw@reg.example.com":           "reg.example.com",
		"[::1]:5000":                        "1-5000",
	} {
		if got := dirOf(in); got != want {
			t.Errorf("dirOf(%q) = %q, want %q", in, got, want)
		}
	}
}
