package render

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/snapshot"
)

// The site's pages other than image pages (image.go).
var (
	indexHTML = page{template: "index.html", path: fixed(indexPage),
		data: func(r *renderer, _ subject) (any, error) { return r.indexData(), nil }}
	failuresHTML = page{template: "failures.html", path: fixed(failuresPage),
		data: func(r *renderer, _ subject) (any, error) { return r.failuresData(), nil }}
	notFoundHTML = page{template: "404.html", path: fixed(notFoundPage), noSitemap: true,
		data: func(r *renderer, _ subject) (any, error) { return r.notFoundData(), nil }}
	repoHTML = page{template: "repo.html", scope: repoScope,
		path: func(s subject) string { return repoDir(s.repo.Name) + historyFile(s.page) },
		data: func(r *renderer, s subject) (any, error) { return r.repoData(s.repo, s.full, s.page) }}
)

// pageFor returns the Page of the page at path p; repoFeed, when given,
// is the href of its repository's feed.
func (r *renderer) pageFor(p, title string, repoFeed ...string) Page {
	pg := r.common
	pg.Title = title
	if len(repoFeed) > 0 {
		pg.RepoFeed = repoFeed[0]
		pg.CrawledAt = Time{}
	}
	pg.Root = rootFrom(p)
	if r.base != "" {
		pg.Canonical = r.base + strings.TrimSuffix(p, indexPage)
	}
	if r.up != "" {
		pg.Up = Link{Text: r.up, Href: pg.Root + "../" + indexPage}
	}
	return pg
}

