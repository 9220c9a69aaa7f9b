package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// buildDemoSite builds the demo site into a temporary directory the way
// `regcat demo --no-serve` does, and returns the directory.
func buildDemoSite(t *testing.T) string {
	t.Helper()
	site := filepath.Join(t.TempDir(), "site")
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, quiet: true}
	if err := runDemo(context.Background(), e, demoOptions{out: site, noServe: true}, false); err != nil {
		t.Fatalf("regcat demo --no-serve: %v\n%s", err, stderr.String())
	}
	return site
}

// serveForTest serves the site in dir on a free loopback port with the
// serve command's code for as long as the test runs, and returns the
// site's base URL (ending in "/").
func serveForTest(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var g errgroup.Group
	urls := make(chan string, 1)
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, quiet: true}
	g.Go(func() error {
		return serveSite(ctx, e, dir, "127.0.0.1:0", func(u string) { urls <- u })
	})
	t.Cleanup(func() {
		cancel()
		if err := g.Wait(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case u := <-urls:
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		return u
	case <-ctx.Done():
	}
	t.Fatal("serve never became ready")
	return ""
}

// TestBrowserDemoSite opens the demo site in headless Chromium, from
// file:// and from the serve command, and uses it as a person would.
func TestBrowserDemoSite(t *testing.T) {
	b := newBrowser(t)
	site := buildDemoSite(t)
	served := serveForTest(t, site)
	shots := artifactsDir(t)
	pages := htmlPages(t, site)

	for _, origin := range []struct{ name, base string }{
		{"file", fileURL(t, site) + "/"},
		{"serve", served},
	} {
		t.Run(origin.name, func(t *testing.T) {
			tb := b.newTab(t)
			t.Run("every page loads cleanly", func(t *testing.T) {
				tb.t = t
				for _, p := range pages {
					for _, problem := range tb.visit(origin.base + p) {
						t.Errorf("%s: %s", p, problem)
					}
				}
			})
			t.Run("filter box filters the index", func(t *testing.T) {
				tb.t = t
				testFilter(tb, origin.base)
				tb.screenshot(shots, "demo-"+origin.name+"-index-filtered.png")
			})
			t.Run("column headers re-sort the tag table", func(t *testing.T) {
				tb.t = t
				testSort(tb, origin.base)
			})
			t.Run("copy buttons", func(t *testing.T) {
				tb.t = t
				testCopy(tb, origin.base)
			})
			t.Run("attestation link opens its platform", func(t *testing.T) {
				tb.t = t
				testAttestationLink(tb, origin.base)
			})
			if origin.name == "file" {
				t.Run("badges have their declared size", func(t *testing.T) {
					tb.t = t
					testBadges(tb, site)
				})
				t.Run("screenshots", func(t *testing.T) {
					tb.t = t
					takeScreenshots(tb, origin.base, shots)
				})
			}
		})
	}
}

// takeScreenshots saves the pages a reviewer should look at, in light and
// dark mode and on a phone-sized screen.
func takeScreenshots(tb *tab, base, dir string) {
	t := tb.t
	shots := []struct{ page, name string }{
		{"index.html", "demo-index"},
		{"r/team-a~api/index.html", "demo-repo-team-a-api"},
		{"r/team-b~web/index.html", "demo-repo-team-b-web"},
		{imagePageForTag(tb, base, "r/tools~cli/", "latest"), "demo-image-tools-cli-latest"},
		{imagePageForTag(tb, base, "r/team-a~worker/", "latest"), "demo-image-team-a-worker-latest"},
		{imagePageForTag(tb, base, "r/sandbox~debug/", "latest"), "demo-image-sandbox-debug"},
		{"failures.html", "demo-failures"},
	}
	modes := []struct {
		suffix string
		setup  []chromedp.Action[chromedp.Void]
	}{
		{"", nil},
		{"-dark", []chromedp.Action[chromedp.Void]{emulateMedia("dark")}},
		{"-phone", []chromedp.Action[chromedp.Void]{emulateMedia("light"), chromedp.EmulateViewport(390, 844)}},
	}
	for _, m := range modes {
		if err := chromedp.Do(tb.ctx, m.setup...); err != nil {
			t.Fatalf("emulate %s: %v", m.suffix, err)
		}
		for _, s := range shots {
			if m.suffix != "" && s.name != "demo-index" && s.name != "demo-repo-team-a-api" && s.name != "demo-image-tools-cli-latest" {
				continue
			}
			u := s.page
			if !strings.Contains(u, "://") {
				u = base + u
			}
			for _, problem := range tb.visit(u) {
				t.Errorf("%s: %s", s.page, problem)
			}
			tb.screenshot(dir, s.name+m.suffix+".png")
		}
	}
	if err := chromedp.Do(tb.ctx, chromedp.EmulateReset()); err != nil {
		t.Fatal(err)
	}
}

// emulateMedia sets the prefers-color-scheme the page sees.
func emulateMedia(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// imagePageForTag returns the URL of the image page that the tag link
// named tag on the repository page in dir ("r/tools~cli/") leads to.
func imagePageForTag(tb *tab, base, dir, tag string) string {
	tb.t.Helper()
	for _, problem := range tb.visit(base + dir + "index.html") {
		tb.t.Errorf("%sindex.html: %s", dir, problem)
	}
	u := eval[string](tb, `(function () {
  var a = Array.from(document.querySelectorAll("table[data-sortable] tbody a")).find(function (a) { return a.textContent.trim() === `+jsString(tag)+`; });
  return a ? a.href : "";
})()`)
	if u == "" {
		tb.t.Fatalf("%sindex.html has no link for tag %s", dir, tag)
	}
	return u
}

// visibleRows is JavaScript giving the lower-cased text of the index rows
// a person can see.
const visibleRows = `Array.from(document.querySelectorAll("[data-filter-group] tbody tr"))
  .filter(function (r) { return r.getClientRects().length > 0; })
  .map(function (r) { return r.textContent.toLowerCase(); })`

func testFilter(tb *tab, base string) {
	t := tb.t
	for _, problem := range tb.visit(base + "index.html") {
		t.Errorf("index.html: %s", problem)
	}
	all := eval[[]string](tb, visibleRows)
	if len(all) < 7 {
		t.Fatalf("index shows %d repository rows, want the demo's 7", len(all))
	}
	input := chromedp.CSS("[data-filter] input")
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(input, "team-a")); err != nil {
		t.Fatalf("type into the filter box: %v", err)
	}
	got := eval[[]string](tb, visibleRows)
	if len(got) != 2 {
		t.Errorf("filter %q shows %d rows, want 2 (team-a/api, team-a/worker): %q", "team-a", len(got), got)
	}
	for _, r := range got {
		if !strings.Contains(r, "team-a") {
			t.Errorf("filter %q shows a row without it: %q", "team-a", r)
		}
	}
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(input, " no-such-repository")); err != nil {
		t.Fatalf("type into the filter box: %v", err)
	}
	if got := eval[[]string](tb, visibleRows); len(got) != 0 {
		t.Errorf("a filter matching nothing shows %d rows: %q", len(got), got)
	}
	if n := eval[int](tb, `document.querySelectorAll("[data-filter-empty]:not([hidden])").length`); n == 0 {
		t.Error("a filter matching nothing shows no 'nothing matches' message")
	}
	for _, problem := range tb.problems() {
		t.Errorf("index.html while filtering: %s", problem)
	}
	// Leave the box with the first filter for the screenshot.
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(base+"index.html"), chromedp.SendKeys(input, "team-a")); err != nil {
		t.Fatal(err)
	}
}

