package render

import (
	"bytes"
	"encoding/xml"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	atom "github.com/mmcdole/gofeed/atom"
)

// atomDoc is what RFC 4287 requires of a feed and its entries, decoded
// with encoding/xml in the Atom namespace.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Authors []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Links   []atomLink `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID      string     `xml:"http://www.w3.org/2005/Atom id"`
		Title   string     `xml:"http://www.w3.org/2005/Atom title"`
		Updated string     `xml:"http://www.w3.org/2005/Atom updated"`
		Links   []atomLink `xml:"http://www.w3.org/2005/Atom link"`
		Authors []struct {
			Name string `xml:"http://www.w3.org/2005/Atom name"`
		} `xml:"http://www.w3.org/2005/Atom author"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// checkRFC4287 checks the elements RFC 4287 section 4.1.1 and 4.1.2
// require: feed id, title, updated and an author (here the feed's, which
// entries without one inherit); entry id, title, updated and an
// alternate link (entries have no content); ids are absolute IRIs and
// entry ids unique; dates are RFC 3339 (section 3.3).
func checkRFC4287(t *testing.T, name string, b []byte) atomDoc {
	t.Helper()
	var d atomDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	date := func(what, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s: %s %q is not an RFC 3339 date", name, what, s)
		}
	}
	iri := func(what, s string) {
		if !strings.HasPrefix(s, "urn:") && !strings.HasPrefix(s, "tag:") && !strings.HasPrefix(s, "https:") {
			t.Errorf("%s: %s %q is not an absolute IRI", name, what, s)
		}
	}
	iri("feed id", d.ID)
	date("feed updated", d.Updated)
	if d.Title == "" || len(d.Authors) != 1 || d.Authors[0].Name == "" {
		t.Errorf("%s: feed title %q, authors %v", name, d.Title, d.Authors)
	}
	if !slices.ContainsFunc(d.Links, func(l atomLink) bool { return l.Rel == "self" }) {
		t.Errorf("%s: no self link", name)
	}
	seen := map[string]bool{}
	for _, e := range d.Entries {
		iri("entry id", e.ID)
		date("entry updated", e.Updated)
		if seen[e.ID] {
			t.Errorf("%s: entry id %s twice", name, e.ID)
		}
		seen[e.ID] = true
		if e.Title == "" || !slices.ContainsFunc(e.Links, func(l atomLink) bool { return l.Rel == "alternate" && l.Href != "" }) {
			t.Errorf("%s: entry %s: title %q, links %v", name, e.ID, e.Title, e.Links)
		}
		if e.Updated > d.Updated {
			t.Errorf("%s: entry updated %s after the feed's %s", name, e.Updated, d.Updated)
		}
	}
	return d
}

// TestFeeds parses the site's and each repository's feed with gofeed
// (as a generic feed and as Atom), checks RFC 4287's required elements,
// links (absolute with a base URL, relative without, resolving to files
// of the site), stable ids across renders and the entries' content.
func TestFeeds(t *testing.T) {
	for _, base := range []string{"https://example.github.io/catalog/", ""} {
		t.Run("base "+base, func(t *testing.T) {
			site := readTree(t, renderFixture(t, Config{BaseURL: base}))
			again := readTree(t, renderFixture(t, Config{BaseURL: base}))
			feeds := 0
			for name, b := range site {
				if filepath.Base(name) != feedFile {
					continue
				}
				feeds++
				if !bytes.Equal(b, again[name]) {
					t.Errorf("%s differs between two renders", name)
				}
				d := checkRFC4287(t, name, b)
				generic, err := gofeed.NewParser().Parse(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: gofeed: %v", name, err)
				}
				if generic.FeedType != "atom" || generic.FeedVersion != "1.0" || len(generic.Items) != len(d.Entries) {
					t.Errorf("%s: gofeed sees %s %s with %d items, want atom 1.0 with %d", name, generic.FeedType, generic.FeedVersion, len(generic.Items), len(d.Entries))
				}
				af, err := (&atom.Parser{}).Parse(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: gofeed atom: %v", name, err)
				}
				if af.ID != d.ID || af.UpdatedParsed == nil {
					t.Errorf("%s: atom parser: id %q updated %v", name, af.ID, af.UpdatedParsed)
				}
				dir := strings.TrimSuffix(name, feedFile)
				for _, it := range generic.Items {
					for _, l := range it.Links {
						target, _, _ := strings.Cut(l, "#")
						switch {
						case base != "":
							if !strings.HasPrefix(target, base) {
								t.Errorf("%s: link %s not under the base URL", name, l)
							}
							target = strings.TrimPrefix(target, base)
						case strings.Contains(target, "://"):
							t.Errorf("%s: link %s is absolute without a base URL", name, l)
						default:
							target = dir + target
						}
						if _, ok := site[target]; !ok {
							t.Errorf("%s: link %s leads to %s, not a file of the site", name, l, target)
						}
					}
				}
			}
			if feeds != 1+len(fixture().Repositories) {
				t.Errorf("%d feeds, want the site's and one per repository", feeds)
			}
		})
	}

	site := readTree(t, renderFixture(t, Config{}))
	root, err := gofeed.NewParser().Parse(bytes.NewReader(site[feedFile]))
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, it := range root.Items {
		titles = append(titles, it.Title)
	}
	want := []string{"evil: 1 new tag", "team-a/api: 1 new tag, 1 tag moved, 1 tag deleted", "base/alpine: 1 new tag, 1 tag moved", "legacy/app: repository removed, 1 tag deleted"}
	if !slices.Equal(titles, want) {
		t.Errorf("site feed entries %q, want %q (newest crawl first, then by repository)", titles, want)
	}
	if it := root.Items[0]; !strings.Contains(it.Description, "new tag <script>: sha256:") {
		t.Errorf("entry text %q does not hold the tag as text", it.Description)
	}
	repo, err := gofeed.NewParser().Parse(bytes.NewReader(site["r/team-a~api/"+feedFile]))
	if err != nil {
		t.Fatal(err)
	}
	if len(repo.Items) != 1 || repo.Items[0].GUID != root.Items[1].GUID {
		t.Errorf("repository feed: %d items; the same change must have the same id in both feeds", len(repo.Items))
	}
	empty, err := gofeed.NewParser().Parse(bytes.NewReader(site["r/charts~api/"+feedFile]))
	if err != nil || len(empty.Items) != 0 || empty.Updated != "1970-01-01T00:00:00Z" {
		t.Errorf("feed of a repository without changes: %v, %+v", err, empty)
	}
}
