package main

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package (installed by .ci/run)
// puts the browser.
const chromiumPath = "/usr/bin/chromium"

// browserBudget bounds each real-browser test, browser start included. It
// only turns a hang into a failure: on a loaded CI machine under -race a
// full pass over the demo site has taken over 60 s.
const browserBudget = 5 * time.Minute

// cspProbe runs before any page script and turns every Content Security
// Policy violation into a console error, so that a violation the browser
// reports only as an event is caught too.
const cspProbe = `document.addEventListener("securitypolicyviolation", function (e) {
  console.error("Content Security Policy violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});`

// browser is a headless Chromium started for one test and stopped at its
// end.
type browser struct {
	ctx context.Context
}

// requireBrowser, set to 1 (as .ci/run does), turns the skips of the
// real-browser tests into failures.
const requireBrowser = "REGCAT_REQUIRE_BROWSER"

// newBrowser starts Chromium with a fresh profile, or skips the test when
// -short is set or Chromium is not installed (fails instead when
// $REGCAT_REQUIRE_BROWSER is 1). The browser, and every tab, dies after
// browserBudget.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	var reason string
	if testing.Short() {
		reason = "-short is set"
	} else if _, err := os.Stat(chromiumPath); err != nil {
		reason = chromiumPath + " not found (install the Debian package chromium, as .ci/run does)"
	}
	if reason != "" {
		if os.Getenv(requireBrowser) == "1" {
			t.Fatalf("real-browser test required by %s=1, but %s", requireBrowser, reason)
		}
		t.Skipf("real-browser test skipped: %s", reason)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	deadline, cancelDeadline := context.WithTimeout(context.Background(), browserBudget)
	actx, cancelAlloc := chromedp.NewExecAllocator(deadline, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelDeadline()
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return &browser{ctx: bctx}
}

// tab is one browser tab that records, page by page, what went wrong:
// console errors, uncaught exceptions, browser log errors (failed loads),
// CSP violations and JavaScript dialogs.
type tab struct {
	t       *testing.T
	ctx     context.Context
	next    func() (chromedp.ConsoleMessage, error, bool)
	markers int

	mu      sync.Mutex
	dialogs []string
}

// newTab opens a tab that closes when the test ends.
func (b *browser) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("open tab: %v", err)
	}
	tb := &tab{t: t, ctx: ctx}
	var wg sync.WaitGroup
	next, stop := iter.Pull2(chromedp.Console(ctx))
	tb.next = next
	// A dialog blocks the page until it is closed, so it must be closed
	// from another goroutine while the test goroutine waits on the page.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	wg.Go(func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, fmt.Sprintf("%s dialog %q", ev.Type, ev.Message))
			tb.mu.Unlock()
			// An error here means the tab is closing; the dialog is
			// recorded either way.
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	t.Cleanup(func() {
		cancel()
		stop()
		wg.Wait()
	})
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
		t.Fatalf("install CSP probe: %v", err)
	}
	return tb
}

// visit loads u and returns the problems the page reported while loading
// and shortly after.
func (tb *tab) visit(u string) []string {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(u)); err != nil {
		tb.t.Fatalf("navigate to %s: %v", u, err)
	}
	return tb.problems()
}

// problems returns what went wrong since the last call: it has the page
// log a marker from a timer (so that queued violation events are
// dispatched first), then reads the console up to that marker.
func (tb *tab) problems() []string {
	tb.t.Helper()
	tb.markers++
	marker := "regcat-test-marker-" + strconv.Itoa(tb.markers)
	js := `setTimeout(function () { console.debug(` + strconv.Quote(marker) + `); }, 50)`
	if err := chromedp.Do(tb.ctx, chromedp.Evaluate[chromedp.Void](js)); err != nil {
		tb.t.Fatalf("log marker: %v", err)
	}
	var out []string
	for {
		m, err, ok := tb.next()
		if !ok || err != nil {
			tb.t.Fatalf("read console: %v", err)
		}
		if m.Text == marker {
			break
		}
		if bad(m) {
			out = append(out, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
		}
	}
	tb.mu.Lock()
	out = append(out, tb.dialogs...)
	tb.dialogs = nil
	tb.mu.Unlock()
	return out
}

// bad reports whether a console message is a failure: an error, an
// exception, a failed assertion, or anything about the Content Security
// Policy.
func bad(m chromedp.ConsoleMessage) bool {
	switch m.Type {
	case chromedp.ConsoleError, chromedp.ConsoleException, "assert":
		return true
	}
	return strings.Contains(m.Text, "Content Security Policy")
}

// eval evaluates js in the page and returns its value.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// screenshot saves a full-page PNG of the tab as name in the artifacts
// directory.
func (tb *tab) screenshot(dir, name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s", p)
}

// artifactsDir returns $REGCAT_ARTIFACTS (created if needed), else a
// temporary directory of the test.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("REGCAT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fileURL returns the file:// URL of the path p.
func fileURL(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// htmlPages returns the site-relative paths of every HTML page of the
// site in dir, sorted.
func htmlPages(t *testing.T, dir string) []string {
	t.Helper()
	var pages []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".html") {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			pages = append(pages, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatalf("no HTML pages in %s", dir)
	}
	return pages
}
