package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/regcat/regcat"

// rule is what one package may import besides the standard library: the
// module's packages (by path inside the module) and third-party import
// path prefixes (matched at a path boundary). forbidStd lists standard
// library packages it must not import all the same.
type rule struct {
	pkgs      []string
	third     []string
	forbidStd []string
}

const (
	ggcr         = "github.com/google/go-containerregistry"
	distribution = "github.com/distribution/distribution"
	errgroup     = "golang.org/x/sync"
)

// allow is the allowlist: every package of the module must have an entry
// (a new package is a decision to write down here), and each of its
// non-test imports must be in it. Tests may import more (fixtures,
// registries, parsers); the transitive checks of TestBoundaries still
// hold for them through the packages they exercise.
var allow = map[string]rule{
	// The contract: standard library only, and its directory writer.
	"snapshot":        {pkgs: []string{"internal/sitefs"}},
	"internal/sitefs": {third: []string{"golang.org/x/sys/unix"}},
	// What changed between two snapshots, and the change log kept with
	// them: snapshots alone.
	"changes": {pkgs: []string{"snapshot"}},
	// The read-only model every output reads: built from snapshots alone.
	"catalog": {pkgs: []string{"snapshot", "changes"}},
	// Metadata rules, coverage and stale bases: read from the catalog.
	"lint": {pkgs: []string{"catalog", "changes", "snapshot"}},
	// Registries, HTTP, auth; never HTML.
	"crawler": {pkgs: []string{"snapshot", "crawler/reghttp"}, third: []string{ggcr, errgroup},
		forbidStd: []string{"html/template"}},
	// The crawler's HTTP layer: retries, deadlines, rate limit, redirects.
	"crawler/reghttp": {pkgs: []string{"snapshot"}, third: []string{ggcr}, forbidStd: []string{"html/template"}},
	// Pages, badges, API: knows snapshots and the catalog, nothing of
	// registries or the network client.
	"render":       {pkgs: []string{"snapshot", "changes", "catalog", "lint", "templates", "assets", "render/badge", "internal/sitefs", "internal/tmplexec"}, third: []string{"github.com/yuin/goldmark", "github.com/tdewolff/minify", errgroup}},
	"render/badge": {},
	// html/template's escaped trees, executed without its reflection:
	// the standard library only.
	"internal/tmplexec": {},
	"templates":         {},
	"assets":            {},
	// One image as skopeo inspect prints it, live (through the crawler)
	// or from a snapshot.
	"inspect": {pkgs: []string{"crawler", "snapshot"}, forbidStd: []string{"html/template"}},
	// regcat.yaml: the registries of one site, as crawl configs.
	"buildfile": {pkgs: []string{"crawler", "render", "snapshot"}, third: []string{ggcr + "/pkg/authn", "go.yaml.in/yaml/v3"}},
	// crawl → snapshot → catalog → render as one unit.
	"pipeline": {pkgs: []string{"crawler", "snapshot", "changes", "notify", "catalog", "render", "internal/sitefs"}, third: []string{errgroup}},
	// Flags, configs, exit codes; the demo pushes example images to an
	// in-process registry.
	"cmd/regcat": {pkgs: []string{"pipeline", "refresh", "notify", "crawler", "snapshot", "changes", "catalog", "lint", "render", "render/badge", "examples", "inspect", "buildfile", "internal/memlimit"},
		third: []string{ggcr + "/pkg/authn", ggcr + "/pkg/registry", "github.com/spf13/cobra", "github.com/spf13/pflag", errgroup, "golang.org/x/term"}},
	// The example images of the demo and the tests, built with
	// go-containerregistry.
	"examples": {pkgs: []string{"snapshot"}, third: []string{ggcr}},
	// Test helpers: in-process registries and fault injection.
	"internal/regtest": {pkgs: []string{"snapshot", "examples"}, third: []string{ggcr, distribution, "github.com/sirupsen/logrus", "golang.org/x/crypto"}},
	// Benchmark support: heap peaks and the resident set's high-water mark.
	"internal/memwatch": {},
	// The soft memory limit commands run under.
	"internal/memlimit": {},
	// Change notifications: webhooks POSTed after a run that changed something.
	"notify": {pkgs: []string{"changes"}, third: []string{errgroup}},
	// The webhook-driven refresh of serve: hooks, queue, pipeline runs.
	"refresh":           {pkgs: []string{"pipeline", "snapshot", "render"}},
	"internal/archtest": {},
	// regcat's own container image, and the command that builds it.
	"internal/image":          {pkgs: []string{"snapshot"}, third: []string{ggcr}},
	"internal/cmd/buildimage": {pkgs: []string{"internal/image"}, third: []string{ggcr}},
	// The side-by-side with Hugo (scripts/hugo-compare.sh): the snapshot
	// of a synthetic registry, crawled in-process, and a Hugo site of a
	// snapshot's pages.
	"internal/cmd/benchsnap": {pkgs: []string{"internal/regtest", "crawler", "pipeline"}, third: []string{ggcr + "/pkg/registry"}},
	"internal/cmd/hugotree":  {pkgs: []string{"snapshot", "render/badge"}},
	// Tests of the GitHub Action (action.yml); no code of its own.
	"internal/actiontest": {},
}

