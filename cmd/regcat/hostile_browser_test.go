package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/examples"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
)

// rendererFixture is the renderer's hostile fixture snapshot.
const rendererFixture = "../../render/testdata/fixture"

// buildHostileSite pushes testdata/hostile-catalog.json to an in-process
// registry, crawls and renders it as the demo does, and returns the site.
func buildHostileSite(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/hostile-catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := examples.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(t.TempDir(), "site")
	snapDir := filepath.Join(t.TempDir(), "snapshot")
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, quiet: true}
	err = withDemoRegistry(context.Background(), func(ctx context.Context, host string) error {
		if err := c.Push(ctx, host); err != nil {
			return err
		}
		return runPipeline(ctx, e, pipeline.Config{
			SnapshotDir: snapDir, Full: true,
			Crawl:  &crawler.Config{Registry: host},
			Render: &render.Config{Out: site},
		})
	})
	if err != nil {
		t.Fatalf("build the hostile site: %v\n%s", err, stderr.String())
	}
	return site
}

// renderFixture renders the renderer's hostile fixture snapshot. Names the
// renderer refuses (a tag "<script>") make it a partial render.
func renderFixture(t *testing.T) string {
	t.Helper()
	site := filepath.Join(t.TempDir(), "site")
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, quiet: true}
	err := runPipeline(context.Background(), e, pipeline.Config{SnapshotDir: rendererFixture, Render: &render.Config{Out: site}})
	var pe *pipeline.PartialError
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("render %s: %v\n%s", rendererFixture, err, stderr.String())
	}
	return site
}

// inert is JavaScript listing markup on the page that label text could
// have smuggled in: inline scripts, event-handler attributes, script-ish
// links, frames, styles outside the head.
const inert = `(function () {
  var out = [];
  document.querySelectorAll("script:not([src])").forEach(function (e) { out.push("inline script: " + e.outerHTML.slice(0, 80)); });
  document.querySelectorAll("body *").forEach(function (e) {
    Array.prototype.forEach.call(e.attributes, function (a) {
      if (/^on/i.test(a.name)) out.push("handler attribute " + a.name + " on <" + e.localName + ">");
    });
  });
  document.querySelectorAll("[href], [src], [action], [formaction]").forEach(function (e) {
    ["href", "src", "action", "formaction"].forEach(function (k) {
      var v = e.getAttribute(k);
      if (v && /^\s*(javascript|data|vbscript):/i.test(v)) out.push(k + "=" + v.slice(0, 60) + " on <" + e.localName + ">");
    });
  });
  document.querySelectorAll("body iframe, body object, body embed, body style, body svg script, body base, body form").forEach(function (e) {
    out.push("element <" + e.localName + ">");
  });
  return out;
})()`

// TestBrowserHostileLabels opens every page rendered from hostile label
// text, ours pushed through a real registry and crawl, and the renderer's
// fixture snapshot: no JavaScript dialog may ever open, the browser must
// report nothing (a CSP violation would mean markup got through), and no
// smuggled markup may be in the DOM.
func TestBrowserHostileLabels(t *testing.T) {
	b := newBrowser(t)
	shots := artifactsDir(t)
	for _, s := range []struct {
		name string
		site func(*testing.T) string
		// shown is text that must appear, as text, on the page named.
		page, shown string
	}{
		{"pushed and crawled", buildHostileSite, "r/hostile~labels/index.html", `<script>alert('title')</script>`},
		{"renderer fixture", renderFixture, "r/evil/index.html", `<script>alert("title")</script>`},
	} {
		t.Run(s.name, func(t *testing.T) {
			site := s.site(t)
			tb := b.newTab(t)
			base := fileURL(t, site) + "/"
			for _, p := range htmlPages(t, site) {
				for _, problem := range tb.visit(base + p) {
					t.Errorf("%s: %s", p, problem)
				}
				for _, m := range eval[[]string](tb, inert) {
					t.Errorf("%s: %s", p, m)
				}
			}
			tb.visit(base + s.page)
			text := eval[string](tb, `document.body.innerText`)
			if !strings.Contains(text, s.shown) {
				t.Errorf("%s does not show %q as text; the test would prove nothing", s.page, s.shown)
			}
			tb.screenshot(shots, "hostile-"+strings.ReplaceAll(s.name, " ", "-")+".png")
		})
	}
}
