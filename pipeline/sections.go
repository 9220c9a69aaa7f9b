package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// Section is one registry of a run of several (Config.Sections): its
// own snapshot, SnapshotDir/<Dir>, crawled, rendered under <Dir>/ of the
// one site, or both.
type Section struct {
	// Dir names the section's snapshot directory and its part of the site
	// (see render.ValidateSectionDir).
	Dir string
	// Title is the section's site title; empty means "<registry> catalog".
	Title string
	// Crawl configures its crawl, as Config.Crawl does; nil means no
	// crawl: its snapshot on disk is rendered. Either every section of a
	// run crawls or none does.
	Crawl *crawler.Config
}

// validateSections checks what a run of sections needs.
func (c *Config) validateSections() error {
	var errs []error
	if c.Crawl != nil {
		errs = append(errs, errors.New("sections: a run of several registries has no Crawl of its own"))
	}
	crawls := 0
	secs := make([]render.Section, len(c.Sections))
	for i, s := range c.Sections {
		secs[i] = render.Section{Dir: s.Dir, Snapshot: &snapshot.Snapshot{}}
		if s.Crawl == nil {
			continue
		}
		crawls++
		if err := s.Crawl.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("section %s: %w", s.Dir, err))
		}
	}
	switch {
	case crawls != 0 && crawls != len(c.Sections):
		errs = append(errs, errors.New("sections: every section crawls or none does"))
	case crawls == 0 && c.Render == nil:
		errs = append(errs, errors.New("sections: neither a crawl nor a render"))
	}
	errs = append(errs, render.ValidateSections(secs))
	return errors.Join(errs...)
}

// runSections is Run for Config.Sections: it checks every snapshot
// directory and the site first; it crawls the registries one after the
// other, each streaming into its snapshot's writer as Run's crawl does,
// or opens their snapshots when the sections do not crawl; it renders
// them as one site when Render is set, reading each a repository at a
// time, and then replaces each crawled snapshot. As in Run, a failure before the site is swapped in
// replaces nothing (and a crawl-only run writes the snapshots only once
// every crawl has completed). Result.Crawl sums the crawls' counts;
// Result.Index stays nil.
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
	crawl := cfg.Sections[0].Crawl != nil
	if err := checkSections(cfg, crawl); err != nil {
		return res, err
	}
	if crawl {
		phase(PhaseCrawl)
	} else {
		phase(PhaseRead)
	}
	secs := make([]render.Section, len(cfg.Sections))
	// A section's crawl streams into its snapshot's writer, which the
	// render reads back and which replaces the snapshot after the site.
	writers := make([]*snapshot.Writer, len(cfg.Sections))
	indexes := make([]snapshot.Index, len(cfg.Sections))
	defer func() {
		for _, w := range writers {
			if w != nil {
				w.Abort() // a no-op once committed
			}
		}
	}()
	for i, s := range cfg.Sections {
		secs[i] = render.Section{Dir: s.Dir, Title: s.Title}
		dir := filepath.Join(cfg.SnapshotDir, s.Dir)
		if !crawl {
			src, err := snapshot.Open(dir)
			if err != nil {
				return res, fmt.Errorf("section %s: %w", s.Dir, err)
			}
			defer src.Close()
			secs[i].Snapshot = src
			continue
		}
		w, err := snapshot.Create(ctx, dir)
		if err != nil {
			return res, fmt.Errorf("snapshot: %w", err)
		}
		writers[i] = w
		idx, st, err := crawlSection(ctx, cfg, s, w, &res, log)
		addStats(&res.Crawl, st)
		if err != nil {
			return res, fmt.Errorf("crawl %s: %w", s.Dir, err)
		}
		indexes[i] = idx
		secs[i].Snapshot = w.Source(idx)
	}
	if cfg.Render != nil {
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
	}
	if crawl {
		phase(PhaseWrite)
		for i, s := range secs {
			if err := writers[i].Commit(ctx, indexes[i], nil); err != nil {
				return res, fmt.Errorf("write snapshot %s: %w", s.Dir, err)
			}
		}
	}
	if res.Failures > 0 || res.Render.Skipped > 0 {
		return res, &PartialError{Failures: res.Failures, Skipped: res.Render.Skipped, SnapshotDir: cfg.SnapshotDir}
	}
	return res, nil
}

