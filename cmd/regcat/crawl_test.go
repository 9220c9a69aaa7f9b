package main

import (
	"bytes"
	"context"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// runCLI runs regcat with args and stdin and returns the exit code and
// stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stderr.String()
}

// hermetic keeps the default keychain and the credential variables of the
// machine out of the test.
func hermetic(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv(envUsername, "")
	t.Setenv(envPassword, "")
}

func startRegistry(t *testing.T, opts ...regtest.Option) (*regtest.Registry, *regtest.Fixture) {
	t.Helper()
	reg := regtest.NewDistribution(t, opts...)
	fx := regtest.Standard(t).WithoutSchema1()
	if err := reg.Populate(context.Background(), fx); err != nil {
		t.Fatal(err)
	}
	return reg, fx
}

// readDir returns every file under dir by relative path.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCrawlCommand(t *testing.T) {
	hermetic(t)
	reg, fx := startRegistry(t, regtest.WithBasicAuth())
	t.Setenv(envUsername, reg.Username)
	t.Setenv(envPassword, reg.Password)
	dir := filepath.Join(t.TempDir(), "snap")

	code, stderr := runCLI(t, "", "crawl", reg.Host, "--snapshot", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snap, err := snapshot.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Repositories) != len(fx.Repos) || snap.Index.Registry != reg.Host {
		t.Errorf("snapshot of %s has %d repositories, want %d", snap.Index.Registry, len(snap.Repositories), len(fx.Repos))
	}
	if !strings.Contains(stderr, "crawl complete") || strings.Contains(stderr, reg.Password) {
		t.Errorf("stderr:\n%s", stderr)
	}

	// Incremental: a second run only HEADs the manifests (and GETs the
	// referrers and cosign tags, which hold no release: the fixture has
	// one of each, in team-a/api); --full GETs them all.
	reg.Counter.Reset()
	if code, stderr := runCLI(t, "", "crawl", reg.Host, "--snapshot", dir, "-q"); code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q with --quiet", code, stderr)
	}
	if reg.Counter.Get(regtest.RouteManifestGet) != 2 || reg.Counter.Get(regtest.RouteManifestHead) == 0 {
		t.Errorf("incremental run: %s", reg.Counter)
	}
	reg.Counter.Reset()
	if code, stderr := runCLI(t, "", "crawl", reg.Host, "--snapshot", dir, "--full"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if reg.Counter.Get(regtest.RouteManifestHead) != 0 || reg.Counter.Get(regtest.RouteManifestGet) == 0 {
		t.Errorf("--full run: %s", reg.Counter)
	}
}

