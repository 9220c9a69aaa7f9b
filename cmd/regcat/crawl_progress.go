package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/regcat/regcat/crawler"
)

// Progress refresh intervals: a terminal line is redrawn often, a log line
// (stderr not a terminal) is written rarely.
const (
	ttyInterval = 100 * time.Millisecond
	logInterval = 5 * time.Second
)

// progress shows a crawl's running counts: a line redrawn in place when
// stderr is a terminal, else an occasional log record. Under --quiet it
// shows nothing.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	log     *slog.Logger
	tty     bool
	quiet   bool
	line    string
	last    time.Time
	stopped bool
}

func newProgress(e *env, log *slog.Logger) *progress {
	return &progress{w: e.stderr, log: log, tty: !e.quiet && isTerminal(e.stderr), quiet: e.quiet, last: time.Now()}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// update receives the crawler's counts (calls never overlap).
func (p *progress) update(s crawler.Stats) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.stopped {
		return
	}
	if p.tty {
		if now.Sub(p.last) < ttyInterval {
			return
		}
		p.last = now
		p.clear()
		p.line = progressLine(s)
		fmt.Fprint(p.w, p.line)
		return
	}
	if now.Sub(p.last) < logInterval {
		return
	}
	p.last = now
	p.log.Info("progress", "repos", s.ReposDone, "reposTotal", s.Repos, "tags", s.TagsDone, "tagsTotal", s.Tags,
		"requests", s.Requests, "retries", s.Retries, "failures", s.Failures)
}

// progressLine formats the terminal line.
func progressLine(s crawler.Stats) string {
	rate := 0.0
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = float64(s.TagsDone) / secs
	}
	return fmt.Sprintf("repos %d/%d  tags %d/%d  requests %d  retries %d  failures %d  %.1f tags/s",
		s.ReposDone, s.Repos, s.TagsDone, s.Tags, s.Requests, s.Retries, s.Failures, rate)
}

// clear erases the drawn line; p.mu is held.
func (p *progress) clear() {
	if p.line != "" {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.line = ""
	}
}

// stop erases the line for good. It may be called more than once.
func (p *progress) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.stopped = true
}

// wrapHandler returns h, made to erase and redraw the progress line around
// each record when the line is on a terminal.
func (p *progress) wrapHandler(h slog.Handler) slog.Handler {
	if !p.tty {
		return h
	}
	return &lineHandler{Handler: h, p: p}
}

// lineHandler keeps log records and the progress line apart on a terminal.
type lineHandler struct {
	slog.Handler
	p *progress
}

func (h *lineHandler) Handle(ctx context.Context, r slog.Record) error {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	line := h.p.line
	h.p.clear()
	err := h.Handler.Handle(ctx, r)
	if line != "" && !h.p.stopped {
		h.p.line = line
		fmt.Fprint(h.p.w, line)
	}
	return err
}

func (h *lineHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &lineHandler{Handler: h.Handler.WithAttrs(as), p: h.p}
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	return &lineHandler{Handler: h.Handler.WithGroup(name), p: h.p}
}
