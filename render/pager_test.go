package render

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

func TestPager(t *testing.T) {
	tests := []struct {
		n, pages   int
		prev, next string
		links      string // numbers, "c" marking the current one, "…" gaps
	}{
		{1, 1, "", "", ""},
		{1, 4, "", "page-2.html", "1c 2 3 4"},
		{2, 4, "index.html", "page-3.html", "1 2c 3 4"},
		{4, 4, "page-3.html", "", "1 2 3 4c"},
		{1, 20, "", "page-2.html", "1c 2 3 … 20"},
		{10, 20, "page-9.html", "page-11.html", "1 … 8 9 10c 11 12 … 20"},
		{20, 20, "page-19.html", "", "1 … 18 19 20c"},
		{4, 20, "page-3.html", "page-5.html", "1 2 3 4c 5 6 … 20"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d of %d", tt.n, tt.pages), func(t *testing.T) {
			p := pager(tt.n, tt.pages)
			if tt.pages == 1 {
				if p != nil {
					t.Fatalf("pager of one page = %+v, want nil", p)
				}
				return
			}
			var got []string
			for _, l := range p.Links {
				switch {
				case l.Gap:
					got = append(got, "…")
				case l.Current:
					got = append(got, strconv.Itoa(l.Number)+"c")
				default:
					got = append(got, strconv.Itoa(l.Number))
				}
				if !l.Gap && l.Href != historyFile(l.Number) {
					t.Errorf("link %d goes to %s", l.Number, l.Href)
				}
			}
			if s := fmt.Sprint(got); s != "["+tt.links+"]" || p.Prev != tt.prev || p.Next != tt.next {
				t.Errorf("pager = %s prev %q next %q, want [%s] %q %q", s, p.Prev, p.Next, tt.links, tt.prev, tt.next)
			}
		})
	}
}

// TestHistoryPages renders a repository of 2,000 tags (each its own
// image, created a minute apart): 4 pages of DefaultPageSize rows, no
// fifth, together every image once, newest first across the pages, and
// every pager link leads to a page of the site.
func TestHistoryPages(t *testing.T) {
	const tags = 2000
	snap := synthetic(t, 1, tags)
	site := readTree(t, renderTo(t, Config{TagBadges: TagBadgesNone, BaseURL: "https://example.test/cat/"}, snap))
	dir := repoDir(snap.Repositories[0].Name)
	for n := 2; n <= 4; n++ {
		if u := "https://example.test/cat/" + dir + historyFile(n); !bytes.Contains(site["sitemap.xml"], []byte("<loc>"+u+"</loc>")) {
			t.Errorf("sitemap.xml lacks %s", u)
		}
	}
	row := regexp.MustCompile(`<tr><th scope=row>[^\n]*?>v1\.(\d+)\.0</a>`)
	link := regexp.MustCompile(`<nav class="?pager"?[^>]*>(.*?)</nav>`)
	href := regexp.MustCompile(`href="?([^" >]+)`)
	var order []int
	for n := 1; n <= 4; n++ {
		p := dir + historyFile(n)
		b, ok := site[p]
		if !ok {
			t.Fatalf("no %s", p)
		}
		rows := row.FindAllSubmatch(b, -1)
		if len(rows) != DefaultPageSize {
			t.Errorf("%s lists %d rows, want %d", p, len(rows), DefaultPageSize)
		}
		for _, m := range rows {
			v, _ := strconv.Atoi(string(m[1]))
			order = append(order, v)
		}
		navs := link.FindAllSubmatch(b, -1)
		if len(navs) != 2 {
			t.Fatalf("%s has %d pagers, want 2 (above and below the table)", p, len(navs))
		}
		for _, h := range href.FindAllSubmatch(navs[0][1], -1) {
			if _, ok := site[path.Join(path.Dir(p), string(h[1]))]; !ok {
				t.Errorf("%s links to %s, which does not exist", p, h[1])
			}
		}
	}
	if _, ok := site[dir+historyFile(5)]; ok {
		t.Error("a fifth page was written")
	}
	want := make([]int, tags)
	for i := range want {
		want[i] = tags - 1 - i
	}
	if !slices.Equal(order, want) {
		t.Errorf("rows across the pages are not every image newest first: %v…", order[:min(10, len(order))])
	}
}
