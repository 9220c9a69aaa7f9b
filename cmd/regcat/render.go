package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/render/badge"
)

// renderFlags are the flags of render and build that configure the site.
type renderFlags struct {
	out, baseURL, title, templates string
	badgeStyle, badgeTag           string
	showEnv                        bool
	site                           siteFlags
}

// siteFlags are the flags of the site's size, shared by render, build and
// demo.
type siteFlags struct {
	tagBadges string
	pageSize  int
}

// register adds the flags to fs.
func (f *siteFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.tagBadges, "tag-badges", string(render.TagBadgesDefault), "which tags get badges of their own: all, default (the --badge-tag tag, latest, stable and version aliases such as 1, 1.2, 1.2-alpine; not full releases such as 1.2.3) or none; repository badges are always written")
	fs.IntVar(&f.pageSize, "page-size", render.DefaultPageSize, "tag rows per repository page; longer histories get numbered pages (0: the default)")
}

// apply sets the render config's fields of the flags, or returns a usage
// error for an unknown --tag-badges; zero flags mean the defaults.
func (f *siteFlags) apply(cfg *render.Config) error {
	cfg.PageSize = f.pageSize
	if f.tagBadges == "" {
		return nil
	}
	p, err := render.ParseTagBadges(f.tagBadges)
	if err != nil {
		return &usageError{err}
	}
	cfg.TagBadges = p
	return nil
}

// register adds the flags to fs.
func (f *renderFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.out, "out", "o", "site", "site `directory` (replaced as a whole; must be empty, missing or a regcat site)")
	fs.StringVar(&f.baseURL, "base-url", "", "absolute `URL` the site is published at, for canonical links and sitemap.xml")
	fs.StringVar(&f.title, "title", "", "site title (default \"<registry> catalog\")")
	fs.StringVar(&f.templates, "templates", "", "`directory` of *.html templates overriding the embedded ones by name")
	fs.StringVar(&f.badgeStyle, "badge-style", "flat", "look of the SVG badges: flat or flat-square")
	fs.StringVar(&f.badgeTag, "badge-tag", render.DefaultBadgeTag, "`tag` a repository's own badges follow when it has it (else its newest tagged image)")
	fs.BoolVar(&f.showEnv, "show-env", false, "publish image environment variables and build arguments (they often hold secrets)")
	f.site.register(fs)
}

// config returns the render configuration the flags describe, or a usage
// error for an unknown --badge-style; the values themselves are checked by
// render.Config.Validate (see runPipeline).
func (f *renderFlags) config() (render.Config, error) {
	cfg := render.Config{
		Out:          f.out,
		BaseURL:      f.baseURL,
		Title:        f.title,
		TemplatesDir: f.templates,
		ShowEnv:      f.showEnv,
		BadgeTag:     f.badgeTag,
	}
	style, err := badge.ParseStyle(f.badgeStyle)
	if err != nil {
		return cfg, &usageError{err}
	}
	cfg.BadgeStyle = style
	if err := f.site.apply(&cfg); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func newRenderCmd(e *env) *cobra.Command {
	var (
		f          renderFlags
		configFile string
	)
	snapDir := "snapshot"
	cmd := &cobra.Command{
		Use:   "render [--config FILE] [--snapshot DIR] [--out DIR]",
		Short: "Render a snapshot as a static HTML catalog site",
		Long: `render turns a snapshot directory into a static site: an index of
repositories, a page per repository with its tag history, a page per image,
a failures page, 404.html, the snapshot JSON under api/, and sitemap.xml
when --base-url is set. It reads only the snapshot and never the network.

The site is built beside --out and swapped in when complete: a failed render
leaves the previous site. Unchanged files keep their modification time.

With --config FILE (the file of build --config), it renders the snapshots
DIR/<dir> of the file's registries, as crawl --config or merge --config
wrote them, as one site, as build --config does without crawling.`,
		Example: `  regcat render
  regcat render --snapshot snap --out public --base-url https://example.github.io/catalog/
  regcat render --config regcat.yaml --snapshot snapshot --out public`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile != "" {
				return renderSections(cmd, e, configFile, &f, snapDir)
			}
			cfg, err := f.config()
			if err != nil {
				return err
			}
			return runPipeline(cmd.Context(), e, pipeline.Config{SnapshotDir: snapDir, Render: &cfg})
		},
	}
	cmd.Flags().StringVarP(&snapDir, "snapshot", "s", snapDir, "snapshot `directory` to render")
	cmd.Flags().StringVar(&configFile, "config", "", "render the snapshots --snapshot/<dir> of the registries listed in this YAML `FILE` as one site (see examples/regcat.yaml)")
	f.register(cmd.Flags())
	return cmd
}
