package render

import (
	"context"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/internal/sitefs"
)

// An output is one part of the site: it reads the catalog (through the
// renderer) and writes its files into the site. Adding a kind of file to
// the site is a new file with its output and one line in outputs.
type output struct {
	// name names the output in errors.
	name string
	// page is set when the output is HTML pages: its template is parsed
	// with the others before any output runs, and its pages are listed
	// in the sitemap unless page.noSitemap.
	page *page
	// write, when set, writes the output's files of the site as a whole
	// into s, directly or in jobs handed to spawn, and makes the
	// directories that repo writes into. It returns spawn's error, which
	// says ctx is done.
	write func(ctx context.Context, r *renderer, s *sitefs.Dir, spawn spawner) error
	// repo, when set, writes the output's files of one rendered
	// repository, rp, in jobs handed to spawn; full is its whole record
	// (see renderer.run).
	repo func(r *renderer, s *sitefs.Dir, spawn spawner, rp *catalog.Repo, full *catalog.Full) error
}

// spawner runs job in the render's pool of workers, waiting for a free
// one; it fails, without running job, once ctx is done. A job that
// writes many files checks its ctx between them.
type spawner func(job func(ctx context.Context) error) error

// outputs are every part of the site, in the order they start.
var outputs = []output{
	staticOutput,
	pageOutput(&indexHTML),
	pageOutput(&failuresHTML),
	pageOutput(&notFoundHTML),
	pageOutput(&coverageHTML),
	pageOutput(&rebuildHTML),
	pageOutput(&changesHTML),
	pageOutput(&repoHTML),
	pageOutput(&imageHTML),
	pageOutput(&labelsHTML),
	pageOutput(&labelHTML),
	chartOutput,
	apiOutput,
	labelsJSONOutput,
	searchOutput,
	badgesOutput,
	sitemapOutput,
	feedsOutput,
}

// A page is a page template and the pages made from it: one for the
// site, or one per repository or image, as scope says. Its template
// (in templates/, or an override) defines "content" for "base".
type page struct {
	template  string
	scope     scope
	noSitemap bool
	// dir is the directory the pages are in, created before they are
	// written, when it is neither the root nor a repository's.
	dir string
	// path is the page's path in the site for s, data what the template
	// gets (one of the types of data.go).
	path func(s subject) string
	data func(r *renderer, s subject) (any, error)
}

// scope is what a page is made for.
type scope int

const (
	siteScope  scope = iota // one page for the site
	repoScope               // a page per repository
	imageScope              // a page per image
	labelScope              // a page per key of the label index
)

// subject is what one page is about: nothing for a site page, the
// repository (and the image) for a repository's (an image's) page, with
// the repository's whole record when the page is rendered, and for a
// repository, which page of its tag history (from 1); the key for a
// key's page.
type subject struct {
	repo  *catalog.Repo
	full  *catalog.Full
	image *catalog.Image
	page  int
	label *labelKey
}

// fixed is the path of a site page.
func fixed(p string) func(subject) string { return func(subject) string { return p } }

// subjects returns what the pages of scope are made for, in site order:
// the pages of the site or of the label index; for a repository's or an
// image's pages, those of rp, whose whole record is full.
func (r *renderer) subjects(sc scope, rp *catalog.Repo, full *catalog.Full) []subject {
	switch sc {
	case repoScope:
		out := make([]subject, 0, r.historyPages(rp))
		for n := range r.historyPages(rp) {
			out = append(out, subject{repo: rp, full: full, page: n + 1})
		}
		return out
	case imageScope:
		out := make([]subject, 0, len(rp.Images))
		for _, ip := range rp.Images {
			out = append(out, subject{repo: rp, full: full, image: ip})
		}
		return out
	case labelScope:
		out := make([]subject, len(r.labels))
		for i := range r.labels {
			out[i] = subject{label: &r.labels[i]}
		}
		return out
	}
	return []subject{{}}
}

// pageOutput is the output that writes the pages of p, one job each.
func pageOutput(p *page) output {
	o := output{name: strings.TrimSuffix(p.template, ".html") + " pages", page: p}
	if p.scope == repoScope || p.scope == imageScope {
		o.write = func(_ context.Context, r *renderer, s *sitefs.Dir, _ spawner) error { return r.mkRepoDirs(s) }
		o.repo = func(r *renderer, s *sitefs.Dir, spawn spawner, rp *catalog.Repo, full *catalog.Full) error {
			return r.spawnPages(s, spawn, p, r.subjects(p.scope, rp, full))
		}
		return o
	}
	o.write = func(_ context.Context, r *renderer, s *sitefs.Dir, spawn spawner) error {
		if p.dir != "" {
			if err := s.Mkdir(p.dir); err != nil {
				return err
			}
		}
		return r.spawnPages(s, spawn, p, r.subjects(p.scope, nil, nil))
	}
	return o
}

// spawnPages writes the pages of p for subs, a job each.
func (r *renderer) spawnPages(s *sitefs.Dir, spawn spawner, p *page, subs []subject) error {
	for _, sub := range subs {
		err := spawn(func(context.Context) error {
			d, err := p.data(r, sub)
			if err != nil {
				return err
			}
			return r.execute(s, p.path(sub), p.template, d)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
