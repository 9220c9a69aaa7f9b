package render

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tdewolff/minify/v2"
	"golang.org/x/sync/errgroup"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/internal/sitefs"
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
	// Carried counts the repositories that were not rendered: their
	// files, unchanged, were linked from the previous site (see
	// incremental.go). Pages counts only the pages rendered.
	Carried int
	// Moved counts the directories of carried repositories moved from
	// the spare site rather than linked (see incremental.go).
	Moved int
}

// Render writes the site for the snapshot src to cfg.Out. The new site is built in a
// temporary directory beside cfg.Out and replaces it only when complete,
// so on any error (including ctx being cancelled) the previous site is
// left as it was. Invalid names in src are logged, counted in
// Stats.Skipped and left out; they are not errors.
func Render(ctx context.Context, cfg Config, src snapshot.Source) (Stats, error) {
	if err := cfg.Validate(); err != nil {
		return Stats{}, err
	}
	log := cfg.logger()
	// Templates first: a broken override fails before anything is read
	// or written.
	tmpl, tmplSum, err := loadTemplates(cfg.TemplatesDir, log)
	if err != nil {
		return Stats{}, err
	}
	r := newRenderer(cfg, tmpl, tmplSum)
	if err := r.read(ctx, src, cfg.History); err != nil {
		return Stats{}, err
	}
	cat := r.cat
	s, err := openSite(cfg.out())
	if err != nil {
		return Stats{}, err
	}
	if err := r.run(ctx, s); err != nil {
		s.Abort()
		return Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		s.Abort()
		return Stats{}, err
	}
	fst := s.Stats()
	st := Stats{
		Pages:     int(r.pages.Load()),
		Files:     fst.Files,
		Unchanged: fst.Unchanged,
		Bytes:     fst.Bytes,
		Skipped:   cat.Skipped,
		Carried:   len(r.carried),
		Moved:     fst.Moved,
	}
	if err := s.Commit(); err != nil {
		return Stats{}, err
	}
	log.Info("rendered site", "out", cfg.out(), "pages", st.Pages, "files", st.Files, "unchanged", st.Unchanged, "carried", st.Carried, "moved", st.Moved, "bytes", st.Bytes, "skipped", st.Skipped)
	if st.Bytes > siteLimit {
		log.Warn("site is larger than GitHub Pages publishes; try --tag-badges none or fewer repositories",
			"bytes", st.Bytes, "limit", int64(GitHubPagesLimit))
	}
	return st, nil
}

// GitHubPagesLimit is the largest published site GitHub Pages accepts,
// 1 GB; Render warns when a site is larger.
const GitHubPagesLimit = 1_000_000_000

// siteLimit is the size Render warns above: GitHubPagesLimit, lowered
// by a test.
var siteLimit int64 = GitHubPagesLimit

// jobs is how many jobs of a render run at once: more than processors,
// so that rendering goes on while some jobs wait for the disk.
var jobs = 4 * runtime.GOMAXPROCS(0)

// renderer holds what every output of one render shares. Outputs read
// it and the catalog; they change nothing in it but the counters and
// caches, which are safe for concurrent use.
type renderer struct {
	cfg     Config
	outputs []output // see outputs
	base    string   // BaseURL with a trailing slash, or ""
	cat     *catalog.Catalog
	labels  []labelKey // cat.Labels with their pages' files
	badges  *badgePlan
	tmpl    templateSet
	md      *markdown
	lint    *lintResult
	min     *minify.M
	common  Page
	tmplSum [32]byte // of the templates, see loadTemplates

	// own is what each repository's fingerprint takes from its whole
	// record (see visit), guarded by ownMu; fps are the repositories'
	// fingerprints, nil when unknown; carried
	// are those carried from the previous site, set before the outputs
	// run (see incremental.go).
	ownMu   sync.Mutex
	own     map[*catalog.Repo]ownPrint
	fps     map[*catalog.Repo]string
	carried map[*catalog.Repo]manifestRepo
	// up is the title of the landing page of a site of several
	// registries, which this render is one section of; "" for a site of
	// one registry.
	up string

	pages    atomic.Int64
	bufs     sync.Pool
	steps    sync.Map  // see redact
	repoDirs sync.Once // see mkRepoDirs
	dirsErr  error
}

// newRenderer is the renderer of cfg with the templates tmpl, whose
// hash is tmplSum. Its catalog is set by read (or setCatalog).
func newRenderer(cfg Config, tmpl templateSet, tmplSum [32]byte) *renderer {
	min := newMinifier()
	r := &renderer{cfg: cfg, outputs: outputs, tmpl: tmpl, md: newMarkdown(min), min: min, tmplSum: tmplSum, own: map[*catalog.Repo]ownPrint{}}
	if cfg.BaseURL != "" {
		r.base, _ = parseBaseURL(cfg.BaseURL)
	}
	return r
}

