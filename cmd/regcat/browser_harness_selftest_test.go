package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowserHarnessSeesProblems proves that the tab reports what the
// browser tests rely on it to report, so that their "no problems" means
// something.
func TestBrowserHarnessSeesProblems(t *testing.T) {
	b := newBrowser(t)
	dir := t.TempDir()
	const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; img-src 'self'">`
	files := map[string]string{
		"clean.html": `<!doctype html><html><head>` + csp + `<title>clean</title><script src="clean.js"></script></head><body><p>fine</p></body></html>`,
		"clean.js":   `console.log("all good");`,
		"bad.html": `<!doctype html><html><head>` + csp + `<title>bad</title></head><body>
<script>console.log("inline ran")</script>
<img src="missing.png" alt="" onerror="console.log(1)">
<a href="javascript:void(0)">x</a>
<img src="https://tracker.invalid/p.png" alt="">
<script src="bad.js"></script></body></html>`,
		"bad.js": `console.error("boom"); alert("a dialog"); throw new Error("uncaught one");`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tb := b.newTab(t)
	if got := tb.visit(fileURL(t, filepath.Join(dir, "clean.html"))); len(got) != 0 {
		t.Errorf("clean page: problems %q, want none", got)
	}
	got := strings.Join(tb.visit(fileURL(t, filepath.Join(dir, "bad.html"))), "\n")
	t.Logf("bad page problems:\n%s", got)
	for _, want := range []string{
		"Content Security Policy", // the inline script and the remote image
		"tracker.invalid",         // blocked by img-src
		"missing.png",             // a failed load
		"boom",                    // console.error
		`alert dialog "a dialog"`, // a JavaScript dialog
		"uncaught one",            // an uncaught exception
	} {
		if !strings.Contains(got, want) {
			t.Errorf("bad page: problems do not mention %q:\n%s", want, got)
		}
	}
	smuggled := strings.Join(eval[[]string](tb, inert), "\n")
	for _, want := range []string{"inline script", "handler attribute onerror", "href=javascript:"} {
		if !strings.Contains(smuggled, want) {
			t.Errorf("bad page: the markup check does not report %q:\n%s", want, smuggled)
		}
	}
}
