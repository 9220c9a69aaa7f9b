package render

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/regcat/regcat/internal/sitefs"
	"github.com/regcat/regcat/snapshot"
)

// Section is one registry of a site that lists several (see
// [RenderSections]).
type Section struct {
	// Dir is the section's directory at the top of the site: 1 to 63
	// lower-case letters, digits, ".", "_" or "-", starting with a letter
	// or digit, and neither "assets" nor "api", which the landing page
	// uses.
	Dir string
	// Title is the section's site title; empty means "<registry> catalog".
	Title string
	// Snapshot is what the section shows, read a repository at a time.
	Snapshot snapshot.Source
}

// DefaultSectionsTitle is the landing page's title when Config.Title is
// empty.
const DefaultSectionsTitle = "Registry catalog"

// landingHTML is the landing page of a site of several registries. It is
// not one of outputs: only RenderSections writes it.
var landingHTML = page{template: "registries.html", path: fixed(indexPage)}

var sectionDir = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ValidateSectionDir reports a Section.Dir that cannot be one.
func ValidateSectionDir(dir string) error {
	if !sectionDir.MatchString(dir) || dir == "assets" || dir == "api" {
		return fmt.Errorf("directory %q: want 1-63 of a-z 0-9 . _ - starting with a letter or digit, not assets or api", snapshot.Truncate(dir, 80))
	}
	return nil
}

// ValidateSections reports sections that cannot share a site: an invalid
// or reserved Dir, two with the same Dir, a nil snapshot, or none at all.
func ValidateSections(secs []Section) error {
	if len(secs) == 0 {
		return errors.New("sections: none")
	}
	var errs []error
	seen := map[string]bool{}
	for _, s := range secs {
		if err := ValidateSectionDir(s.Dir); err != nil {
			errs = append(errs, fmt.Errorf("section: %w", err))
			continue
		}
		switch {
		case seen[s.Dir]:
			errs = append(errs, fmt.Errorf("section %q: directory used twice", s.Dir))
		case s.Snapshot == nil:
			errs = append(errs, fmt.Errorf("section %q: no snapshot", s.Dir))
		}
		seen[s.Dir] = true
	}
	return errors.Join(errs...)
}

