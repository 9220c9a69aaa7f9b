package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/regcat/regcat/pipeline"
)

// runPipeline checks cfg (an invalid one is a usage error), runs it with
// the progress display and the logger of e, and prints the render's
// summary. Its error is pipeline.Run's.
func runPipeline(ctx context.Context, e *env, cfg pipeline.Config) error {
	if err := cfg.Validate(); err != nil {
		return &usageError{err}
	}
	log := e.logger()
	cfg.Logger = log
	if cfg.Crawl != nil {
		p := newProgress(e, log)
		defer p.stop()
		cfg.Logger = slog.New(p.wrapHandler(log.Handler()))
		cfg.Progress = p.update
		cfg.Phase = func(ph pipeline.Phase) {
			if ph != pipeline.PhaseCrawl {
				p.stop()
			}
		}
	}
	res, err := pipeline.Run(ctx, cfg)
	var pe *pipeline.PartialError
	if err != nil && !errors.As(err, &pe) {
		return err
	}
	if cfg.Render != nil && !e.quiet {
		st := res.Render
		fmt.Fprintf(e.stderr, "rendered %d pages (%d files, %.1f MB, %d unchanged) to %s\n", st.Pages, st.Files, float64(st.Bytes)/1e6, st.Unchanged, cfg.Render.Out)
	}
	return err
}