type listed struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

// goList runs go list -json with args and decodes the packages it prints.
func goList(t *testing.T, args ...string) []listed {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json=ImportPath,Imports,Standard"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	var pkgs []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// inModule returns p relative to the module, and whether it is in it.
func inModule(p string) (string, bool) {
	if p == module {
		return ".", true
	}
	return strings.CutPrefix(p, module+"/")
}

func hasPrefix(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// TestAllowlist checks every package of the module against allow.
func TestAllowlist(t *testing.T) {
	pkgs := goList(t, module+"/...")
	if len(pkgs) < 5 {
		t.Fatalf("go list found %d packages: the test cannot see the module", len(pkgs))
	}
	std := map[string]bool{}
	for _, p := range goList(t, "std") {
		std[p.ImportPath] = true
	}
	for _, p := range pkgs {
		name, _ := inModule(p.ImportPath)
		t.Run(name, func(t *testing.T) {
			r, ok := allow[name]
			if !ok {
				t.Fatalf("package %s has no entry in the allowlist (internal/archtest): say what it may import", name)
			}
			for _, imp := range p.Imports {
				if m, ok := inModule(imp); ok {
					if !slices.Contains(r.pkgs, m) {
						t.Errorf("%s imports %s, which its allowlist entry does not name", name, m)
					}
					continue
				}
				if std[imp] {
					if slices.Contains(r.forbidStd, imp) {
						t.Errorf("%s imports %s, which it must not", name, imp)
					}
					continue
				}
				if !slices.ContainsFunc(r.third, func(prefix string) bool { return hasPrefix(imp, prefix) }) {
					t.Errorf("%s imports %s, which its allowlist entry does not name", name, imp)
				}
			}
		})
	}
}

// TestBoundaries checks the boundaries of the house style over all
// dependencies, not only direct imports: render never reaches the crawler,
// the network client or a registry; snapshot, sitefs and badge need only
// the standard library (snapshot: and sitefs; sitefs: and x/sys/unix for
// syncfs).
func TestBoundaries(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string
		only      []string // when set, the only non-standard dependencies allowed
	}{
		{pkg: "snapshot", only: []string{module + "/internal/sitefs", "golang.org/x/sys/unix"}},
		{pkg: "internal/sitefs", only: []string{"golang.org/x/sys/unix"}},
		{pkg: "render/badge", only: []string{}},
		{pkg: "internal/tmplexec", only: []string{}},
		{pkg: "templates", only: []string{}},
		{pkg: "assets", only: []string{}},
		{pkg: "catalog", forbidden: []string{module + "/crawler", module + "/render", ggcr, distribution}},
		{pkg: "lint", only: []string{module + "/catalog", module + "/changes", module + "/snapshot", module + "/internal/sitefs", "golang.org/x/sys/unix"}},
		{pkg: "render", forbidden: []string{module + "/crawler", module + "/pipeline", ggcr, distribution}},
		// Notifications never reach the registry's credentials or client.
		{pkg: "notify", forbidden: []string{module + "/crawler", module + "/pipeline", ggcr}},
		{pkg: "crawler", forbidden: []string{module + "/render", module + "/catalog", "html/template", "github.com/yuin/goldmark", "github.com/tdewolff/minify"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			if _, err := exec.Command("go", "list", module+"/"+tt.pkg).Output(); err != nil {
				t.Skipf("no package %s (yet)", tt.pkg)
			}
			deps := goList(t, "-deps", module+"/"+tt.pkg)
			for _, d := range deps {
				if d.ImportPath == module+"/"+tt.pkg {
					continue
				}
				if tt.only != nil && !d.Standard && !slices.Contains(tt.only, d.ImportPath) {
					t.Errorf("%s depends on %s; it may depend only on the standard library and %v", tt.pkg, d.ImportPath, tt.only)
				}
				for _, f := range tt.forbidden {
					if hasPrefix(d.ImportPath, f) {
						t.Errorf("%s depends on %s", tt.pkg, d.ImportPath)
					}
				}
			}
		})
	}
}
