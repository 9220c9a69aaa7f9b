package render

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/regcat/regcat/internal/tmplexec"
	"github.com/regcat/regcat/snapshot"
)

// stdTemplate executes a page's template with html/template itself.
type stdTemplate struct{ *template.Template }

func (t stdTemplate) Execute(w *bytes.Buffer, data any) error { return t.Template.Execute(w, data) }

// renderSet renders snap with cfg as Render does, but with the page
// templates set, and returns the site's path.
func renderSet(t *testing.T, cfg Config, snap snapshot.Source, set templateSet) string {
	t.Helper()
	cfg.Out = filepath.Join(t.TempDir(), "site")
	r := newRenderer(cfg, set, [32]byte{})
	if err := r.read(context.Background(), snap, cfg.History); err != nil {
		t.Fatal(err)
	}
	s, err := openSite(cfg.out())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.run(context.Background(), s); err != nil {
		s.Abort()
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	return cfg.Out
}

// TestCompiledTemplates renders the fixture and the hostile snapshot
// with the compiled templates and with html/template, and wants the same
// bytes in every file, every page template compiled and no execution
// left to html/template.
func TestCompiledTemplates(t *testing.T) {
	snaps := map[string]struct {
		snap snapshot.Source
		cfg  Config
	}{
		"fixture": {fixture(), Config{History: fixtureHistory()}},
		"hostile": {hostileSnapshot(), Config{}},
	}
	for name, tc := range snaps {
		t.Run(name, func(t *testing.T) {
			compiled, _, err := loadTemplates("", slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			parsed, _, err := parseTemplates("")
			if err != nil {
				t.Fatal(err)
			}
			std := templateSet{}
			for name, tmpl := range parsed {
				std[name] = stdTemplate{tmpl}
			}
			got := readTree(t, renderSet(t, tc.cfg, tc.snap, compiled))
			want := readTree(t, renderSet(t, tc.cfg, tc.snap, std))
			if len(got) != len(want) {
				t.Errorf("%d files, want %d", len(got), len(want))
			}
			for path, b := range want {
				if !bytes.Equal(got[path], b) {
					t.Errorf("%s differs from html/template's", path)
				}
			}
			for name, tmpl := range compiled {
				ct := tmpl.(*tmplexec.Template)
				if ct.Err() != nil || ct.Fallbacks() != 0 {
					t.Errorf("%s: not compiled (%v) or %d executions left to html/template", name, ct.Err(), ct.Fallbacks())
				}
			}
		})
	}
}

// TestUncompiledOverride renders an override that tmplexec does not
// compile: html/template executes it, and the log says so.
func TestUncompiledOverride(t *testing.T) {
	dir := t.TempDir()
	src := `{{define "content"}}<p class="x">{{printf "%s has %d tags" .Repo.Text (len .Tags)}}</p>{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "image.html"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	out := renderFixture(t, Config{TemplatesDir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if !strings.Contains(logs.String(), `msg="template not compiled, executed by html/template" template=image.html`) {
		t.Errorf("log does not say image.html is not compiled:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "template=repo.html") {
		t.Errorf("log says repo.html is not compiled:\n%s", logs.String())
	}
	pages, _ := filepath.Glob(filepath.Join(out, "r", "*", "sha256-*.html"))
	if len(pages) == 0 {
		t.Fatal("no image pages")
	}
	b, err := os.ReadFile(pages[0])
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`<p class=x>[^<]+ has \d+ tags</p>`).Match(b) {
		t.Errorf("%s does not hold the override's text:\n%.600s", pages[0], b)
	}
}
