// Package pipeline owns the order of a regcat run (previous snapshot →
// crawl → render → snapshot write) and the rule for what a failed or
// cancelled run replaces: nothing.
//
// Every command that crawls or renders (crawl, render, build, demo, and
// each refresh of serve --refresh) runs the same [Run], configured by a [Config] that
// holds the crawl's and the render's own configs; a run of several
// registries ([Section]) may crawl them, render them, or both, and
// [MergeSections] joins the shards of several registries. Presentation stays with
// the caller: the pipeline reports through a logger and two hooks
// (Config.Progress and Config.Phase) and returns a [Result].
//
// A crawl streams: each repository, as the crawler completes it, is
// compared with its record in the previous snapshot (package changes) and
// written into the new snapshot's temporary directory (snapshot.Writer),
// and the previous snapshot is read one repository at a time, so that a
// run holds the repositories in flight rather than whole snapshots. The
// change set is in [Result.Changes], added to the snapshot's change log
// (pruned to Config.History runs) and written with the snapshot, and the
// site, rendered from the new snapshot before it is swapped in, shows the
// log.
//
// The new site is swapped in before the new snapshot: a run interrupted or
// failing before the end leaves the previous snapshot and site as they
// were, and a run killed between the two swaps leaves a new site beside
// the previous snapshot, both complete (the next run reuses less).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/notify"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// Config says what one run does. Crawl, Render or both must be set.
type Config struct {
	// SnapshotDir is the snapshot directory; it must be set. With Crawl,
	// the snapshot in it is the previous one (unless Full) and is replaced
	// by the new one when the run completes; it must be missing, empty or
	// hold a snapshot, which is checked before crawling. Without Crawl,
	// the snapshot in it is rendered and left alone.
	SnapshotDir string
	// Crawl configures the crawl. nil means no crawl: the snapshot in
	// SnapshotDir is rendered. Crawl.Previous is set by Run; Crawl.Logger,
	// when nil, is Logger; Crawl.Progress is replaced by Progress.
	Crawl *crawler.Config
	// Full ignores the previous snapshot for crawling: every tag is
	// fetched again. The change set is still taken against it.
	Full bool
	// History is how many runs with changes the snapshot's change log
	// keeps. Zero means changes.DefaultHistory.
	History int
	// Render configures the render. nil means no site is rendered.
	// Render.Logger, when nil, is Logger.
	Render *render.Config
	// Notify says whom to tell of the run's changes: once a crawl with a
	// non-empty change set has replaced the site and the snapshot, its
	// message (notify.FromChanges) is sent to Notify.URLs with
	// notify.Send, whose failures are logged and never fail the run.
	// Notify.Logger, when nil, is Logger. The zero value notifies nobody.
	Notify notify.Config
	// Logger receives the run's records. nil discards them.
	Logger *slog.Logger
	// Progress, when set, receives the crawl's running counts, with the
	// guarantees of crawler.Config.Progress (calls never overlap, and must
	// return quickly).
	Progress func(crawler.Stats)
	// Sections, when set, make the run one of several registries (see
	// [Section]), crawled, rendered as one site, or both: Crawl must be
	// nil, and Render set unless the sections crawl; each section's
	// snapshot is SnapshotDir/<Dir>, and Render.Title is the landing
	// page's.
	Sections []Section
	// Phase, when set, is called once as each phase of the run begins, on
	// the goroutine that called Run, before the phase logs anything. The
	// crawl's summary record ("crawl complete") belongs to the phase after
	// it, so a progress display stopped there has ended before it.
	Phase func(Phase)
}

// Phase is a stage of a run, in the order a run goes through them.
type Phase int

// The phases of a run. A run without Crawl starts at PhaseRead; without
// Render it skips PhaseRender; without Crawl it skips PhaseWrite.
const (
	// PhaseCrawl reads the previous snapshot and crawls the registry.
	PhaseCrawl Phase = iota + 1
	// PhaseRead reads the snapshot to render (runs without Crawl).
	PhaseRead
	// PhaseRender renders the site and swaps it in.
	PhaseRender
	// PhaseWrite writes the new snapshot and swaps it in.
	PhaseWrite
)