// columnIndex returns the index of the tag history column whose header
// starts with name (case-insensitive).
func columnIndex(tb *tab, name string) int {
	tb.t.Helper()
	i := eval[int](tb, `Array.from(document.querySelector("table[data-sortable]").tHead.rows[0].cells)
  .findIndex(function (th) { return th.textContent.trim().toLowerCase().indexOf(`+jsString(strings.ToLower(name))+`) === 0; })`)
	if i < 0 {
		tb.t.Fatalf("the tag history has no %q column", name)
	}
	return i
}

// column returns the cells of the tag history column whose header starts
// with name: their data-key when set, else the datetime of a <time> that
// is their child (the sort key), else their text.
func column(tb *tab, name string) []string {
	tb.t.Helper()
	return eval[[]string](tb, `Array.from(document.querySelector("table[data-sortable]").tBodies[0].rows)
  .map(function (r) { var c = r.cells[`+strconv.Itoa(columnIndex(tb, name))+`], t = c.querySelector(":scope > time");
    return c.hasAttribute("data-key") ? c.getAttribute("data-key") : t ? t.getAttribute("datetime") : c.textContent.trim(); })`)
}

// clickHeader clicks the sort button of the column whose header starts
// with name.
func clickHeader(tb *tab, name string) {
	tb.t.Helper()
	sel := chromedp.CSS("table[data-sortable] thead th:nth-child(" + strconv.Itoa(columnIndex(tb, name)+1) + ") button")
	if err := chromedp.Do(tb.ctx, chromedp.Click(sel)); err != nil {
		tb.t.Fatalf("click the %s header: %v", name, err)
	}
}