// checkSections fails before any crawl when a snapshot directory could
// not be replaced (crawl) or the site could not replace its --out.
func checkSections(cfg Config, crawl bool) error {
	if _, err := os.Stat(filepath.Join(cfg.SnapshotDir, snapshot.IndexFile)); err == nil {
		return fmt.Errorf("snapshot: %s holds the snapshot of one registry; a run of several needs a directory of its own", cfg.SnapshotDir)
	}
	if crawl {
		for _, s := range cfg.Sections {
			if err := snapshot.CheckDir(filepath.Join(cfg.SnapshotDir, s.Dir)); err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
		}
	}
	if cfg.Render != nil {
		if err := render.CheckOut(cfg.Render.Out); err != nil {
			return fmt.Errorf("render: %w", err)
		}
	}
	return nil
}

// MergeSections joins the shards of a sharded crawl of several
// registries, each job's snapshots under a root of its own
// (root/<dir>/, as a crawl of sections with a shard writes them), into
// out/<dir>/ for each of dirs, with snapshot.ReadMerged: the shards of
// dirs[i] are root/<dirs[i]> of every root that has that directory. Every
// registry is read and merged before any is written, so that a refused
// or unreadable set of shards writes nothing; each snapshot then replaces
// its directory atomically. A directory in none of the roots wraps
// snapshot.ErrShards. The merged snapshots are returned in the order of
// dirs.
func MergeSections(ctx context.Context, out string, dirs, roots []string) ([]*snapshot.Snapshot, error) {
	if _, err := os.Stat(filepath.Join(out, snapshot.IndexFile)); err == nil {
		return nil, fmt.Errorf("snapshot: %s holds the snapshot of one registry; a merge of several needs a directory of its own", out)
	}
	for _, d := range dirs {
		if err := snapshot.CheckDir(filepath.Join(out, d)); err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
	}
	merged := make([]*snapshot.Snapshot, len(dirs))
	for i, d := range dirs {
		var shards []string
		for _, r := range roots {
			p := filepath.Join(r, d)
			if _, err := os.Stat(p); err == nil {
				shards = append(shards, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("section %s: %w", d, err)
			}
		}
		if len(shards) == 0 {
			return nil, fmt.Errorf("section %s: %w: no shard root holds %s/", d, snapshot.ErrShards, d)
		}
		s, err := snapshot.ReadMerged(ctx, shards)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", d, err)
		}
		merged[i] = s
	}
	for i, d := range dirs {
		if err := snapshot.Write(ctx, filepath.Join(out, d), merged[i]); err != nil {
			return nil, fmt.Errorf("write snapshot %s: %w", d, err)
		}
	}
	return merged, nil
}

// crawlSection crawls one section from its previous snapshot.
func crawlSection(ctx context.Context, cfg Config, s Section, w *snapshot.Writer, res *Result, log *slog.Logger) (snapshot.Index, crawler.Stats, error) {
	ccfg := *s.Crawl
	if ccfg.Logger == nil {
		ccfg.Logger = log.With("section", s.Dir)
	}
	ccfg.Progress = cfg.Progress
	if !cfg.Full {
		if prev := previous(filepath.Join(cfg.SnapshotDir, s.Dir), ccfg.Shard, log); prev != nil {
			defer prev.Close()
			ccfg.Previous = prev
		}
	}
	failed := 0
	idx, st, err := crawler.CrawlTo(ctx, ccfg, func(_ context.Context, r *snapshot.Repository) error {
		failed += len(r.Failures)
		_, err := w.Put(r)
		return err
	})
	if err != nil {
		return idx, st, err
	}
	failed += len(idx.Failures)
	res.Failures += failed
	log.Info("crawl complete", "section", s.Dir, "registry", idx.Registry,
		"repos", st.ReposDone, "tags", st.TagsDone, "requests", st.Requests, "failures", failed,
		"elapsed", st.Elapsed.Round(time.Millisecond))
	return idx, st, nil
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
