package actiontest

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/regcat/regcat/internal/regtest"
)

// action is the part of GitHub's action metadata syntax the checks read.
type action struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Author      string            `yaml:"author"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

type step struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
}

// readAction decodes ../../action.yml, rejecting keys the types above do
// not know (a misspelt key is silently ignored by GitHub).
func readAction(t *testing.T) *action {
	t.Helper()
	f, err := os.Open("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var a action
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a
}

// expr matches one ${{ … }} expression.
var expr = regexp.MustCompile(`\$\{\{(.*?)\}\}`)

// refs returns the names that the expressions in s take from ctx, as in
// ${{ inputs.NAME }} or ${{ steps.ID.outputs.NAME }} (ctx "steps").
func refs(s, ctx string) [][]string {
	re := regexp.MustCompile(`\b` + ctx + `\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.outputs\.([A-Za-z_][A-Za-z0-9_-]*))?`)
	var out [][]string
	for _, m := range expr.FindAllStringSubmatch(s, -1) {
		for _, r := range re.FindAllStringSubmatch(m[1], -1) {
			out = append(out, r[1:])
		}
	}
	return out
}

// values returns every string of a step that GitHub evaluates expressions
// in, each with where it is.
func (s step) values() map[string]string {
	v := map[string]string{"if": s.If, "uses": s.Uses, "run": s.Run, "working-directory": s.WorkingDirectory}
	for k, x := range s.With {
		v["with."+k] = x
	}
	for k, x := range s.Env {
		v["env."+k] = x
	}
	return v
}

func TestActionMetadata(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description")
	}
	for _, in := range []string{"registry", "repos-file", "username", "password", "base-url", "title", "args"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %s is not declared", in)
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if in.Required && in.Default != nil {
			t.Errorf("input %s is required and has a default", name)
		}
	}

	used := map[string]bool{}
	ids := map[string]step{}
	for i, s := range a.Runs.Steps {
		where := s.Name
		if where == "" {
			where = s.Uses
		}
		switch {
		case s.Run != "" && s.Uses != "":
			t.Errorf("step %d (%s) has both run and uses", i, where)
		case s.Run != "" && s.Shell == "":
			t.Errorf("step %d (%s) runs a script without shell: (composite actions require it)", i, where)
		case s.Run == "" && s.Uses == "":
			t.Errorf("step %d (%s) has neither run nor uses", i, where)
		case s.Uses != "" && !regexp.MustCompile(`^[\w.-]+/[\w./-]+@[\w.-]+$`).MatchString(s.Uses):
			t.Errorf("step %d uses %q: want owner/repo@ref", i, s.Uses)
		}
		// A script never expands an expression: inputs reach it through
		// env, so a value cannot inject shell code.
		if expr.MatchString(s.Run) {
			t.Errorf("step %d (%s): its script expands ${{ }}; pass the value in env", i, where)
		}
		if s.ID != "" {
			if _, dup := ids[s.ID]; dup {
				t.Errorf("step id %s is used twice", s.ID)
			}
			ids[s.ID] = s
		}
		for key, v := range s.values() {
			for _, r := range refs(v, "inputs") {
				used[r[0]] = true
				if _, ok := a.Inputs[r[0]]; !ok {
					t.Errorf("step %d (%s) %s uses undeclared input %s", i, where, key, r[0])
				}
				if r[0] == "password" && !strings.HasPrefix(key, "env.") {
					t.Errorf("step %d (%s) passes the password in %s; only env keeps it off command lines", i, where, key)
				}
			}
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
	}
	for _, out := range []string{"site", "exit-code"} {
		if _, ok := a.Outputs[out]; !ok {
			t.Errorf("output %s is not declared", out)
		}
	}
	for name, out := range a.Outputs {
		rs := refs(out.Value, "steps")
		if len(rs) != 1 || rs[0][1] == "" {
			t.Errorf("output %s = %q: want one ${{ steps.ID.outputs.NAME }}", name, out.Value)
			continue
		}
		s, ok := ids[rs[0][0]]
		if !ok {
			t.Errorf("output %s refers to step %s, which does not exist", name, rs[0][0])
			continue
		}
		if !strings.Contains(s.Run, `echo "`+rs[0][1]+`=`) {
			t.Errorf("output %s: step %s never writes %s to $GITHUB_OUTPUT", name, rs[0][0], rs[0][1])
		}
	}
}

