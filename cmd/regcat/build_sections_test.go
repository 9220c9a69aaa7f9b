package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// buildTwo starts go-containerregistry's registry and the distribution
// registry with token auth (credentials in variables the config file
// names), runs build --config over both, and returns the site and the
// snapshot directory.
func buildTwo(t *testing.T) (site, snap string) {
	t.Helper()
	hermetic(t)
	fx := regtest.Standard(t).WithoutSchema1()
	ggcr := regtest.NewGGCR(t)
	if err := ggcr.Populate(context.Background(), fx); err != nil {
		t.Fatal(err)
	}
	dist := regtest.NewDistribution(t, regtest.WithTokenAuth())
	if err := dist.Populate(context.Background(), fx); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DIST_USER", dist.Username)
	t.Setenv("DIST_PASSWORD", dist.Password)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "repos.txt"), []byte("team-a/api\nbase/os\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "regcat.yaml")
	text := fmt.Sprintf(`title: Both registries
registries:
  - address: %s
    dir: ggcr
    title: The ggcr registry
    exclude: ["team-a/tools/*"]
  - address: %s
    dir: dist
    username-env: DIST_USER
    password-env: DIST_PASSWORD
    repos-file: repos.txt
`, ggcr.Host, dist.Host)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	site, snap = filepath.Join(dir, "site"), filepath.Join(dir, "snapshot")
	if code, stderr := runCLI(t, "", "build", "--config", cfg, "--out", site, "--snapshot", snap, "-q"); code != exitOK {
		t.Fatalf("build --config: exit %d\n%s", code, stderr)
	}
	return site, snap
}

// TestBuildConfig builds one site of two registries and checks the
// snapshots, the landing page and each registry's part.
func TestBuildConfig(t *testing.T) {
	site, snap := buildTwo(t)
	for dir, repos := range map[string]int{"ggcr": 5, "dist": 2} {
		s, err := snapshot.Read(filepath.Join(snap, dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Repositories) != repos {
			t.Errorf("snapshot %s: %d repositories, want %d", dir, len(s.Repositories), repos)
		}
		for _, f := range []string{"index.html", "r/base~os/index.html", "api/index.json", "failures.html"} {
			if _, err := os.Stat(filepath.Join(site, dir, f)); err != nil {
				t.Errorf("site: %v", err)
			}
		}
	}
	landing, err := os.ReadFile(filepath.Join(site, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Both registries", `href="ggcr/index.html">The ggcr registry<`, `href="dist/index.html">127.0.0.1:`, "2 registries · 7 repositories"} {
		if !strings.Contains(string(landing), want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(site, "ggcr", "r", "team-a~tools~cli")); err == nil {
		t.Error("excluded repository was crawled")
	}

	// inspect finds each registry's snapshot in the directory of several.
	for _, dir := range []string{"ggcr", "dist"} {
		s, err := snapshot.Read(filepath.Join(snap, dir))
		if err != nil {
			t.Fatal(err)
		}
		code, out, stderr := runOut(t, "", "inspect", s.Index.Registry+"/base/os:3.19", "--snapshot", snap, "--format", "{{ .Name }}")
		if code != exitOK || out != s.Index.Registry+"/base/os\n" {
			t.Errorf("inspect from %s: %d %q %s", dir, code, out, stderr)
		}
	}
	if code, _, stderr := runOut(t, "", "inspect", "base/os:3.19", "--snapshot", snap); code != exitFatal || !strings.Contains(stderr, "several registries") {
		t.Errorf("inspect without a registry: %d %s", code, stderr)
	}
}

// TestBuildConfigUsage rejects a bad file with its line, and flags that
// belong in the file.
func TestBuildConfigUsage(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "regcat.yaml")
	if err := os.WriteFile(cfg, []byte("registries:\n  - address: localhost:5000\n    usrname-env: X\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := []string{"--out", filepath.Join(dir, "site"), "--snapshot", filepath.Join(dir, "snap")}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"build", "--config", cfg}, "line 3: field usrname-env not found"},
		{[]string{"build", "--config", cfg, "localhost:5000"}, "do not go together"},
		{[]string{"build"}, "REGISTRY or --config"},
		{[]string{"build", "--config", filepath.Join(dir, "missing.yaml")}, "no such file"},
	} {
		code, stderr := runCLI(t, "", append(c.args, out...)...)
		if code != exitUsage || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d %q, want %d and %q", c.args, code, stderr, exitUsage, c.msg)
		}
	}
	if err := os.WriteFile(cfg, []byte("registries:\n  - address: localhost:5000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--include=x", "--repo=a/b", "--insecure"} {
		code, stderr := runCLI(t, "", append([]string{"build", "--config", cfg, flag}, out...)...)
		if code != exitUsage || !strings.Contains(stderr, "per registry") {
			t.Errorf("%s: exit %d %q, want a usage error", flag, code, stderr)
		}
	}
}

// TestBrowserBuildConfig follows the links between the registries of a
// site of two in headless Chromium from file://: landing page → each
// registry's index → a repository → back to its index → back to the
// landing page.
func TestBrowserBuildConfig(t *testing.T) {
	b := newBrowser(t)
	site, _ := buildTwo(t)
	tb := b.newTab(t)
	landing := fileURL(t, filepath.Join(site, "index.html"))
	if p := tb.visit(landing); len(p) > 0 {
		t.Errorf("landing page: %v", p)
	}
	for _, dir := range []string{"ggcr", "dist"} {
		if p := tb.visit(landing); len(p) > 0 {
			t.Fatalf("landing page: %v", p)
		}
		steps := []struct{ click, want string }{
			{`a[href="` + dir + `/index.html"]`, "/" + dir + "/index.html"},
			{`a[href="r/base~os/index.html"]`, "/" + dir + "/r/base~os/index.html"},
			{`footer a`, "/site/index.html"},
		}
		for _, s := range steps {
			p := follow(t, tb, s.click)
			if got := eval[string](tb, "location.href"); !strings.HasSuffix(got, s.want) {
				t.Fatalf("%s: following %s led to %s, want …%s", dir, s.click, got, s.want)
			}
			if len(p) > 0 {
				t.Errorf("%s: %v", eval[string](tb, "location.href"), p)
			}
			if n := eval[int](tb, `document.querySelectorAll("main a, main table").length`); n == 0 {
				t.Errorf("%s: empty page", eval[string](tb, "location.href"))
			}
		}
	}
}

// follow loads the page that the first link matching sel leads to, as
// the browser resolves it, and returns that page's problems.
func follow(t *testing.T, tb *tab, sel string) []string {
	t.Helper()
	href := eval[string](tb, `(function () { var a = document.querySelector(`+jsString(sel)+`); return a ? a.href : ""; })()`)
	if href == "" {
		t.Fatalf("%s: no link %s", eval[string](tb, "location.href"), sel)
	}
	return tb.visit(href)
}
