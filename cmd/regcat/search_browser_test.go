package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/regcat/regcat/snapshot"
)

// searchResults is JavaScript returning the search box's results as
// shown: the text and link of each.
const searchResults = `Array.from(document.querySelectorAll("#search-results:not([hidden]) [role=option]")).map(function (li) {
  return {main: li.querySelector(".search-main").textContent, sub: (li.querySelector(".search-sub") || {}).textContent || "", href: li.querySelector("a").href};
})`

type searchResult struct{ Main, Sub, Href string }

// demoVendorRepos returns the repositories of examples/catalog.json whose
// images carry the vendor label vendor, with how many images each has.
func demoVendorRepos(t *testing.T, vendor string) map[string]int {
	t.Helper()
	b, err := os.ReadFile("../../examples/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Repositories []struct {
			Name     string
			Defaults struct{ Labels map[string]string }
			Images   []json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range c.Repositories {
		if r.Defaults.Labels[snapshot.KeyVendor] == vendor {
			out[r.Name] = len(r.Images)
		}
	}
	return out
}

// TestBrowserSearch uses the header's search box of the demo site, from
// file://, from a page two directories deep: the box is shown, "/"
// focuses it, its index loads only then, a vendor finds its images, a
// digest prefix finds its image, and Enter opens the result.
func TestBrowserSearch(t *testing.T) {
	site := buildDemoSite(t)
	tb := newBrowser(t).newTab(t)
	var target string // an image page of team-a/api
	for _, p := range htmlPages(t, site) {
		if strings.HasPrefix(p, "r/team-a~api/sha256-") {
			target = p
			break
		}
	}
	if target == "" {
		t.Fatal("no image page of team-a/api in the demo site")
	}
	start := "r/library~alpine-base/index.html"
	for _, problem := range tb.visit(fileURL(t, filepath.Join(site, filepath.FromSlash(start)))) {
		t.Errorf("%s: %s", start, problem)
	}
	if !eval[bool](tb, `!document.querySelector("[data-search]").hidden && document.querySelector("#site-search").getClientRects().length > 0`) {
		t.Fatal("the search box is not shown with JavaScript on")
	}
	if eval[bool](tb, `!!window.regcatSearch || !!document.querySelector('script[src$="search-index.js"]')`) {
		t.Error("the search index was loaded before the box was focused")
	}

	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent("/")); err != nil {
		t.Fatal(err)
	}
	if id := eval[string](tb, `document.activeElement.id`); id != "site-search" {
		t.Fatalf(`after "/", the focus is on %q, want the search box`, id)
	}
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`!!window.regcatSearch || null`)); err != nil {
		t.Fatalf("the search index never loaded: %v", err)
	}

	search := func(q string) []searchResult {
		t.Helper()
		eval[any](tb, `(function () { var i = document.getElementById("site-search"); i.value = ""; i.dispatchEvent(new Event("input")); return null; })()`)
		if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.CSS("#site-search"), q)); err != nil {
			t.Fatal(err)
		}
		// Results follow the last keystroke once the index is there.
		if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`!!window.regcatSearch || null`)); err != nil {
			t.Fatalf("the search index never loaded: %v", err)
		}
		eval[any](tb, `document.getElementById("site-search").dispatchEvent(new Event("input")), null`)
		return eval[[]searchResult](tb, searchResults)
	}

	vendor := "ACME Platform Team"
	want := demoVendorRepos(t, vendor)
	if len(want) < 2 {
		t.Fatalf("the demo catalog has %d repositories of %s", len(want), vendor)
	}
	got := map[string]int{}
	for _, r := range search(vendor) {
		repo, _, _ := strings.Cut(r.Main, ":")
		got[repo]++
		if !strings.Contains(r.Sub, "vendor="+vendor) {
			t.Errorf("searching %q: result %+v is not a vendor match", vendor, r)
		}
		if _, err := os.Stat(filepath.Join(site, strings.TrimPrefix(r.Href, fileURL(t, site)+"/"))); err != nil {
			t.Errorf("result %+v links to a missing page: %v", r, err)
		}
	}
	for repo, n := range want {
		if got[repo] != n {
			t.Errorf("searching %q finds %d images of %s, want all %d (results per repository: %v)", vendor, got[repo], repo, n, got)
		}
	}

	// An exact name comes first; a full commit id finds its image
	// (examples/catalog.json: alpine-base 3.21.2's revision).
	if res := search("alpine-base"); len(res) == 0 || res[0].Main != "library/alpine-base" || !strings.HasSuffix(res[0].Href, "r/library~alpine-base/index.html") {
		t.Errorf("searching alpine-base: first result %v, want the repository library/alpine-base", res)
	}
	if res := search("3218fbf51a943d7fab9a9bc283e32086539878a7"); len(res) != 1 || !strings.HasPrefix(res[0].Main, "library/alpine-base:") || !strings.Contains(res[0].Sub, "revision=3218fbf51a94") {
		t.Errorf("searching a full commit id: %v, want alpine-base's image built from it", res)
	}

	prefix := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(target), "sha256-"), ".html")[:12]
	res := search(prefix)
	if len(res) == 0 || !strings.HasSuffix(res[0].Href, target) {
		t.Fatalf("searching the digest prefix %s: first result %v, want %s", prefix, res, target)
	}
	for _, problem := range tb.problems() {
		t.Errorf("while searching: %s", problem)
	}
	tb.screenshot(artifactsDir(t), "search.png")

	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp)); err != nil {
		t.Fatal(err)
	}
	if id := eval[string](tb, `document.getElementById("site-search").getAttribute("aria-activedescendant") || ""`); id != "search-result-0" {
		t.Errorf("after ArrowDown, ArrowUp the active result is %q, want the first", id)
	}
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	// The page is replaced: poll from outside it until the new one is
	// there.
	var at string
	for range 100 {
		if at, _ = chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`)); strings.HasSuffix(at, target) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.HasSuffix(at, target) {
		t.Fatalf("Enter did not open %s: the tab is at %q", target, at)
	}
	for _, problem := range tb.problems() {
		t.Errorf("%s: %s", target, problem)
	}

	// Escape closes the results.
	if res := search("team-a"); len(res) == 0 {
		t.Fatalf("searching team-a on %s finds nothing", target)
	}
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if n := len(eval[[]searchResult](tb, searchResults)); n != 0 {
		t.Errorf("Escape leaves %d results shown", n)
	}
	if !eval[bool](tb, `!!document.querySelector("#search-results[hidden]")`) {
		t.Error("Escape does not hide the result list")
	}
	if eval[string](tb, `document.activeElement.id`) != "site-search" {
		t.Error("Escape moved the focus out of the box while closing the list")
	}
}
