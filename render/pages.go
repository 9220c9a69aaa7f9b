package render

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// maxChildren caps the images built on one image that a page lists.
const maxChildren = 50

// pageFor returns the Page of the page at path p.
func (r *renderer) pageFor(p, title string) Page {
	pg := r.common
	pg.Title = title
	pg.Root = rootFrom(p)
	if r.base != "" {
		pg.Canonical = r.base + strings.TrimSuffix(p, indexPage)
	}
	return pg
}

func (r *renderer) indexData() *IndexPage {
	d := &IndexPage{Page: r.pageFor(indexPage, "")}
	byNS := map[string]*Namespace{}
	var order []string
	for _, rp := range r.plan.repos {
		d.Repos++
		d.Tags += rp.tags
		d.Images += len(rp.images)
		ns := namespaceOf(rp.name)
		n := byNS[ns]
		if n == nil {
			id := "ns-" + strings.ReplaceAll(ns, "/", "~")
			if ns == "" {
				id = "ns"
			}
			n = &Namespace{Name: ns, ID: id}
			byNS[ns] = n
			order = append(order, ns)
		}
		row := RepoRow{Name: rp.name, Href: repoPage(rp.name), Tags: rp.tags, Images: len(rp.images), Failures: len(rp.repo.Failures)}
		if di, tag := rp.defaultImage(r.cfg.badgeTag()); di != nil {
			row.Title = oneLine(label(di.im, snapshot.LabelTitle))
			row.Description = r.md.excerpt(label(di.im, snapshot.LabelDescription))
			row.Size, row.SizePlatform = shownSize(di.im)
			row.DefaultTag = tag
		}
		if nw := rp.newest(); nw != nil {
			row.Created = timeView(nw.im.Created)
			if len(nw.tags) > 0 {
				row.NewestTag = Link{Text: newestTag(nw.tags), Href: imagePage(rp.name, nw.im.Digest)}
			}
		}
		n.Repos = append(n.Repos, row)
	}
	slices.Sort(order)
	for _, ns := range order {
		d.Namespaces = append(d.Namespaces, *byNS[ns])
	}
	return d
}

// newestTag picks the tag to show for an image: "latest" when it has it,
// else the last in sort order (usually the most specific version).
func newestTag(tags []string) string {
	if slices.Contains(tags, "latest") {
		return "latest"
	}
	return tags[len(tags)-1]
}

func (r *renderer) repoData(rp *repoPlan) (*RepoPage, error) {
	p := repoPage(rp.name)
	d := &RepoPage{Page: r.pageFor(p, rp.name), Name: rp.name, Title: rp.name, Tags: rp.tags}
	api, err := apiRepo(rp.name)
	if err != nil {
		return nil, err
	}
	d.JSON = "../../" + api
	if di, tag := rp.defaultImage(r.cfg.badgeTag()); di != nil {
		d.Title = cmp.Or(oneLine(label(di.im, snapshot.LabelTitle)), rp.name)
		if d.Description, err = r.description(label(di.im, snapshot.LabelDescription)); err != nil {
			return nil, fmt.Errorf("description of %s: %w", rp.name, err)
		}
		d.Links = repoLinks(di.im)
		if tag != "" {
			d.Pull = pullCommands(r.common.Registry, rp.name, []string{tag}, di.im.Digest)[:1]
		}
	}
	for _, ip := range rp.images {
		im := ip.im
		source, rev := label(im, keySource), label(im, keyRevision)
		size, sizePlatform := shownSize(im)
		d.History = append(d.History, HistoryRow{
			Tags:         ip.tags,
			Href:         imageFile(im.Digest),
			Digest:       im.Digest,
			Short:        shortDigest(im.Digest),
			Created:      timeView(im.Created),
			Size:         size,
			SizePlatform: sizePlatform,
			Kind:         string(im.Kind),
			Platforms:    platformSummary(im),
			Version:      Link{Text: oneLine(label(im, keyVersion))},
			Revision:     Link{Text: oneLine(truncate(rev, 12)), Href: commitURL(source, rev)},
		})
	}
	d.Badges = r.repoBadges(rp)
	d.Failures = failureRows(rp.repo.Failures, rp.name)
	for _, s := range rp.repo.Skipped {
		d.Skipped = append(d.Skipped, SkippedRow{Repo: rp.name, Name: oneLine(s.Name), Reason: oneLine(s.Reason)})
	}
	return d, nil
}

// repoLinks are the links shown in a repository's header.
func repoLinks(im *snapshot.Image) []Field {
	var out []Field
	for _, k := range []string{keySource, keyDocs, keyURL} {
		if u := webURL(label(im, k)); u != "" {
			out = append(out, Field{Name: knownByOCI[k].name, Link: Link{Text: u, Href: u}})
		}
	}
	if l := oneLine(label(im, keyLicenses)); l != "" {
		out = append(out, Field{Name: "License", Link: Link{Text: l}})
	}
	return out
}

// failureRows are failures for a table; repo names the repository of
// failures that do not name one.
func failureRows(fs []snapshot.Failure, repo string) []FailureRow {
	var out []FailureRow
	for _, f := range fs {
		out = append(out, FailureRow{
			Repo: Link{Text: oneLine(cmp.Or(f.Repo, repo))},
			Tag:  oneLine(f.Tag), Digest: oneLine(f.Digest), Op: oneLine(f.Op),
			Status: f.Status, Error: oneLine(f.Error),
		})
	}
	return out
}

func (r *renderer) failuresData() *FailuresPage {
	d := &FailuresPage{Page: r.pageFor(failuresPage, "Failures")}
	d.Rows = failureRows(r.snap.Index.Failures, "")
	for _, s := range r.snap.Index.Skipped {
		d.Skipped = append(d.Skipped, SkippedRow{Name: oneLine(s.Name), Reason: oneLine(s.Reason)})
	}
	for _, rp := range r.plan.repos {
		rows := failureRows(rp.repo.Failures, rp.name)
		for i := range rows {
			rows[i].Repo = Link{Text: rp.name, Href: repoPage(rp.name)}
		}
		d.Rows = append(d.Rows, rows...)
		for _, s := range rp.repo.Skipped {
			d.Skipped = append(d.Skipped, SkippedRow{Repo: rp.name, Name: oneLine(s.Name), Reason: oneLine(s.Reason)})
		}
	}
	return d
}

// failureCount is how many rows failures.html lists.
func failureCount(snap *snapshot.Snapshot, p *plan) int {
	n := len(snap.Index.Failures) + len(snap.Index.Skipped)
	for _, rp := range p.repos {
		n += len(rp.repo.Failures) + len(rp.repo.Skipped)
	}
	return n
}