func (p Phase) String() string {
	switch p {
	case PhaseCrawl:
		return "crawl"
	case PhaseRead:
		return "read"
	case PhaseRender:
		return "render"
	case PhaseWrite:
		return "write"
	}
	return "Phase(" + strconv.Itoa(int(p)) + ")"
}

// Validate reports every impossible value in c, using the crawl's and the
// render's own Validate: a caller reports its error as a usage error.
func (c *Config) Validate() error {
	var errs []error
	if c.SnapshotDir == "" {
		errs = append(errs, errors.New("snapshot directory: not set"))
	}
	if c.History < 0 {
		errs = append(errs, fmt.Errorf("history: %d runs is negative", c.History))
	}
	if c.Crawl == nil && c.Render == nil && len(c.Sections) == 0 {
		errs = append(errs, errors.New("neither a crawl nor a render to run"))
	}
	if len(c.Sections) > 0 {
		errs = append(errs, c.validateSections())
	}
	if c.Crawl != nil {
		if err := c.Crawl.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Render != nil {
		if err := c.Render.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.Notify.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Result is what a run did. Run returns it, filled as far as the run got,
// with every error.
type Result struct {
	// Index is the index of the crawled snapshot (its Repositories
	// summarise every repository), or of the one read to render; nil
	// when the run failed before having one.
	Index *snapshot.Index
	// Crawl is the crawl's counts; zero without Crawl.
	Crawl crawler.Stats
	// Render is the render's counts; zero without Render or when the
	// render failed.
	Render render.Stats
	// Failures is the number of failure records in the snapshot (the
	// index's and every repository's).
	Failures int
	// Changes is what the crawl changed since the previous snapshot
	// (empty when nothing did); nil without Crawl, or when there was no
	// previous snapshot of the same registry to compare with.
	Changes *changes.Set
	// Notified counts the notifications of the run's changes.
	Notified notify.Stats
}

// PartialError is the error of a run that completed, replaced the snapshot
// and site, and yet has something to report: failures recorded in the
// snapshot, or names left out of the site. Any other error from Run means
// nothing was replaced.
type PartialError struct {
	// Failures is the number of failure records in the snapshot. Without
	// Crawl (a render of a snapshot on disk) it is 0: the failures are the
	// snapshot's, not the run's.
	Failures int
	// Skipped is the number of repositories, tags and digests the render
	// left out because their names are invalid or collide.
	Skipped int
	// SnapshotDir is where the failures are recorded.
	SnapshotDir string
}

func (e *PartialError) Error() string {
	var parts []string
	if e.Failures > 0 {
		parts = append(parts, fmt.Sprintf("crawl: %s recorded in %s", count(e.Failures, "failure", "failures"), e.SnapshotDir))
	}
	if e.Skipped > 0 {
		parts = append(parts, count(e.Skipped, "invalid name was", "invalid names were")+" left out of the site")
	}
	if len(parts) == 0 {
		return "completed with nothing to report"
	}
	return strings.Join(parts, "; ")
}

// Run runs cfg: with Crawl, it reads the previous snapshot in
// cfg.SnapshotDir (unless cfg.Full; an unreadable one is logged and the
// crawl is full), crawls, renders the new snapshot when cfg.Render is set,
// and then replaces the snapshot; without Crawl it reads the snapshot and
// renders it. ctx reaches every phase: once it is done, Run returns its
// error within the time a phase takes to notice, with nothing replaced
// unless the site was already swapped in (PhaseWrite had begun).
//
// A run that completed with recorded failures or skipped names returns a
// *PartialError; any other error means nothing was replaced.
func Run(ctx context.Context, cfg Config) (Result, error) {
	var res Result
	if err := cfg.Validate(); err != nil {
		return res, err
	}
	if len(cfg.Sections) > 0 {
		return runSections(ctx, cfg)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var current Phase
	begin := func(p Phase) { // announces p once
		if p != current && cfg.Phase != nil {
			cfg.Phase(p)
		}
		current = p
	}

	var (
		hist *changes.Log
		src  snapshot.Source
		w    *snapshot.Writer
		idx  snapshot.Index
	)
	if cfg.Crawl == nil {
		begin(PhaseRead)
		d, err := snapshot.Open(cfg.SnapshotDir)
		if err != nil {
			return res, err
		}
		defer d.Close()
		src, res.Index = d, d.Head()
		hist = history(cfg.SnapshotDir, log)
	} else {
		// Fail now, not after an hour of crawling, when the new snapshot
		// could not replace the directory, or the site its --out.
		var err error
		if w, err = snapshot.Create(ctx, cfg.SnapshotDir); err != nil {
			return res, fmt.Errorf("snapshot: %w", err)
		}
		defer w.Abort() // a no-op once committed
		if cfg.Render != nil {
			if err := render.CheckOut(cfg.Render.Out); err != nil {
				return res, fmt.Errorf("render: %w", err)
			}
		}
		begin(PhaseCrawl)
		hist = history(cfg.SnapshotDir, log)
		if idx, err = crawl(ctx, cfg, w, hist, &res, log); err != nil {
			return res, err
		}
		src = w.Source(idx)
		res.Index = src.Head()
		// The next phase begins before the crawl's summary is logged, so
		// that a progress display has ended when the summary comes.
		if cfg.Render != nil {
			begin(PhaseRender)
		} else {
			begin(PhaseWrite)
		}
		st := res.Crawl
		log.Info("crawl complete",
			"repos", src.Len(), "tags", st.TagsDone, "manifests", st.Manifests, "configs", st.Configs,
			"reused", st.Reused, "requests", st.Requests, "retries", st.Retries, "failures", res.Failures,
			"skipped", st.Skipped, "truncated", st.Truncated, "elapsed", st.Elapsed.Round(time.Millisecond))
	}

	if cfg.Render != nil {
		begin(PhaseRender)
		rcfg := *cfg.Render
		rcfg.History = hist
		if rcfg.Logger == nil {
			rcfg.Logger = log
		}
		st, err := render.Render(ctx, rcfg, src)
		if err != nil {
			return res, fmt.Errorf("render: %w", err)
		}
		res.Render = st
	}

	if cfg.Crawl != nil {
		begin(PhaseWrite)
		files, err := hist.Files()
		if err != nil {
			return res, fmt.Errorf("write snapshot: %w", err)
		}
		if err := w.Commit(ctx, idx, files); err != nil {
			return res, fmt.Errorf("write snapshot: %w", err)
		}
		log.Debug("snapshot written", "snapshot", cfg.SnapshotDir)
		res.Notified = sendNotifications(ctx, cfg.Notify, res.Changes, log)
	}

	if res.Failures > 0 || res.Render.Skipped > 0 {
		return res, &PartialError{Failures: res.Failures, Skipped: res.Render.Skipped, SnapshotDir: cfg.SnapshotDir}
	}
	return res, nil
}

// crawl crawls cfg.Crawl from the previous snapshot in cfg.SnapshotDir
// (unless cfg.Full) into w, one repository at a time, taking the change
// set against the previous snapshot as it goes into res.Changes and
// hist, and returns the new snapshot's index (without its
// repositories). res gets the crawl's counts and failures.
func crawl(ctx context.Context, cfg Config, w *snapshot.Writer, hist *changes.Log, res *Result, log *slog.Logger) (snapshot.Index, error) {
	ccfg := *cfg.Crawl
	if ccfg.Logger == nil {
		ccfg.Logger = log
	}
	ccfg.Progress = cfg.Progress
	var (
		differ *changes.Differ
		h      *handoff
	)
	if prev := previous(cfg.SnapshotDir, ccfg.Shard, log); prev != nil {
		defer prev.Close()
		src := snapshot.Source(prev)
		if !cfg.Full {
			// The crawler reads each previous repository first, and
			// the Differ takes what it read.
			h = newHandoff(prev)
			ccfg.Previous, src = h.give(), h.take()
		}
		if differ = newDiffer(ctx, ccfg, src, log); differ == nil {
			h.stop()
		}
	}
	idx, st, err := crawler.CrawlTo(ctx, ccfg, func(ctx context.Context, r *snapshot.Repository) error {
		res.Failures += len(r.Failures)
		if differ != nil {
			if err := differ.Add(ctx, r); err != nil {
				if ctx.Err() != nil {
					return err
				}
				log.Warn("previous snapshot unreadable; no change set", "error", err)
				differ = nil
				h.stop()
			}
		}
		_, err := w.Put(r)
		return err
	})
	res.Crawl = st
	if err != nil {
		return idx, fmt.Errorf("crawl: %w", err)
	}
	res.Failures += len(idx.Failures)
	if differ == nil {
		return idx, nil
	}
	if res.Changes, err = differ.Finish(ctx, &idx); err != nil {
		if ctx.Err() != nil {
			return idx, err
		}
		log.Warn("previous snapshot unreadable; no change set", "error", err)
		return idx, nil
	}
	if err := hist.Add(res.Changes, cfg.History); err != nil {
		// A clock that went back: the log keeps its order.
		log.Warn("change set left out of the history", "error", err)
	}
	return idx, nil
}

// newDiffer returns the Differ of the crawl ccfg against prev, or nil
// when prev is of another registry,
// which is no baseline (everything would be "new"), or its names cannot
// be read (logged).
func newDiffer(ctx context.Context, ccfg crawler.Config, prev snapshot.Source, log *slog.Logger) *changes.Differ {
	// Validate checked the address: a crawl of it records this host.
	host, _ := ccfg.Host()
	if r := prev.Head().Registry; r != host {
		log.Warn("previous snapshot is of another registry; no change set", "previous", r, "registry", host)
		return nil
	}
	d, err := changes.NewDiffer(ctx, prev)
	if err != nil {
		log.Warn("previous snapshot unreadable; no change set", "error", err)
		return nil
	}
	return d
}

// sendNotifications tells cfg's URLs of set, unless it is empty.
func sendNotifications(ctx context.Context, cfg notify.Config, set *changes.Set, log *slog.Logger) notify.Stats {
	m := notify.FromChanges(set)
	if m == nil || len(cfg.URLs) == 0 {
		return notify.Stats{}
	}
	if cfg.Logger == nil {
		cfg.Logger = log
	}
	return notify.Send(ctx, cfg, m)
}

// previous returns the snapshot in dir to crawl incrementally from and
// compare with, opened to be read one repository at a time, or nil: when
// there is none, or when its index cannot be read (logged: a damaged
// snapshot must not stop the crawl that replaces it; a damaged
// repository file is the crawler's and the Differ's to log). With a
// shard, only the repositories of the shard are in it: dir may hold the
// same shard of the last crawl, or a whole or merged snapshot.
func previous(dir string, shard *snapshot.Shard, log *slog.Logger) *snapshot.Dir {
	var keep func(string) bool
	if shard != nil {
		keep = shard.Contains
	}
	prev, err := snapshot.OpenPart(dir, keep)
	switch {
	case err == nil:
		log.Debug("previous snapshot", "dir", dir, "repos", prev.Len())
		return prev
	case errors.Is(err, fs.ErrNotExist):
	default:
		log.Warn("previous snapshot unreadable; crawling in full", "dir", dir, "error", err)
	}
	return nil
}

// history returns the change log kept with the snapshot in dir; an
// unreadable one is logged and the history starts again (a damaged log
// must not stop the run, nor keep the site from rendering).
func history(dir string, log *slog.Logger) *changes.Log {
	h, err := changes.ReadLog(dir)
	if err != nil {
		log.Warn("change log unreadable; the history starts again", "dir", dir, "error", err)
		return &changes.Log{}
	}
	return h
}

// count writes n with the singular or plural words that follow it.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
