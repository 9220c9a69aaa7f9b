package render

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/regcat/regcat/internal/tmplexec"
	"github.com/regcat/regcat/templates"
)

// pageTemplates are the templates of the page outputs and of the landing
// page of a site of several registries, executed as pages; every other *.html file is a layout or partial shared by all of
// them. Each page template defines "content", which "base" places in the
// page; executing "base" renders a whole page.
func pageTemplates() []string {
	out := []string{landingHTML.template}
	for _, o := range outputs {
		if o.page != nil {
			out = append(out, o.page.template)
		}
	}
	return out
}

// funcs are the functions templates may call besides the built-in ones,
// overrides included:
//
//	plural N ONE MANY  N with the noun that fits it: "1 tag", "3 tags"
var funcs = template.FuncMap{"plural": plural}

// loadTemplates parses the templates (see parseTemplates) and compiles
// each page set (see tmplexec), telling log of those html/template runs
// instead (overrides using what tmplexec does not cover), which render
// correctly but slower.
func loadTemplates(dir string, log *slog.Logger) (templateSet, [sha256.Size]byte, error) {
	parsed, sum, err := parseTemplates(dir)
	if err != nil {
		return nil, sum, err
	}
	sets := templateSet{}
	for _, name := range slices.Sorted(maps.Keys(parsed)) {
		t, err := tmplexec.Compile(parsed[name], funcs)
		if err != nil {
			return nil, sum, fmt.Errorf("template %s: %w", name, err)
		}
		if t.Err() != nil {
			log.Info("template not compiled, executed by html/template", "template", name, "reason", t.Err())
		}
		sets[name] = t
	}
	return sets, sum, nil
}

// parseTemplates parses the embedded templates, with the *.html files of
// dir (if not empty) replacing embedded files of the same name or adding
// partials, into the "base" template of each page template. Every page
// set is parsed before anything is executed, so a syntax error in an
// override fails the render before it writes. The sum is the SHA-256 of
// every file's name and content (see fingerprint).
func parseTemplates(dir string) (map[string]*template.Template, [sha256.Size]byte, error) {
	var none [sha256.Size]byte
	files := map[string]string{}
	if err := readTemplates(templates.FS, files); err != nil {
		return nil, none, fmt.Errorf("embedded templates: %w", err)
	}
	if dir != "" {
		root, err := os.OpenRoot(dir)
		if err != nil {
			return nil, none, fmt.Errorf("templates: %w", err)
		}
		defer root.Close()
		if err := readTemplates(root.FS(), files); err != nil {
			return nil, none, fmt.Errorf("templates %s: %w", dir, err)
		}
	}
	pages := pageTemplates()
	common := template.New("").Funcs(funcs).Option("missingkey=error")
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if slices.Contains(pages, name) {
			continue
		}
		if _, err := common.New(name).Parse(files[name]); err != nil {
			return nil, none, fmt.Errorf("template %s: %w", name, err)
		}
	}
	sets := map[string]*template.Template{}
	for _, name := range pages {
		src, ok := files[name]
		if !ok {
			return nil, none, fmt.Errorf("template %s: missing", name)
		}
		t, err := common.Clone()
		if err != nil {
			return nil, none, fmt.Errorf("template %s: %w", name, err)
		}
		if _, err := t.New(name).Parse(src); err != nil {
			return nil, none, fmt.Errorf("template %s: %w", name, err)
		}
		base := t.Lookup("base")
		if base == nil {
			return nil, none, fmt.Errorf("template %s: no \"base\" template defined", name)
		}
		sets[name] = base
	}
	return sets, templatesSum(files), nil
}

// templatesSum hashes template files by name.
func templatesSum(files map[string]string) [sha256.Size]byte {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(h, "%d %s %d %s", len(name), name, len(files[name]), files[name])
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// readTemplates reads the *.html files at the root of fsys into files,
// with CRLF line ends normalised to LF so output does not depend on how
// a template file was checked out, and minified (see minifyTemplate).
func readTemplates(fsys fs.FS, files map[string]string) error {
	names, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return err
	}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		src, err := minifyTemplate(strings.ReplaceAll(string(b), "\r\n", "\n"))
		if err != nil {
			return fmt.Errorf("minify %s: %w", name, err)
		}
		files[name] = src
	}
	return nil
}

// templateSet maps each page template's name to its "base" template,
// ready to execute.
type templateSet map[string]pageTemplate

// pageTemplate is a page's template: a *tmplexec.Template, or in tests
// html/template's own. It is safe for concurrent use.
type pageTemplate interface {
	Execute(w *bytes.Buffer, data any) error
}
