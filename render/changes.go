package render

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/changes"
)

// The changes page and the bounds of what pages show of the history.
const (
	changesPage = "changes.html"
	// maxPageChanges is the most change entries changes.html shows;
	// maxRepoChanges the most a repository page shows.
	maxPageChanges = 200
	maxRepoChanges = 20
	// maxEntryItems is the most tags (and images) one entry lists; the
	// rest is counted in ChangeEntry.More.
	maxEntryItems = 50
)

var changesHTML = page{template: "changes.html", path: fixed(changesPage),
	data: func(r *renderer, _ subject) (any, error) { return r.changesData(), nil }}

func (r *renderer) changesData() *ChangesPage {
	d := &ChangesPage{Page: r.pageFor(changesPage, "Changes")}
	for i, ch := range r.cat.Changes {
		if i == maxPageChanges {
			d.More = len(r.cat.Changes) - i
			break
		}
		if n := len(d.Crawls); n == 0 || d.Crawls[n-1].set != ch.Set {
			d.Crawls = append(d.Crawls, CrawlChanges{
				ID:      "crawl-" + ch.Set.CrawledAt.UTC().Format("20060102T150405"),
				When:    timeView(ch.Set.CrawledAt),
				Since:   timeView(ch.Set.Since),
				Summary: ch.Set.Summary(),
				set:     ch.Set,
			})
		}
		c := &d.Crawls[len(d.Crawls)-1]
		c.Entries = append(c.Entries, changeEntry(ch, true))
	}
	return d
}

// repoChanges are the entries of a repository page, and how many more
// the history holds.
func repoChanges(rp *catalog.Repo) ([]ChangeEntry, int) {
	var out []ChangeEntry
	for i, ch := range rp.Changes {
		if i == maxRepoChanges {
			return out, len(rp.Changes) - i
		}
		out = append(out, changeEntry(ch, false))
	}
	return out, 0
}

// changeEntry is the view of one change. fromRoot says the page is at
// the site root (changes.html); else it is in the repository's
// directory.
func changeEntry(ch catalog.Change, fromRoot bool) ChangeEntry {
	cr := ch.Repo
	e := ChangeEntry{
		ID:      entryID(ch),
		Repo:    Link{Text: cr.Name},
		Status:  string(cr.Status),
		When:    timeView(ch.Set.CrawledAt),
		Since:   timeView(ch.Set.Since),
		Summary: cr.Summary(),
	}
	if ch.Current != nil && fromRoot {
		e.Repo.Href = repoPage(cr.Name)
	}
	digest := func(d string) DigestLink {
		l := DigestLink{Digest: oneLine(d), Short: shortDigest(oneLine(d))}
		if ch.HasImage(d) {
			l.Href = imageFile(d)
			if fromRoot {
				l.Href = imagePage(cr.Name, d)
			}
		}
		return l
	}
	budget := maxEntryItems
	take := func() bool {
		if budget == 0 {
			e.More++
			return false
		}
		budget--
		return true
	}
	for _, t := range cr.NewTags {
		if take() {
			e.New = append(e.New, TagChange{Tag: oneLine(t.Name), New: digest(t.Digest)})
		}
	}
	for _, m := range cr.ChangedTags {
		if take() {
			e.Moved = append(e.Moved, TagChange{Tag: oneLine(m.Name), Old: digest(m.OldDigest), New: digest(m.Digest)})
		}
	}
	for _, t := range cr.DeletedTags {
		if take() {
			e.Deleted = append(e.Deleted, TagChange{Tag: oneLine(t.Name), Old: digest(t.Digest)})
		}
	}
	for _, d := range cr.NewImages {
		if take() {
			e.NewImages = append(e.NewImages, digest(d))
		}
	}
	for _, d := range cr.DeletedImages {
		if take() {
			e.DeletedImages = append(e.DeletedImages, digest(d))
		}
	}
	return e
}

// entryID is the stable identity of a change: the same change gives the
// same id on every render. It is a fragment identifier on the pages and,
// behind "urn:regcat:change:", the feeds' entry id.
func entryID(ch catalog.Change) string {
	b, _ := (&changes.Set{Registry: ch.Set.Registry, Since: ch.Set.Since, CrawledAt: ch.Set.CrawledAt,
		Repositories: []changes.Repo{*ch.Repo}}).Marshal()
	sum := sha256.Sum256(b)
	return "c" + ch.Set.CrawledAt.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(sum[:8])
}

// taggedView is when the newest of tags got its current digest, as far
// as the history knows.
func taggedView(rp *catalog.Repo, tags []string) Time {
	var newest time.Time
	for _, t := range tags {
		if at := rp.Tagged(t); at.After(newest) {
			newest = at
		}
	}
	return timeView(newest)
}