// read reads the catalog of src, with the change log hist (nil for
// none), hashing each repository's whole record for its fingerprint as
// it goes (see visit), and sets it.
func (r *renderer) read(ctx context.Context, src snapshot.Source, hist *changes.Log) error {
	cat, err := catalog.Read(ctx, src, catalog.Config{Prefer: r.cfg.badgeTag(), Logger: r.cfg.logger(), History: hist, Visit: r.visit})
	if err != nil {
		return fmt.Errorf("read snapshot: %w", err)
	}
	r.setCatalog(cat)
	return nil
}

// setCatalog sets the catalog and what the outputs derive from it.
func (r *renderer) setCatalog(cat *catalog.Catalog) {
	r.cat = cat
	r.badges = newBadgePlan(cat, r.cfg.tagBadges(), r.cfg.badgeTag(), r.cfg.logger())
	r.labels = labelKeys(cat.Labels)
	r.lint = newLintResult(cat)
	registry := oneLine(cat.Index.Registry)
	r.common = Page{
		Site:      oneLine(r.cfg.Title),
		Registry:  registry,
		CrawledAt: timeView(cat.Index.CrawledAt),
		Failures:  cat.Failures,
		Rebuild:   len(r.lint.stale),
	}
	if r.common.Site == "" {
		r.common.Site = strings.TrimSpace(registry + " catalog")
	}
}

// run writes every output into s. Outputs start in the order of outputs
// and pass their jobs to one pool; each job writes its own files, so the
// order of completion never reaches the output. A cancelled ctx stops
// the outputs between jobs, and jobs between files where they write many.
// Repositories whose files are carried from the previous site come first
// (see carry); the outputs leave them out. The render manifest comes
// last (see writeManifest).
func (r *renderer) run(ctx context.Context, s *sitefs.Dir) error {
	if err := r.carry(ctx, s); err != nil {
		return fmt.Errorf("carry repositories: %w", err)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	spawn := func(job func(ctx context.Context) error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return job(ctx)
		})
		return nil
	}
	err := r.writeSite(ctx, s, spawn)
	if err := cmp.Or(g.Wait(), err); err != nil {
		// A job's error cancels ctx, which spawn then reports: the
		// job's error is the one that says what went wrong.
		return err
	}
	return r.writeManifest(s)
}

// writeSite starts the outputs: first their parts of the site as a
// whole, then, a rendered repository after another, their parts of
// each repository, with its whole record loaded once for all of them.
// A repository's record is held until its jobs are done, so the records
// held at once are those of the repositories whose jobs are running or
// waiting for a worker.
func (r *renderer) writeSite(ctx context.Context, s *sitefs.Dir, spawn spawner) error {
	for _, o := range r.outputs {
		if o.write == nil {
			continue
		}
		if err := o.write(ctx, r, s, spawn); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
	}
	for _, rp := range r.renderedRepos() {
		full, err := r.cat.Load(ctx, rp)
		if err != nil {
			return fmt.Errorf("read repository %s: %w", rp.Name, err)
		}
		for _, o := range r.outputs {
			if o.repo == nil {
				continue
			}
			if err := o.repo(r, s, spawn, rp, full); err != nil {
				return fmt.Errorf("%s: %w", o.name, err)
			}
		}
	}
	return nil
}

// mkRepoDirs creates the directory of every rendered repository's
// pages (carried ones have theirs, see carry), once, for the outputs
// that write there.
func (r *renderer) mkRepoDirs(s *sitefs.Dir) error {
	r.repoDirs.Do(func() {
		// From the open r/, each repository's directory is one call.
		if r.dirsErr = s.Mkdir(strings.TrimSuffix(reposDir, "/")); r.dirsErr != nil {
			return
		}
		defer s.CloseDir(strings.TrimSuffix(reposDir, "/"))
		for _, rp := range r.renderedRepos() {
			if r.dirsErr = s.Mkdir(strings.TrimSuffix(repoDir(rp.Name), "/")); r.dirsErr != nil {
				return
			}
		}
	})
	return r.dirsErr
}

// execute executes the page template tmpl with data and writes the
// result to name. The templates were minified when they were loaded, so
// the page is not minified again.
func (r *renderer) execute(s *sitefs.Dir, name, tmpl string, data any) error {
	buf := r.buffer()
	defer r.bufs.Put(buf)
	if err := r.tmpl[tmpl].Execute(buf, data); err != nil {
		return fmt.Errorf("page %s: %w", name, err)
	}
	r.pages.Add(1)
	return s.Write(name, buf.Bytes())
}

func (r *renderer) buffer() *bytes.Buffer {
	if b, ok := r.bufs.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}
