package changes

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/regcat/regcat/snapshot"
)

// A Differ derives the [Set] of a crawl one repository at a time, as the
// crawl completes them, so that neither snapshot need be held whole: it
// keeps the names of the old snapshot's repositories and the changes
// found so far, and reads an old repository from its source when the new
// one comes ([Differ.Add]), or at the end when it did not come
// ([Differ.Finish]: removed). Its Set is the one [Diff] returns for the
// same snapshots. A Differ is used by one goroutine at a time.
type Differ struct {
	old   snapshot.Source // nil when there is none
	byPos map[string]int  // old repository name → its position in old
	added map[string]bool // names of the new repositories added
	repos []Repo
}

// NewDiffer returns a Differ from old, which may be nil (no previous
// snapshot: every repository is added). It reads the names of old's
// repositories with [snapshot.Names].
func NewDiffer(ctx context.Context, old snapshot.Source) (*Differ, error) {
	d := &Differ{old: old, byPos: map[string]int{}, added: map[string]bool{}}
	if old == nil {
		return d, nil
	}
	names, err := snapshot.Names(ctx, old)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	for i, n := range names {
		d.byPos[n] = i
	}
	return d, nil
}

// Add records what changed in repository n of the new snapshot: it is
// added, or compared with the old snapshot's repository of its name. A
// name added twice is an error.
func (d *Differ) Add(ctx context.Context, n *snapshot.Repository) error {
	if d.added[n.Name] {
		return fmt.Errorf("changes: repository %q added twice", n.Name)
	}
	d.added[n.Name] = true
	o, err := d.oldRepo(ctx, n.Name)
	if err != nil {
		return err
	}
	var r Repo
	if o == nil {
		r = diffRepo(&snapshot.Repository{Name: n.Name}, n)
		r.Status = Added
	} else {
		r = diffRepo(o, n)
		r.Status = Changed
	}
	if r.Status != Changed || !r.empty() {
		d.repos = append(d.repos, r)
	}
	return nil
}

// oldRepo returns the old snapshot's repository called name, or nil.
func (d *Differ) oldRepo(ctx context.Context, name string) (*snapshot.Repository, error) {
	i, ok := d.byPos[name]
	if !ok {
		return nil, nil
	}
	o, err := d.old.Repository(ctx, i)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	return o, nil
}

// Finish returns the Set, given the new snapshot's index (its
// Repositories are not looked at): the repositories added, every old
// repository not added is removed unless the new crawl could not see it
// (see [Diff]). The Differ cannot be used afterwards.
func (d *Differ) Finish(ctx context.Context, idx *snapshot.Index) (*Set, error) {
	s := &Set{Registry: idx.Registry, CrawledAt: idx.CrawledAt.UTC()}
	if d.old != nil {
		s.Since = d.old.Head().CrawledAt.UTC()
	}
	for name := range d.byPos {
		if d.added[name] || unseenRepo(idx, name) {
			continue
		}
		o, err := d.oldRepo(ctx, name)
		if err != nil {
			return nil, err
		}
		r := diffRepo(o, &snapshot.Repository{Name: name})
		r.Status = Removed
		d.repos = append(d.repos, r)
	}
	slices.SortFunc(d.repos, func(a, b Repo) int { return cmp.Compare(a.Name, b.Name) })
	s.Repositories, d.repos = d.repos, nil
	return s, nil
}
