package render

import (
	"strconv"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/lint"
	"github.com/regcat/regcat/snapshot"
)

// The pages of metadata coverage and of the images that need a rebuild.
var (
	coverageHTML = page{template: "coverage.html", path: fixed(coveragePage),
		data: func(r *renderer, _ subject) (any, error) { return r.coverageData(), nil }}
	rebuildHTML = page{template: "rebuild.html", path: fixed(rebuildPage),
		data: func(r *renderer, _ subject) (any, error) { return r.rebuildData(), nil }}
)

// lintResult is what the lint rules say of the catalog, computed once
// per render for every page that shows it.
type lintResult struct {
	findings []lint.Finding
	bases    map[*catalog.Image][]lint.BaseState
	stale    []lint.BaseState // the moved ones, in catalog order
}

func newLintResult(cat *catalog.Catalog) *lintResult {
	l := &lintResult{findings: lint.Check(cat, lint.Options{}), bases: map[*catalog.Image][]lint.BaseState{}}
	for _, b := range lint.BaseStates(cat) {
		l.bases[b.Image] = append(l.bases[b.Image], b)
		if b.Status == lint.StatusMoved {
			l.stale = append(l.stale, b)
		}
	}
	return l
}

// maxFindings caps the findings coverage.html lists.
const maxFindings = 2000

func (r *renderer) coverageData() *CoveragePage {
	d := &CoveragePage{Page: r.pageFor(coveragePage, "Metadata coverage"), Keys: lint.Recommended}
	all, repos := lint.Coverage(r.cat, r.lint.findings)
	d.All = coverageRow(all, Link{Text: "All repositories"})
	for _, t := range repos {
		d.Repos = append(d.Repos, coverageRow(t, Link{Text: t.Repo, Href: repoPage(t.Repo)}))
	}
	for i, f := range r.lint.findings {
		if i == maxFindings {
			d.MoreFindings = len(r.lint.findings) - maxFindings
			break
		}
		d.Findings = append(d.Findings, FindingRow{
			Repo:  Link{Text: f.Repo, Href: repoPage(f.Repo)},
			Image: Link{Text: cmpTag(f.Tags, f.Digest), Href: imagePage(f.Repo, f.Digest)},
			Rule:  f.Rule, Message: oneLine(f.Message),
		})
	}
	return d
}

// cmpTag is an image's display tag, or its short digest when untagged.
func cmpTag(tags []string, digest string) string {
	if len(tags) == 0 {
		return shortDigest(digest)
	}
	return snapshot.DisplayTag(tags)
}

func coverageRow(t lint.Tally, repo Link) CoverageRow {
	row := CoverageRow{Repo: repo, Images: t.Images}
	for _, n := range t.Keys {
		row.Keys = append(row.Keys, share(n, t.Images))
	}
	row.NoLabels, row.Inherited = share(t.NoLabels, t.Images), share(t.Inherited, t.Images)
	row.Invalid, row.StaleBase = share(t.Invalid, t.Images), share(t.StaleBase, t.Images)
	return row
}

// share is n of total as a whole percentage, rounded down except that
// a non-zero share never shows as 0%.
func share(n, total int) Share {
	s := Share{Count: n, Percent: "0%"}
	if total > 0 && n > 0 {
		p := max(n*100/total, 1)
		s.Percent = strconv.Itoa(p) + "%"
	}
	return s
}

func (r *renderer) rebuildData() *RebuildPage {
	d := &RebuildPage{Page: r.pageFor(rebuildPage, "Images to rebuild")}
	for _, b := range r.lint.stale {
		d.Rows = append(d.Rows, RebuildRow{
			Image: Link{Text: lint.Ref(b.Image), Href: imagePage(b.Image.Repo.Name, b.Image.Digest)},
			Base:  baseView(b, ""),
		})
	}
	return d
}

// baseView is the view of a base state on a page in the directory that
// root leads from to the site root ("" for top-level pages).
func baseView(b lint.BaseState, root string) BaseView {
	v := BaseView{Name: oneLine(b.Name), Status: string(b.Status), Stale: b.Status == lint.StatusMoved, Tag: b.Tag, Note: oneLine(b.Note), Newer: b.NewerText()}
	if v.Name == "" {
		v.Name = lint.Ref(b.Image)
	}
	if b.BuiltDigest != "" {
		v.Built = Link{Text: shortDigest(oneLine(b.BuiltDigest))}
	}
	if b.Built != nil {
		v.Built.Href = root + imagePage(b.Built.Repo.Name, b.Built.Digest)
	}
	if b.Now != nil {
		v.Now = Link{Text: shortDigest(b.Now.Digest), Href: root + imagePage(b.Now.Repo.Name, b.Now.Digest)}
		v.NowCreated = timeView(b.Now.Created)
	}
	return v
}

// imageBases are the base views of an image page.
func (r *renderer) imageBases(ip *catalog.Image) []BaseView {
	var out []BaseView
	for _, b := range r.lint.bases[ip] {
		out = append(out, baseView(b, "../../"))
	}
	return out
}

// historyBase is the Base cell of an image's row on its repository's
// page: "rebuild" when a base tag moved, else "current" when one is
// known to be current, else "".
func (r *renderer) historyBase(ip *catalog.Image) (string, string) {
	text, title := "", ""
	for _, b := range r.lint.bases[ip] {
		switch b.Status {
		case lint.StatusMoved:
			return "rebuild", b.Message()
		case lint.StatusCurrent:
			text, title = "current", b.Message()
		}
	}
	return text, title
}
