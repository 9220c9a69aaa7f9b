package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// pagedSnapshot is one repository of n tags, each its own image, created
// a minute apart: tag v1.<i>.0 is the i-th oldest.
func pagedSnapshot(t *testing.T, n int) *snapshot.Snapshot {
	t.Helper()
	repo := snapshot.Repository{Name: "team/long"}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		tag := fmt.Sprintf("v1.%d.0", i)
		d := fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(tag)))
		created := start.Add(time.Duration(i) * time.Minute)
		mt := "application/vnd.oci.image.manifest.v1+json"
		repo.Tags = append(repo.Tags, snapshot.Tag{Name: tag, Digest: d})
		repo.Images = append(repo.Images, snapshot.Image{Digest: d, MediaType: mt, Kind: snapshot.KindImage, Tags: []string{tag},
			Created: created, Size: 1000,
			Platforms: []snapshot.Platform{{OS: "linux", Architecture: "amd64", Digest: d, MediaType: mt, Size: 1000,
				Config: snapshot.Config{Digest: fmt.Sprintf("sha256:%x", sha256.Sum256([]byte("config "+tag))), Created: created},
				Layers: []snapshot.Layer{}}}})
	}
	snap, err := snapshot.Build(snapshot.Index{Registry: "registry.example.test", CrawledAt: start}, []snapshot.Repository{repo})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// pagerState is what a history page shows of its place.
type pagerState struct {
	Caption string `json:"caption"`
	First   string `json:"first"`
	Rows    int    `json:"rows"`
	Next    string `json:"next"`
	Prev    string `json:"prev"`
	One     string `json:"one"`
}

const pagerProbe = `(function () {
  var a = function (sel) { var e = document.querySelector(sel); return e ? e.href : ""; };
  var rows = document.querySelectorAll("table.history tbody tr");
  return {caption: document.querySelector("table.history caption").textContent,
    first: rows.length ? rows[0].querySelector("th").textContent : "", rows: rows.length,
    next: a("nav.pager a[rel=next]"), prev: a("nav.pager a[rel=prev]"),
    one: Array.from(document.querySelectorAll("nav.pager a")).filter(function (e) { return e.textContent === "1"; }).map(function (e) { return e.href; })[0] || ""};
})()`

// TestBrowserHistoryPages renders a repository of 2,000 tags: 4 pages of
// 500 rows, newest first across them. In Chromium, from file:// and from
// a GitHub Pages-like subpath (the first page opened as its directory
// URL), each page's "Older" link leads to the next page, whose "Newer"
// and "1" links lead back, and the last page has no "Older".
func TestBrowserHistoryPages(t *testing.T) {
	b := newBrowser(t)
	out := filepath.Join(t.TempDir(), "site")
	if _, err := render.Render(context.Background(), render.Config{Out: out, TagBadges: render.TagBadgesNone}, pagedSnapshot(t, 2000)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/catalog", http.FileServer(http.Dir(out))))
	t.Cleanup(srv.Close)
	for _, start := range []string{fileURL(t, filepath.Join(out, "r", "team~long", "index.html")), srv.URL + "/catalog/r/team~long/"} {
		tb := b.newTab(t)
		u := start
		var prev string
		for k := 1; k <= 4; k++ {
			for _, problem := range tb.visit(u) {
				t.Errorf("%s: %s", u, problem)
			}
			st := eval[pagerState](tb, pagerProbe)
			if want := fmt.Sprintf("page %d of 4", k); !strings.HasSuffix(st.Caption, want) {
				t.Fatalf("%s: caption %q, want it to end in %q", u, st.Caption, want)
			}
			if want := fmt.Sprintf("v1.%d.0", 2000-1-(k-1)*500); st.Rows != 500 || st.First != want {
				t.Errorf("%s: %d rows from %q, want 500 from %q", u, st.Rows, st.First, want)
			}
			if strings.TrimSuffix(st.Prev, "index.html") != strings.TrimSuffix(prev, "index.html") {
				t.Errorf("%s: Newer goes to %q, want %q", u, st.Prev, prev)
			}
			if k > 1 && strings.TrimSuffix(st.One, "index.html") != strings.TrimSuffix(start, "index.html") {
				t.Errorf("%s: page 1 link %q, want %q", u, st.One, start)
			}
			if (st.Next == "") != (k == 4) {
				t.Fatalf("%s: Older goes to %q on page %d of 4", u, st.Next, k)
			}
			prev, u = u, st.Next
		}
	}
}