func testSort(tb *tab, base string) {
	t := tb.t
	// team-b/web's tag order differs from its created order: 1.9.4 is a
	// late backport.
	for _, problem := range tb.visit(base + "r/team-b~web/index.html") {
		t.Errorf("team-b/web: %s", problem)
	}
	if created := column(tb, "created"); !slices.IsSortedFunc(created, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("tag history is not newest first: %q", created)
	}
	firstTags := func() []string {
		var out []string
		for _, c := range column(tb, "tags") {
			out = append(out, strings.Fields(c)[0])
		}
		return out
	}
	steps := []struct {
		click string
		want  []string
	}{
		{"", []string{"1.9.4", "2.1.0", "2.0.0", "1.9.0", "1.8.0"}},
		{"tags", []string{"1.8.0", "1.9.0", "1.9.4", "2.0.0", "2.1.0"}},
		{"tags", []string{"2.1.0", "2.0.0", "1.9.4", "1.9.0", "1.8.0"}},
		{"created", []string{"1.8.0", "1.9.0", "2.0.0", "2.1.0", "1.9.4"}},
	}
	for _, st := range steps {
		if st.click != "" {
			clickHeader(tb, st.click)
		}
		if got := firstTags(); !slices.Equal(got, st.want) {
			t.Errorf("after clicking %q: tags in order %q, want %q", st.click, got, st.want)
		}
	}
	clickHeader(tb, "size")
	sizes := column(tb, "size")
	if !slices.IsSortedFunc(sizes, func(a, b string) int {
		x, _ := strconv.ParseFloat(a, 64)
		y, _ := strconv.ParseFloat(b, 64)
		return cmp.Compare(x, y)
	}) {
		t.Errorf("after sorting by size: %q, want ascending", sizes)
	}
	for _, problem := range tb.problems() {
		t.Errorf("team-b/web while sorting: %s", problem)
	}
}

func testCopy(tb *tab, base string) {
	t := tb.t
	for _, p := range []string{base + "r/team-a~api/index.html", imagePageForTag(tb, base, "r/team-a~api/", "1.4.2")} {
		for _, problem := range tb.visit(p) {
			t.Errorf("%s: %s", p, problem)
		}
		testCopyButton(tb, p)
		testCopiedText(tb, p)
	}
}

// copyHook makes the page record in window.regcatCopied what site.js puts
// on the clipboard, by either of its ways (the Clipboard API, or
// execCommand on a selected text area).
const copyHook = `(function () {
  window.regcatCopied = null;
  if (navigator.clipboard) {
    navigator.clipboard.writeText = function (t) { window.regcatCopied = t; return Promise.resolve(); };
  }
  document.execCommand = function (c) {
    if (c !== "copy") return false;
    window.regcatCopied = document.activeElement && document.activeElement.value;
    return true;
  };
})()`

// testCopiedText clicks the copy button of the page's first pull command
// and expects the clipboard to receive the command as shown beside it.
func testCopiedText(tb *tab, p string) {
	t := tb.t
	shown := eval[string](tb, `document.querySelector(".cmd code").textContent`)
	if !strings.HasPrefix(shown, "docker pull ") {
		t.Fatalf("%s: first command is %q, want a docker pull", p, shown)
	}
	eval[any](tb, copyHook)
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS(".cmd button[data-copy]"))); err != nil {
		t.Fatalf("%s: click the pull command's copy button: %v", p, err)
	}
	got, err := chromedp.Run(tb.ctx, chromedp.Poll[string](`window.regcatCopied`))
	if err != nil || got != shown {
		t.Errorf("%s: copied %q (%v), want the command shown, %q", p, got, err, shown)
	}
}

// testCopyButton checks on the page open in tb (p names it) that site.js
// showed every copy button, and that clicking one tells what happened:
// copied, or how to copy by hand.
func testCopyButton(tb *tab, p string) {
	t := tb.t
	n := eval[int](tb, `document.querySelectorAll("button[data-copy]").length`)
	shown := eval[int](tb, `Array.from(document.querySelectorAll("button[data-copy]")).filter(function (b) { return b.getClientRects().length > 0; }).length`)
	if n == 0 || shown != n {
		t.Errorf("%s: %d of %d copy buttons visible, want all and some", p, shown, n)
		return
	}
	label := eval[string](tb, `document.querySelector("button[data-copy]").textContent`)
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS("button[data-copy]"))); err != nil {
		t.Fatalf("%s: click a copy button: %v", p, err)
	}
	after, err := chromedp.Run(tb.ctx, chromedp.Poll[string](
		`(function () { var b = document.querySelector("button[data-copy]"); return b.textContent !== `+jsString(label)+` ? b.textContent : null; })()`))
	if err != nil {
		t.Errorf("%s: copy button never changed its label %q: %v", p, label, err)
	}
	t.Logf("%s: %d copy buttons; clicked one: %q → %q", p, n, label, after)
	for _, problem := range tb.problems() {
		t.Errorf("%s after copying: %s", p, problem)
	}
}