// TestActionScriptsShellcheck runs shellcheck over every script of the
// action as GitHub runs it (bash -e -o pipefail). actionlint shellchecks the
// scripts of workflows, not those of composite actions.
func TestActionScriptsShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("REGCAT_REQUIRE_SHELLCHECK") != "" {
			t.Fatal("shellcheck not found and REGCAT_REQUIRE_SHELLCHECK is set")
		}
		t.Skip("shellcheck not installed (apt-get install shellcheck)")
	}
	for i, s := range readAction(t).Runs.Steps {
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("step %d (%s): shell %q, want bash", i, s.Name, s.Shell)
			continue
		}
		cmd := exec.Command(sc, "--shell=bash", "--severity=style", "-")
		cmd.Stdin = strings.NewReader("set -eo pipefail\n" + s.Run)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("step %d (%s): shellcheck: %v\n%s", i, s.Name, err, out)
		}
	}
}

// buildRegcat builds the regcat command into dir, static as the action's
// install step builds it.
func buildRegcat(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "regcat"), "../../cmd/regcat")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

// TestActionBuildStep runs the action's crawl step, as GitHub's composite
// runner does (bash -e -o pipefail, the step's env with the inputs filled
// in, GITHUB_OUTPUT), with a real regcat against the distribution registry
// with basic auth.
func TestActionBuildStep(t *testing.T) {
	var build step
	for _, s := range readAction(t).Runs.Steps {
		if s.ID == "build" {
			build = s
		}
	}
	if build.Run == "" {
		t.Fatal("action.yml has no step with id build")
	}
	bin := t.TempDir()
	buildRegcat(t, bin)

	reg := regtest.NewDistribution(t, regtest.WithBasicAuth())
	if err := reg.Populate(context.Background(), regtest.Standard(t).WithoutSchema1()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		inputs   map[string]string
		fault    *regtest.Rule
		wantExit int    // the script's
		wantCode string // the exit-code output
	}{
		{name: "complete", inputs: map[string]string{"title": "Our images", "args": "--include team-a/*\n --max-tags 5"}, wantCode: "0"},
		{name: "partial is publishable", inputs: map[string]string{}, wantCode: "3",
			fault: &regtest.Rule{Fault: regtest.FaultStatus, Status: 404, Repo: "base/os", Routes: []regtest.Route{regtest.RouteManifestGet, regtest.RouteManifestHead}, Times: -1}},
		{name: "usage error fails", inputs: map[string]string{"args": "--no-such-flag"}, wantExit: 2, wantCode: "2"},
		{name: "wrong password fails", inputs: map[string]string{"password": "wrong"}, wantExit: 1, wantCode: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg.Faults.Set()
			if tt.fault != nil {
				reg.Faults.Set(*tt.fault)
			}
			work := t.TempDir()
			inputs := map[string]string{
				"registry": reg.Host, "username": reg.Username, "password": reg.Password,
				"snapshot": "snapshot", "out": "site",
			}
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			outFile := filepath.Join(work, "github-output")
			env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + work, "GITHUB_OUTPUT=" + outFile}
			for k, v := range build.Env {
				env = append(env, k+"="+expr.ReplaceAllStringFunc(v, func(e string) string {
					r := refs(e, "inputs")
					if len(r) != 1 {
						t.Fatalf("env %s = %q: want one input", k, v)
					}
					return inputs[r[0][0]]
				}))
			}
			cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", build.Run)
			cmd.Dir = work
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			exit := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if exit != tt.wantExit {
				t.Fatalf("script exit %d, want %d\n%s", exit, tt.wantExit, out)
			}
			if strings.Contains(string(out), reg.Password) && inputs["password"] == reg.Password {
				t.Errorf("the password appears in the output:\n%s", out)
			}
			outputs := readOutputs(t, outFile)
			want := map[string]string{"exit-code": tt.wantCode, "site": "site", "snapshot": "snapshot"}
			for k, v := range want {
				if outputs[k] != v {
					t.Errorf("output %s = %q, want %q", k, outputs[k], v)
				}
			}
			index := filepath.Join(work, "site", "index.html")
			page, err := os.ReadFile(index)
			switch {
			case tt.wantExit != 0 && err == nil:
				t.Errorf("a failed build left %s", index)
			case tt.wantExit == 0 && err != nil:
				t.Fatalf("no site: %v\n%s", err, out)
			}
			if tt.inputs["title"] != "" && !strings.Contains(string(page), tt.inputs["title"]) {
				t.Errorf("the site's index does not carry the title %q", tt.inputs["title"])
			}
			if strings.Contains(tt.inputs["args"], "--include team-a/*") {
				if strings.Contains(string(page), "base/os") || !strings.Contains(string(page), "team-a/api") {
					t.Error("the args input's --include team-a/* was not applied")
				}
			}
		})
	}
}

// readOutputs parses a $GITHUB_OUTPUT file of name=value lines.
func readOutputs(t *testing.T, name string) map[string]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatalf("the step wrote no outputs: %v", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || slices.Contains([]string{"", "<<"}, k) {
			t.Fatalf("output line %q", sc.Text())
		}
		out[k] = v
	}
	return out
}