func TestCrawlCommandSelection(t *testing.T) {
	hermetic(t)
	reg, _ := startRegistry(t)
	list := filepath.Join(t.TempDir(), "repos.txt")
	if err := os.WriteFile(list, []byte("# wanted\nbase/os\n\nteam-a/worker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"repo flags", []string{"--repo", "a/b/c/d", "--repo", "charts/web"}, []string{"a/b/c/d", "charts/web"}},
		{"repos file", []string{"--repos-file", list}, []string{"base/os", "team-a/worker"}},
		{"include and exclude", []string{"--include", "team-a/*", "--include", "team-a/*/*", "--exclude", "team-a/api"}, []string{"team-a/tools/cli", "team-a/worker"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			reg.Counter.Reset()
			code, stderr := runCLI(t, "", append([]string{"crawl", reg.URL, "--snapshot", dir}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			snap, err := snapshot.Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range snap.Repositories {
				got = append(got, r.Name)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("repositories %v, want %v", got, tt.want)
			}
			if tt.name != "include and exclude" && reg.Counter.Get(regtest.RouteCatalog) != 0 {
				t.Errorf("the catalog was read although repositories were named: %s", reg.Counter)
			}
		})
	}
}

func TestCrawlCommandExitCodes(t *testing.T) {
	hermetic(t)
	reg, _ := startRegistry(t, regtest.WithBasicAuth())
	// A closed port: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()

	tests := []struct {
		name  string
		stdin string
		args  []string
		rule  *regtest.Rule
		code  int
	}{
		{"complete", reg.Password + "\n", []string{"--username", reg.Username, "--password-stdin"}, nil, exitOK},
		{"some failures", reg.Password, []string{"--username", reg.Username, "--password-stdin"},
			&regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusInternalServerError, Times: -1, Repo: "base/os", Routes: []regtest.Route{regtest.RouteManifestGet}}, exitPartial},
		{"wrong password", "nope", []string{"--username", reg.Username, "--password-stdin"}, nil, exitFatal},
		{"anonymous on a registry that needs credentials", "", nil, nil, exitFatal},
		{"unreachable registry", "", []string{"--registry-override", dead}, nil, exitFatal},
		{"no registry", "", []string{"--no-registry"}, nil, exitUsage},
		{"password-stdin without username", "x", []string{"--password-stdin"}, nil, exitUsage},
		{"username without password", "", []string{"--username", "u"}, nil, exitUsage},
		{"invalid repo", "", []string{"--repo", "../etc"}, nil, exitUsage},
		{"bad glob", "", []string{"--include", "["}, nil, exitUsage},
		{"zero concurrency is the default", reg.Password, []string{"--username", reg.Username, "--password-stdin", "--concurrency", "0"}, nil, exitOK},
		{"negative concurrency", "", []string{"--concurrency", "-1"}, nil, exitUsage},
		{"negative timeout", "", []string{"--timeout", "-1s"}, nil, exitUsage},
		{"unknown flag", "", []string{"--nope"}, nil, exitUsage},
		{"missing repos file", "", []string{"--repos-file", "/nonexistent/list"}, nil, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			// A previous snapshot that a failed run must leave alone.
			code, stderr := runCLI(t, reg.Password, "crawl", reg.Host, "--snapshot", dir, "--username", reg.Username, "--password-stdin", "--repo", "charts/web")
			if code != exitOK {
				t.Fatalf("seeding: exit %d: %s", code, stderr)
			}
			before := readDir(t, filepath.Dir(dir))

			if tt.rule != nil {
				reg.Faults.Set(*tt.rule)
				defer reg.Faults.Set()
			}
			host := reg.Host
			args := []string{"crawl"}
			var extra []string
			for i := 0; i < len(tt.args); i++ {
				switch tt.args[i] {
				case "--registry-override":
					host = tt.args[i+1]
					i++
				case "--no-registry":
					host = ""
				default:
					extra = append(extra, tt.args[i])
				}
			}
			if host != "" {
				args = append(args, host)
			}
			args = append(append(args, "--snapshot", dir, "--full"), extra...)
			code, stderr = runCLI(t, tt.stdin, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			if strings.Contains(stderr, reg.Password) {
				t.Errorf("stderr leaks the password:\n%s", stderr)
			}
			after := readDir(t, filepath.Dir(dir))
			if tt.code == exitFatal || tt.code == exitUsage {
				if len(after) != len(before) {
					t.Errorf("files %d, want the previous %d", len(after), len(before))
				}
				for name, b := range before {
					if after[name] != b {
						t.Errorf("%s changed by a failed run", name)
					}
				}
			}
			if tt.code == exitPartial {
				snap, err := snapshot.Read(dir)
				if err != nil {
					t.Fatal(err)
				}
				if len(snap.Repositories) < 2 {
					t.Errorf("partial crawl wrote %d repositories", len(snap.Repositories))
				}
			}
		})
	}
}

func TestCrawlCommandHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"crawl", "--help"}, strings.NewReader(""), &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"--snapshot", "--repo", "--repos-file", "--include", "--exclude", "--concurrency", "--qps",
		"--timeout", "--insecure", "--plain-http", "--username", "--password-stdin", "--full", envUsername, "Exit codes"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