// testAttestationLink follows, on a multi-platform image page, an
// attestation's link to a platform section that starts closed, and expects
// the section open.
func testAttestationLink(tb *tab, base string) {
	t := tb.t
	u := imagePageForTag(tb, base, "r/tools~cli/", "1.0.0")
	for _, problem := range tb.visit(u) {
		t.Errorf("%s: %s", u, problem)
	}
	id := eval[string](tb, `(function () {
  var a = Array.from(document.querySelectorAll('a[href^="#platform-"]')).find(function (a) {
    var d = document.getElementById(a.getAttribute("href").slice(1));
    return d && d.tagName === "DETAILS" && !d.open;
  });
  if (!a) return "";
  a.click();
  return a.getAttribute("href").slice(1);
})()`)
	if id == "" {
		t.Fatalf("%s: no attestation links to a closed platform section", u)
	}
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`document.getElementById(`+jsString(id)+`).open || null`)); err != nil {
		t.Errorf("%s: following the link to #%s left it closed: %v", u, id, err)
	}
}

// jsString quotes s as a JavaScript string literal (JSON strings are).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// testBadges opens a page showing every badge of the site and checks that
// the browser draws each at the width and height its SVG declares.
func testBadges(tb *tab, site string) {
	t := tb.t
	var badges []string
	err := filepath.WalkDir(filepath.Join(site, "badges"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".svg") {
			badges = append(badges, p)
		}
		return nil
	})
	if err != nil {
		// A missing badges/ is a renderer that lost its badges: a failure.
		t.Fatalf("the demo site's badges: %v", err)
	}
	if len(badges) == 0 {
		t.Fatal("badges/ holds no SVG")
	}
	// Every repository of the site has its own badges, not only some.
	raw, err := os.ReadFile(filepath.Join(site, "api", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct{ Repositories []struct{ Name string } }
	if err := json.Unmarshal(raw, &idx); err != nil || len(idx.Repositories) == 0 {
		t.Fatalf("api/index.json: %v, %d repositories", err, len(idx.Repositories))
	}
	for _, repo := range idx.Repositories {
		m, _ := filepath.Glob(filepath.Join(site, "badges", filepath.FromSlash(repo.Name), "*.svg"))
		if len(m) == 0 {
			t.Errorf("no badges/%s/*.svg", repo.Name)
		}
	}
	type size struct{ W, H float64 }
	want := map[string]size{}
	var page strings.Builder
	page.WriteString("<!doctype html><meta charset=utf-8><title>badges</title><body>\n")
	for i, p := range badges {
		w, h := svgSize(t, p)
		u := fileURL(t, p)
		want[u] = size{w, h}
		fmt.Fprintf(&page, "<p><img id=b%d src=\"%s\" alt=\"\"></p>\n", i, html.EscapeString(u))
	}
	pagePath := filepath.Join(t.TempDir(), "badges.html")
	if err := os.WriteFile(pagePath, []byte(page.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, problem := range tb.visit(fileURL(t, pagePath)) {
		t.Errorf("badge page: %s", problem)
	}
	type drawn struct {
		Src  string  `json:"src"`
		W    float64 `json:"w"`
		H    float64 `json:"h"`
		Done bool    `json:"done"`
	}
	got := eval[[]drawn](tb, `Array.from(document.images).map(function (i) { return {src: i.src, w: i.naturalWidth, h: i.naturalHeight, done: i.complete}; })`)
	if len(got) != len(badges) {
		t.Fatalf("%d images on the badge page, want %d", len(got), len(badges))
	}
	for _, d := range got {
		w := want[d.Src]
		if !d.Done || d.W != w.W || d.H != w.H {
			t.Errorf("%s drawn %vx%v (loaded %v), its SVG declares %vx%v", d.Src, d.W, d.H, d.Done, w.W, w.H)
		}
	}
	t.Logf("%d badges drawn at their declared size", len(got))
	tb.screenshot(artifactsDir(t), "demo-badges.png")
}

// svgSize returns the width and height attributes of the SVG file p.
func svgSize(t *testing.T, p string) (w, h float64) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("%s: no <svg> element: %v", p, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local != "svg" {
			t.Fatalf("%s: root element <%s>, want <svg>", p, se.Name.Local)
		}
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "width":
				w, err = strconv.ParseFloat(a.Value, 64)
			case "height":
				h, err = strconv.ParseFloat(a.Value, 64)
			}
			if err != nil {
				t.Fatalf("%s: %s=%q: %v", p, a.Name.Local, a.Value, err)
			}
		}
		if w <= 0 || h <= 0 {
			t.Fatalf("%s: no positive width and height on <svg>", p)
		}
		return w, h
	}
}
