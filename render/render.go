package render

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tdewolff/minify/v2"
	"golang.org/x/sync/errgroup"

	"github.com/regcat/regcat/assets"
	"github.com/regcat/regcat/snapshot"
)

// Stats counts what a render wrote.
type Stats struct {
	// Pages is the number of HTML pages.
	Pages int
	// Files is the number of files in the site, pages included.
	Files int
	// Unchanged is the number of files kept from the previous site
	// because their bytes did not change.
	Unchanged int
	// Bytes is the total size of the site's files.
	Bytes int64
	// Skipped counts repositories, tags and digests left out because
	// their names are invalid or collide.
	Skipped int
}

// Render writes the site for snap to cfg.Out. The new site is built in a
// temporary directory beside cfg.Out and replaces it only when complete,
// so on any error (including ctx being cancelled) the previous site is
// left as it was. Invalid names in snap are logged, counted in
// Stats.Skipped and left out; they are not errors.
func Render(ctx context.Context, cfg Config, snap *snapshot.Snapshot) (Stats, error) {
	if err := cfg.Validate(); err != nil {
		return Stats{}, err
	}
	r := &renderer{cfg: cfg, snap: snap, md: newMarkdown(), min: newMinifier()}
	if cfg.BaseURL != "" {
		r.base, _ = parseBaseURL(cfg.BaseURL)
	}
	tmpl, err := loadTemplates(cfg.TemplatesDir)
	if err != nil {
		return Stats{}, err
	}
	if r.sets, err = cloneSets(tmpl, jobs); err != nil {
		return Stats{}, err
	}
	log := cfg.logger()
	r.plan = newPlan(snap, log)
	r.badges = newBadgePlan(r.plan, cfg.badgeTag(), log)
	registry := oneLine(snap.Index.Registry)
	r.common = Page{
		Site:      oneLine(cfg.Title),
		Registry:  registry,
		CrawledAt: timeView(snap.Index.CrawledAt),
		Failures:  failureCount(snap, r.plan),
	}
	if r.common.Site == "" {
		r.common.Site = strings.TrimSpace(registry + " catalog")
	}

	s, err := openSite(cfg.out())
	if err != nil {
		return Stats{}, err
	}
	if err := r.write(ctx, s); err != nil {
		s.abort()
		return Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		s.abort()
		return Stats{}, err
	}
	st := Stats{
		Pages:     int(r.pages.Load()),
		Files:     int(s.files.Load()),
		Unchanged: int(s.unchanged.Load()),
		Bytes:     s.bytes.Load(),
		Skipped:   r.plan.skipped,
	}
	if err := s.commit(); err != nil {
		return Stats{}, err
	}
	log.Info("rendered site", "out", cfg.out(), "pages", st.Pages, "files", st.Files, "unchanged", st.Unchanged, "bytes", st.Bytes, "skipped", st.Skipped)
	return st, nil
}

// jobs is how many pages are rendered at once: more than processors, so
// that rendering goes on while some jobs wait for the disk.
var jobs = 4 * runtime.GOMAXPROCS(0)

// renderer holds what every page of one render shares.
type renderer struct {
	cfg    Config
	base   string // BaseURL with a trailing slash, or ""
	snap   *snapshot.Snapshot
	plan   *plan
	badges *badgePlan
	sets   chan templateSet // one per concurrent job, see cloneSets
	md     *markdown
	min    *minify.M
	common Page

	pages atomic.Int64
	bufs  sync.Pool
	descs sync.Map // Markdown source → minified template.HTML, see description
}

// write renders every file of the site into s. Pages are rendered in
// parallel; each job writes its own files, so the order of completion
// never reaches the output.
func (r *renderer) write(ctx context.Context, s *site) error {
	if err := r.static(s); err != nil {
		return err
	}
	if err := s.mkdir("api/repos"); err != nil {
		return err
	}
	for _, rp := range r.plan.repos {
		if err := s.mkdir(strings.TrimSuffix(repoDir(rp.name), "/")); err != nil {
			return err
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	job := func(f func() error) {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return f()
		})
	}
	job(func() error { return r.page(s, indexPage, "index.html", r.indexData()) })
	job(func() error { return r.page(s, failuresPage, "failures.html", r.failuresData()) })
	job(func() error { return r.notFound(s) })
	job(func() error { return r.apiIndex(s) })
	for _, rp := range r.plan.repos {
		job(func() error {
			d, err := r.repoData(rp)
			if err != nil {
				return err
			}
			if err := r.page(s, repoPage(rp.name), "repo.html", d); err != nil {
				return err
			}
			return r.apiRepo(s, rp)
		})
		job(func() error { return r.writeBadges(s, rp) })
		for _, ip := range rp.images {
			job(func() error {
				d, err := r.imageData(ip)
				if err != nil {
					return err
				}
				return r.page(s, imagePage(rp.name, ip.im.Digest), "image.html", d)
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if r.base != "" {
		return r.sitemap(s)
	}
	return nil
}

// page executes the page template tmpl with data and writes the result
// to name. The templates were minified when they were loaded, so the
// page is not minified again.
func (r *renderer) page(s *site, name, tmpl string, data any) error {
	buf := r.buffer()
	defer r.bufs.Put(buf)
	set := <-r.sets
	err := set[tmpl].Execute(buf, data)
	r.sets <- set
	if err != nil {
		return fmt.Errorf("page %s: %w", name, err)
	}
	r.pages.Add(1)
	return s.write(name, buf.Bytes())
}

// description is a Markdown description as minified HTML (see
// markdown.render), which pages insert as it is.
func (r *renderer) description(src string) (template.HTML, error) {
	if h, ok := r.descs.Load(src); ok {
		return h.(template.HTML), nil
	}
	h, err := r.md.render(src)
	if err != nil {
		return "", err
	}
	b, err := r.min.Bytes(typeHTML, []byte(h))
	if err != nil {
		return "", fmt.Errorf("minify: %w", err)
	}
	h = template.HTML(b)
	r.descs.Store(src, h)
	return h, nil
}

func (r *renderer) buffer() *bytes.Buffer {
	if b, ok := r.bufs.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

// notFound writes 404.html. Hosts serve it at whatever URL was missing,
// so relative links cannot work there: with a base URL they are absolute.
func (r *renderer) notFound(s *site) error {
	d := &NotFoundPage{Page: r.pageFor(notFoundPage, "Not found")}
	d.Root = r.base
	d.Canonical = ""
	return r.page(s, notFoundPage, "404.html", d)
}

// static writes the marker, .nojekyll and the minified assets.
func (r *renderer) static(s *site) error {
	if err := s.write(MarkerFile, []byte(markerContent)); err != nil {
		return err
	}
	// GitHub Pages would otherwise run Jekyll, which hides files whose
	// names start with "_" or ".".
	if err := s.write(noJekyll, nil); err != nil {
		return err
	}
	if err := s.mkdir("assets"); err != nil {
		return err
	}
	return fs.WalkDir(assets.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets.FS, name)
		if err != nil {
			return err
		}
		mt := map[string]string{".css": typeCSS, ".js": typeJS, ".svg": typeSVG}[path.Ext(name)]
		if mt == "" {
			return fmt.Errorf("asset %s: unknown type", name)
		}
		if b, err = r.min.Bytes(mt, b); err != nil {
			return fmt.Errorf("minify asset %s: %w", name, err)
		}
		return s.write(assetsDir+name, b)
	})
}
