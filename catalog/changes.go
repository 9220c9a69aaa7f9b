package catalog

import (
	"slices"
	"time"

	"github.com/regcat/regcat/changes"
)

// MaxChanges is the most change entries (a change set's changes of one
// repository) a catalog keeps from the history: the newest.
const MaxChanges = 1000

// Change is what one crawl changed in one repository, from the
// snapshot's change log.
type Change struct {
	// Set is the change set of the crawl; Repo its changes of one
	// repository.
	Set  *changes.Set
	Repo *changes.Repo
	// Current is the repository in this catalog, nil when it is no
	// longer there (or its name is invalid).
	Current *Repo
}

// HasImage reports whether the repository of c still has an image with
// digest in this catalog, so that a page can link to it.
func (c Change) HasImage(digest string) bool {
	return c.Current != nil && c.Current.Has(digest)
}

// addHistory fills Catalog.Changes, Repo.Changes and Repo.tagged from
// the log, newest first.
func (c *Catalog) addHistory(log *changes.Log) {
	if log == nil {
		return
	}
	byName := make(map[string]*Repo, len(c.Repos))
	for _, rp := range c.Repos {
		byName[rp.Name] = rp
	}
	for _, set := range log.Newest() {
		for i := range set.Repositories {
			if len(c.Changes) == MaxChanges {
				return
			}
			cr := &set.Repositories[i]
			ch := Change{Set: set, Repo: cr, Current: byName[cr.Name]}
			c.Changes = append(c.Changes, ch)
			if rp := ch.Current; rp != nil {
				rp.Changes = append(rp.Changes, ch)
				rp.noteTagged(set.CrawledAt, cr)
			}
		}
	}
}

// noteTagged records, for each tag that still points where cr put it,
// when it got there, unless a newer change set already said so.
func (rp *Repo) noteTagged(at time.Time, cr *changes.Repo) {
	if rp.tagged == nil {
		rp.tagged = map[string]time.Time{}
	}
	note := func(tag, digest string) {
		if _, ok := rp.tagged[tag]; ok {
			return
		}
		rp.tagged[tag] = time.Time{} // the newest change of tag is this one
		if rp.tagDigest(tag) == digest {
			rp.tagged[tag] = at
		}
	}
	for _, t := range cr.NewTags {
		note(t.Name, t.Digest)
	}
	for _, m := range cr.ChangedTags {
		note(m.Name, m.Digest)
	}
	for _, t := range cr.DeletedTags {
		note(t.Name, "")
	}
}

// tagDigest is the digest of the image tag points at, or "".
func (rp *Repo) tagDigest(tag string) string {
	for _, ip := range rp.Images {
		if _, ok := slices.BinarySearch(ip.Tags, tag); ok {
			return ip.Digest
		}
	}
	return ""
}

// Tagged returns when tag was last pointed at the image it points at
// now (added or moved), as far as the change log knows; zero when the
// log does not say (the tag got there before the oldest change set
// kept, or the log disagrees with the snapshot).
func (rp *Repo) Tagged(tag string) time.Time {
	return rp.tagged[tag]
}
