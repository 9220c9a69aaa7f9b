package render

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/internal/sitefs"
)

// feedFile is the Atom feed's file name, at the site root (the whole
// catalog) and in each repository's directory (that repository).
const feedFile = "feed.xml"

// The most entries of the site's feed and of a repository's feed: those
// that changes.html and the repository page show.
const (
	maxSiteFeedEntries = 100
	maxRepoFeedEntries = maxRepoChanges
)

// feedsOutput writes the Atom 1.0 feeds (RFC 4287) of the change log:
// feed.xml for the catalog and r/<repo>/feed.xml per repository, one
// entry per change set and repository.
var feedsOutput = output{name: "feeds",
	write: func(_ context.Context, r *renderer, s *sitefs.Dir, spawn spawner) error {
		if err := r.mkRepoDirs(s); err != nil {
			return err
		}
		return spawn(func(context.Context) error { return r.siteFeed(s) })
	},
	repo: func(r *renderer, s *sitefs.Dir, spawn spawner, rp *catalog.Repo, _ *catalog.Full) error {
		return spawn(func(context.Context) error { return r.repoFeed(s, rp) })
	}}

// atomFeed and the types below are the elements of RFC 4287 regcat
// writes: section 4.1.1 requires a feed's id, title and updated, and an
// author unless every entry has one (here the feed's); 4.1.2 an entry's
// id, title and updated, and a link or content.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Updated   string      `xml:"updated"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Links     []atomLink  `xml:"link"`
	Entries   []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Summary atomText   `xml:"summary"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// siteFeed writes feed.xml.
func (r *renderer) siteFeed(s *sitefs.Dir) error {
	f := r.feed(feedFile, "urn:regcat:feed:"+hashID(r.cat.Index.Registry), r.common.Site+" changes", changesPage)
	updated := r.cat.Index.CrawledAt
	for i, ch := range r.cat.Changes {
		if i == maxSiteFeedEntries {
			break
		}
		f.Entries = append(f.Entries, r.entry(ch, r.link(changesPage)+"#"+entryID(ch)))
	}
	return r.writeFeed(s, feedFile, f, updated)
}

// repoFeed writes the feed of rp beside its page. Without entries its
// updated is the repository's newest image's creation time (else the
// Unix epoch), not the crawl's, so that it changes only with the
// repository.
func (r *renderer) repoFeed(s *sitefs.Dir, rp *catalog.Repo) error {
	dir := repoDir(rp.Name)
	f := r.feed(dir+feedFile, "urn:regcat:feed:"+hashID(r.cat.Index.Registry+"\x00"+rp.Name), rp.Name+" changes · "+r.common.Site, dir+indexPage)
	for i, ch := range rp.Changes {
		if i == maxRepoFeedEntries {
			break
		}
		f.Entries = append(f.Entries, r.entry(ch, r.linkFrom(dir, indexPage)+"#"+entryID(ch)))
	}
	updated := time.Unix(0, 0)
	if nw := rp.Newest(); nw != nil && !nw.Created.IsZero() {
		updated = nw.Created
	}
	return r.writeFeed(s, dir+feedFile, f, updated)
}

// feed is a feed at path p (from the site root) without entries, whose
// alternate is the page at alt (from the root). Its updated is set by
// writeFeed.
func (r *renderer) feed(p, id, title, alt string) *atomFeed {
	dir := p[:strings.LastIndex(p, "/")+1]
	return &atomFeed{
		ID:        id,
		Title:     title,
		Author:    atomPerson{Name: r.common.Site},
		Generator: "regcat",
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: r.linkFrom(dir, strings.TrimPrefix(p, dir))},
			{Rel: "alternate", Type: "text/html", Href: r.linkFrom(dir, strings.TrimPrefix(alt, dir))},
		},
	}
}

// entry is the feed entry of ch, linking to href.
func (r *renderer) entry(ch catalog.Change, href string) atomEntry {
	e := changeEntry(ch, true)
	return atomEntry{
		ID:      "urn:regcat:change:" + e.ID,
		Title:   e.Repo.Text + ": " + e.Summary,
		Updated: atomTime(ch.Set.CrawledAt),
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: href}},
		Summary: atomText{Type: "text", Text: entryText(e)},
	}
}

// entryText lists an entry's changes, one a line.
func entryText(e ChangeEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s), crawled %s", e.Repo.Text, e.Status, e.When.Text)
	if e.Since.Text != "" {
		fmt.Fprintf(&b, ", since %s", e.Since.Text)
	}
	for _, t := range e.New {
		fmt.Fprintf(&b, "\nnew tag %s: %s", t.Tag, t.New.Digest)
	}
	for _, t := range e.Moved {
		fmt.Fprintf(&b, "\nmoved tag %s: %s → %s", t.Tag, t.Old.Digest, t.New.Digest)
	}
	for _, t := range e.Deleted {
		fmt.Fprintf(&b, "\ndeleted tag %s: %s", t.Tag, t.Old.Digest)
	}
	for _, d := range e.NewImages {
		fmt.Fprintf(&b, "\nnew image %s", d.Digest)
	}
	for _, d := range e.DeletedImages {
		fmt.Fprintf(&b, "\ndeleted image %s", d.Digest)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\nand %d more", e.More)
	}
	return b.String()
}

// writeFeed sets f's updated, the newest entry's (else empty, the
// time given), and writes it at name.
func (r *renderer) writeFeed(s *sitefs.Dir, name string, f *atomFeed, empty time.Time) error {
	f.Updated = atomTime(empty)
	if len(f.Entries) > 0 {
		f.Updated = f.Entries[0].Updated
	}
	b, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return fmt.Errorf("feed %s: %w", name, err)
	}
	return r.xml(s, name, append([]byte(xml.Header), append(b, '\n')...))
}

// linkFrom is the link from a file in dir (from the root, with a
// trailing slash, or "") to the file p in it: absolute under the base
// URL when there is one, else relative.
func (r *renderer) linkFrom(dir, p string) string {
	if r.base != "" {
		return r.base + dir + p
	}
	return p
}

// link is the link from a file at the root to p.
func (r *renderer) link(p string) string { return r.linkFrom("", p) }

// atomTime is t as RFC 3339 in UTC (RFC 4287 section 3.3).
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// hashID is a stable identifier derived from s.
func hashID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