// RenderSections writes one site for several snapshots: each section's
// site as [Render] writes it, under the section's Dir (its pages also
// link back to the landing page), and at the top a landing page
// (index.html) listing the sections with their counts, api/index.json
// (the same list as JSON), 404.html, the static files and, with a base
// URL, sitemap.xml: a sitemap index of the sections' sitemaps. cfg.Title is the landing
// page's title (empty means [DefaultSectionsTitle]); each section's own
// title is Section.Title. With cfg.BaseURL, a section's base URL is
// BaseURL + Dir + "/", and its sitemap is Dir/sitemap.xml. As with
// Render, the new site replaces cfg.Out only when complete.
func RenderSections(ctx context.Context, cfg Config, secs []Section) (Stats, error) {
	if err := cfg.Validate(); err != nil {
		return Stats{}, err
	}
	if err := ValidateSections(secs); err != nil {
		return Stats{}, err
	}
	log := cfg.logger()
	tmpl, tmplSum, err := loadTemplates(cfg.TemplatesDir, log)
	if err != nil {
		return Stats{}, err
	}
	title := oneLine(cfg.Title)
	if title == "" {
		title = DefaultSectionsTitle
	}
	rs := make([]*renderer, len(secs))
	skipped := 0
	for i, sec := range secs {
		scfg := cfg
		scfg.Title = sec.Title
		if base, _ := parseBaseURL(cfg.BaseURL); base != "" {
			scfg.BaseURL = base + sec.Dir + "/"
		}
		rs[i] = newRenderer(scfg, tmpl, tmplSum)
		if err := rs[i].read(ctx, sec.Snapshot, nil); err != nil {
			return Stats{}, err
		}
		skipped += rs[i].cat.Skipped
		rs[i].up = title
	}
	s, err := openSite(cfg.out())
	if err != nil {
		return Stats{}, err
	}
	defer s.Abort() // a no-op once committed
	pages, carried := 0, 0
	for i, r := range rs {
		sub, err := s.Sub(secs[i].Dir)
		if err != nil {
			return Stats{}, err
		}
		if err := r.run(ctx, sub); err != nil {
			return Stats{}, fmt.Errorf("section %s: %w", secs[i].Dir, err)
		}
		pages += int(r.pages.Load())
		carried += len(r.carried)
	}
	base, _ := parseBaseURL(cfg.BaseURL)
	if err := writeLanding(ctx, s, title, base, secs, rs); err != nil {
		return Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	fst := s.Stats()
	st := Stats{Pages: pages + 2, Files: fst.Files, Unchanged: fst.Unchanged, Bytes: fst.Bytes, Skipped: skipped, Carried: carried}
	if err := s.Commit(); err != nil {
		return Stats{}, err
	}
	log.Info("rendered site", "out", cfg.out(), "sections", len(secs), "pages", st.Pages, "files", st.Files, "unchanged", st.Unchanged, "carried", st.Carried, "bytes", st.Bytes, "skipped", st.Skipped)
	return st, nil
}

// RegistriesPage is the data of registries.html, the landing page of a
// site of several registries.
type RegistriesPage struct {
	Page
	Repos, Tags, Images int
	Registries          []RegistryRow
}

// RegistryRow is one registry on the landing page. Href leads to its
// site's index; Title is its site title.
type RegistryRow struct {
	Dir, Title, Href, Registry string
	Repos, Tags, Images        int
	Failures                   int
	CrawledAt                  Time
}

// registryEntry is one registry in the landing page's api/index.json.
type registryEntry struct {
	Dir          string    `json:"dir"`
	Title        string    `json:"title"`
	Registry     string    `json:"registry"`
	Path         string    `json:"path"`
	Repositories int       `json:"repositories"`
	Tags         int       `json:"tags"`
	Images       int       `json:"images"`
	Failures     int       `json:"failures,omitempty"`
	CrawledAt    time.Time `json:"crawledAt,omitzero"`
}

// writeLanding writes the top of a site of sections: the static files,
// index.html and api/index.json, with the first section's templates and
// minifier. base is the site's base URL, or "".
func writeLanding(ctx context.Context, s *sitefs.Dir, title, base string, secs []Section, rs []*renderer) error {
	r := rs[0]
	if err := staticOutput.write(ctx, r, s, nil); err != nil {
		return err
	}
	d := &RegistriesPage{Page: Page{Site: title, Landing: true}}
	entries := make([]registryEntry, 0, len(secs))
	for i, sec := range secs {
		row := RegistryRow{Dir: sec.Dir, Title: rs[i].common.Site, Href: sec.Dir + "/" + indexPage, Registry: rs[i].common.Registry,
			Failures: rs[i].common.Failures, CrawledAt: rs[i].common.CrawledAt}
		for _, rp := range rs[i].cat.Repos {
			row.Repos++
			row.Tags += rp.Tags
			row.Images += len(rp.Images)
		}
		d.Repos += row.Repos
		d.Tags += row.Tags
		d.Images += row.Images
		d.Registries = append(d.Registries, row)
		entries = append(entries, registryEntry{Dir: sec.Dir, Title: row.Title, Registry: row.Registry, Path: sec.Dir + "/",
			Repositories: row.Repos, Tags: row.Tags, Images: row.Images, Failures: row.Failures, CrawledAt: sec.Snapshot.Head().CrawledAt.UTC()})
	}
	slices.SortFunc(d.Registries, func(a, b RegistryRow) int { return strings.Compare(a.Dir, b.Dir) })
	slices.SortFunc(entries, func(a, b registryEntry) int { return strings.Compare(a.Dir, b.Dir) })
	d.Canonical = base
	if err := r.execute(s, landingHTML.path(subject{}), landingHTML.template, d); err != nil {
		return err
	}
	// Hosts serve the top's 404.html for any missing path (GitHub Pages):
	// its links are absolute with a base URL, as a section's are.
	if err := r.execute(s, notFoundPage, notFoundHTML.template, &NotFoundPage{Page: Page{Title: "Not found", Site: title, Root: base, Landing: true}}); err != nil {
		return err
	}
	if base != "" {
		maps := make([]string, len(secs))
		for i, sec := range secs {
			maps[i] = base + sec.Dir + "/" + sitemap
		}
		if err := r.xml(s, sitemap, sitemapIndex(maps)); err != nil {
			return err
		}
	}
	if err := s.Mkdir("api"); err != nil {
		return err
	}
	b, err := snapshot.Marshal(struct {
		Title      string          `json:"title"`
		Registries []registryEntry `json:"registries"`
	}{title, entries})
	if err != nil {
		return err
	}
	return s.Write(apiDir+snapshot.IndexFile, b)
}
