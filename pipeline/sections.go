package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// Section is one registry of a run of several (Config.Sections): crawled
// into its own snapshot, SnapshotDir/<Dir>, and rendered under <Dir>/ of
// the one site.
type Section struct {
	// Dir names the section's snapshot directory and its part of the site
	// (see render.ValidateSectionDir).
	Dir string
	// Title is the section's site title; empty means "<registry> catalog".
	Title string
	// Crawl configures its crawl, as Config.Crawl does.
	Crawl *crawler.Config
}

// validateSections checks what a run of sections needs.
func (c *Config) validateSections() error {
	var errs []error
	if c.Crawl != nil {
		errs = append(errs, errors.New("sections: a run of several registries has no Crawl of its own"))
	}
	if c.Render == nil {
		errs = append(errs, errors.New("sections: no render"))
	}
	secs := make([]render.Section, len(c.Sections))
	for i, s := range c.Sections {
		secs[i] = render.Section{Dir: s.Dir, Snapshot: &snapshot.Snapshot{}}
		if s.Crawl == nil {
			errs = append(errs, fmt.Errorf("section %s: no crawl", s.Dir))
		} else if err := s.Crawl.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("section %s: %w", s.Dir, err))
		}
	}
	errs = append(errs, render.ValidateSections(secs))
	return errors.Join(errs...)
}

// runSections is Run for Config.Sections: it checks every snapshot
// directory and the site first, crawls the registries one after the
// other, renders them as one site, and then replaces each snapshot. As in
// Run, a failure before the site is swapped in replaces nothing.
// Result.Crawl sums the crawls' counts; Result.Snapshot stays nil.
func runSections(ctx context.Context, cfg Config) (Result, error) {
	var res Result
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	phase := func(p Phase) {
		if cfg.Phase != nil {
			cfg.Phase(p)
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.SnapshotDir, snapshot.IndexFile)); err == nil {
		return res, fmt.Errorf("snapshot: %s holds the snapshot of one registry; a run of several needs a directory of its own", cfg.SnapshotDir)
	}
	for _, s := range cfg.Sections {
		if err := snapshot.CheckDir(filepath.Join(cfg.SnapshotDir, s.Dir)); err != nil {
			return res, fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := render.CheckOut(cfg.Render.Out); err != nil {
		return res, fmt.Errorf("render: %w", err)
	}
	phase(PhaseCrawl)
	secs := make([]render.Section, len(cfg.Sections))
	for i, s := range cfg.Sections {
		snap, st, err := crawlSection(ctx, cfg, s, log)
		addStats(&res.Crawl, st)
		if err != nil {
			return res, fmt.Errorf("crawl %s: %w", s.Dir, err)
		}
		res.Failures += failures(snap)
		secs[i] = render.Section{Dir: s.Dir, Title: s.Title, Snapshot: snap}
	}
	phase(PhaseRender)
	rcfg := *cfg.Render
	if rcfg.Logger == nil {
		rcfg.Logger = log
	}
	st, err := render.RenderSections(ctx, rcfg, secs)
	if err != nil {
		return res, fmt.Errorf("render: %w", err)
	}
	res.Render = st
	phase(PhaseWrite)
	for _, s := range secs {
		dir := filepath.Join(cfg.SnapshotDir, s.Dir)
		if err := snapshot.Write(ctx, dir, s.Snapshot); err != nil {
			return res, fmt.Errorf("write snapshot %s: %w", s.Dir, err)
		}
	}
	if res.Failures > 0 || res.Render.Skipped > 0 {
		return res, &PartialError{Failures: res.Failures, Skipped: res.Render.Skipped, SnapshotDir: cfg.SnapshotDir}
	}
	return res, nil
}

// crawlSection crawls one section from its previous snapshot.
func crawlSection(ctx context.Context, cfg Config, s Section, log *slog.Logger) (*snapshot.Snapshot, crawler.Stats, error) {
	ccfg := *s.Crawl
	if ccfg.Logger == nil {
		ccfg.Logger = log.With("section", s.Dir)
	}
	ccfg.Progress = cfg.Progress
	if !cfg.Full {
		ccfg.Previous = previous(filepath.Join(cfg.SnapshotDir, s.Dir), ccfg.Shard, log)
	}
	snap, st, err := crawler.Crawl(ctx, ccfg)
	if err != nil {
		return nil, st, err
	}
	log.Info("crawl complete", "section", s.Dir, "registry", snap.Index.Registry,
		"repos", len(snap.Repositories), "tags", st.TagsDone, "requests", st.Requests, "failures", failures(snap),
		"elapsed", st.Elapsed.Round(time.Millisecond))
	return snap, st, nil
}

// addStats adds b's counts to a.
func addStats(a *crawler.Stats, b crawler.Stats) {
	a.Repos += b.Repos
	a.ReposDone += b.ReposDone
	a.Tags += b.Tags
	a.TagsDone += b.TagsDone
	a.Manifests += b.Manifests
	a.Configs += b.Configs
	a.Reused += b.Reused
	a.Requests += b.Requests
	a.Retries += b.Retries
	a.Failures += b.Failures
	a.Skipped += b.Skipped
	a.Truncated += b.Truncated
	a.Elapsed += b.Elapsed
}