func (r *renderer) indexData() *IndexPage {
	d := &IndexPage{Page: r.pageFor(indexPage, ""), Truncated: truncation(r.cat.Index.Truncated)}
	byNS := map[string]*Namespace{}
	var order []string
	for _, rp := range r.cat.Repos {
		d.Repos++
		d.Tags += rp.Tags
		d.Images += len(rp.Images)
		ns := namespaceOf(rp.Name)
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
		row := RepoRow{Name: rp.Name, Href: repoPage(rp.Name), Tags: rp.Tags, Images: len(rp.Images), Failures: len(rp.Failures), Truncated: rp.Truncated != nil}
		if di := rp.Default; di != nil {
			row.Title = oneLine(di.Label(snapshot.KeyTitle))
			row.Description = r.md.excerpt(di.Label(snapshot.KeyDescription))
			row.Size, row.SizePlatform = shownSize(di)
			row.DefaultTag = rp.DefaultTag
		}
		if nw := rp.Newest(); nw != nil {
			row.Created = timeView(nw.Created)
			if len(nw.Tags) > 0 {
				row.NewestTag = Link{Text: nw.DisplayTag(), Href: imagePage(rp.Name, nw.Digest)}
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

// historyPages is the number of pages of a repository's tag history:
// Config.PageSize rows each, at least one page.
func (r *renderer) historyPages(rp *catalog.Repo) int {
	n := r.cfg.pageSize()
	return max(1, (len(rp.Images)+n-1)/n)
}

// maxPagerLinks is the most numbered links a pager shows in full; a
// pager of more pages shows the first, the last and those near the
// current one, with gaps between.
const maxPagerLinks = 15

// pager is the navigation of page n of pages, nil when there is only one.
// Its links are file names in the repository's directory.
func pager(n, pages int) *Pager {
	if pages <= 1 {
		return nil
	}
	p := &Pager{Page: n, Pages: pages}
	if n > 1 {
		p.Prev = historyFile(n - 1)
	}
	if n < pages {
		p.Next = historyFile(n + 1)
	}
	for k := 1; k <= pages; k++ {
		near := k == 1 || k == pages || (k >= n-2 && k <= n+2)
		switch {
		case pages <= maxPagerLinks || near:
			p.Links = append(p.Links, PagerLink{Number: k, Href: historyFile(k), Current: k == n})
		case len(p.Links) > 0 && !p.Links[len(p.Links)-1].Gap:
			p.Links = append(p.Links, PagerLink{Gap: true})
		}
	}
	return p
}

// truncation is the view of a cap the crawl applied, or nil.
func truncation(t *snapshot.Truncation) *Truncation {
	if t == nil {
		return nil
	}
	return &Truncation{Limit: t.Limit, Listed: t.Listed}
}

// repoData is the data of page n (from 1) of a repository's pages: the
// header on every page, the rows of the page, and the badges, failures
// and skipped names on the first page only; full is rp's whole record.
func (r *renderer) repoData(rp *catalog.Repo, full *catalog.Full, n int) (*RepoPage, error) {
	p := repoDir(rp.Name) + historyFile(n)
	pages := r.historyPages(rp)
	title := rp.Name
	if n > 1 {
		title += " (page " + strconv.Itoa(n) + " of " + strconv.Itoa(pages) + ")"
	}
	d := &RepoPage{Page: r.pageFor(p, title, feedFile), Name: rp.Name, Title: rp.Name, Tags: rp.Tags, Truncated: truncation(rp.Truncated),
		Pager: pager(n, pages)}
	api, err := apiPath(rp.Name)
	if err != nil {
		return nil, err
	}
	d.JSON = "../../" + api
	if di := rp.Default; di != nil {
		d.Title = cmp.Or(oneLine(di.Label(snapshot.KeyTitle)), rp.Name)
		if d.Description, err = r.md.html(di.Label(snapshot.KeyDescription)); err != nil {
			return nil, fmt.Errorf("description of %s: %w", rp.Name, err)
		}
		d.Links = repoLinks(di)
		if rp.DefaultTag != "" {
			d.Pull = pullCommands(r.common.Registry, rp.Name, []string{rp.DefaultTag}, di.Digest)[:1]
		}
	}
	size := r.cfg.pageSize()
	for _, ip := range rp.Images[min((n-1)*size, len(rp.Images)):min(n*size, len(rp.Images))] {
		im := full.Image(ip)
		source, rev := ip.Label(snapshot.KeySource), ip.Label(snapshot.KeyRevision)
		size, sizePlatform := shownSize(ip)
		d.History = append(d.History, HistoryRow{
			Tags:         ip.Tags,
			Href:         imageFile(im.Digest),
			Digest:       im.Digest,
			Short:        shortDigest(im.Digest),
			Created:      timeView(im.Created),
			Size:         size,
			SizePlatform: sizePlatform,
			Kind:         string(im.Kind),
			Platforms:    platformSummary(im),
			Version:      Link{Text: oneLine(ip.Label(snapshot.KeyVersion))},
			Revision:     Link{Text: oneLine(snapshot.Truncate(rev, 12)), Href: commitURL(source, rev)},
			Markers:      supplyMarkers(im),
			Tagged:       taggedView(rp, ip.Tags),
		})
		row := &d.History[len(d.History)-1]
		row.Base, row.BaseNote = r.historyBase(ip)
	}
	if n > 1 {
		return d, nil
	}
	d.Changes, d.MoreChanges = repoChanges(rp)
	d.SizeChart = sizeChartView(rp)
	d.Badges = r.repoBadges(rp, full)
	d.Failures = failureRows(rp.Failures, rp.Name)
	d.Skipped = skippedRows(rp.Skipped, rp.Name)
	for _, rt := range full.Repo.ReferrerTags {
		if !rt.Attached {
			d.Unattached = append(d.Unattached, SkippedRow{Repo: rp.Name, Name: oneLine(rt.Name), Reason: oneLine(rt.Note)})
		}
	}
	return d, nil
}

// repoLinks are the links shown in a repository's header.
func repoLinks(im *catalog.Image) []Field {
	var out []Field
	for _, k := range []string{snapshot.KeySource, snapshot.KeyDocumentation, snapshot.KeyURL} {
		if u := webURL(im.Label(k)); u != "" {
			known, _ := catalog.Known(k)
			out = append(out, Field{Name: known.Name, Link: Link{Text: u, Href: u}})
		}
	}
	if l := oneLine(im.Label(snapshot.KeyLicenses)); l != "" {
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

// skippedRows are skipped names for a table; repo names their
// repository, "" for the index's.
func skippedRows(ss []snapshot.Skipped, repo string) []SkippedRow {
	var out []SkippedRow
	for _, s := range ss {
		out = append(out, SkippedRow{Repo: repo, Name: oneLine(s.Name), Reason: oneLine(s.Reason)})
	}
	return out
}

func (r *renderer) failuresData() *FailuresPage {
	d := &FailuresPage{Page: r.pageFor(failuresPage, "Failures")}
	d.Rows = failureRows(r.cat.Index.Failures, "")
	d.Skipped = skippedRows(r.cat.Index.Skipped, "")
	for _, rp := range r.cat.Repos {
		rows := failureRows(rp.Failures, rp.Name)
		for i := range rows {
			rows[i].Repo = Link{Text: rp.Name, Href: repoPage(rp.Name)}
		}
		d.Rows = append(d.Rows, rows...)
		d.Skipped = append(d.Skipped, skippedRows(rp.Skipped, rp.Name)...)
	}
	return d
}

// notFoundData is the data of 404.html. Hosts serve it at whatever URL
// was missing, so relative links cannot work there: with a base URL they
// are absolute.
func (r *renderer) notFoundData() *NotFoundPage {
	d := &NotFoundPage{Page: r.pageFor(notFoundPage, "Not found")}
	d.Root = r.base
	if r.up != "" {
		d.Up.Href = r.base + "../" + indexPage
	}
	d.Canonical = ""
	return d
}
