package refresh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/snapshot"
)

// Defaults applied to zero fields of [Config].
const (
	// DefaultDebounce is how long a refresh waits after the first request
	// that found the queue empty, so that the events of one push (its
	// blobs, then its manifests and tags) make one refresh.
	DefaultDebounce = 2 * time.Second
	// DefaultPublishTimeout bounds one run of Config.OnPublish.
	DefaultPublishTimeout = 10 * time.Minute
)

// maxErrorText caps the error text a report keeps, in runes.
const maxErrorText = 1000

// MaxQueued caps the repositories the queue names: one more turns the
// next refresh into a refresh of the whole registry, which costs no more.
const MaxQueued = 10000

// Config says how a [Refresher] refreshes.
type Config struct {
	// Run is the pipeline run of a refresh of the whole registry: its
	// SnapshotDir, Crawl and Render must be set, and Full must not be (a
	// refresh builds on the previous snapshot). A refresh of named
	// repositories runs it with Crawl.Only set to them.
	Run pipeline.Config
	// Token is the secret a hook request must present (see
	// [Refresher.ServeHTTP]); it must be set.
	Token string
	// Debounce is how long a refresh waits after the first request that
	// found the queue empty. 0 means DefaultDebounce; negative is invalid.
	Debounce time.Duration
	// OnPublish, when set, is a command run with "sh -c" after each
	// successful refresh (one that replaced the site and snapshot, with or
	// without recorded failures), in the current directory, with the
	// environment of the process plus REGCAT_SITE, REGCAT_SNAPSHOT and
	// REGCAT_REPOSITORIES (the names refreshed, space-separated; empty for
	// the whole registry). Its exit status is logged and reported; a
	// failure changes nothing else.
	OnPublish string
	// PublishTimeout bounds one run of OnPublish: it is sent SIGTERM then,
	// and killed 5 s later. 0 means DefaultPublishTimeout.
	PublishTimeout time.Duration
	// Output receives the standard output and error of OnPublish. nil
	// discards them.
	Output io.Writer
	// Logger receives the refresher's records; Run.Logger, when nil, is
	// set to it. nil discards them.
	Logger *slog.Logger
}

// Validate reports every impossible value in c.
func (c *Config) Validate() error {
	var errs []error
	if c.Run.Crawl == nil || c.Run.Render == nil {
		errs = append(errs, errors.New("refresh: the run must crawl and render"))
	}
	if c.Run.Full {
		errs = append(errs, errors.New("refresh: a refresh builds on the previous snapshot; it cannot be full"))
	}
	if err := c.Run.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Token == "" {
		errs = append(errs, errors.New("refresh: no hook token"))
	}
	if c.Debounce < 0 {
		errs = append(errs, fmt.Errorf("refresh: debounce %s is negative", c.Debounce))
	}
	if c.PublishTimeout < 0 {
		errs = append(errs, fmt.Errorf("refresh: publish timeout %s is negative", c.PublishTimeout))
	}
	return errors.Join(errs...)
}

// Refresher queues refresh requests and runs them, one at a time. Its
// methods are safe for concurrent use.
type Refresher struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{} // a token when the queue gained something

	mu        sync.Mutex
	queue     batch
	running   *Batch
	last      *Report
	refreshes int
	failed    int
}

// batch is what the queue or a refresh holds: the whole registry, or
// named repositories.
type batch struct {
	all   bool
	repos map[string]bool
	since time.Time
}

func (b *batch) empty() bool { return !b.all && len(b.repos) == 0 }

// add merges a request into b; no names mean the whole registry.
func (b *batch) add(names []string, now time.Time) {
	if b.empty() {
		b.since = now
	}
	if len(names) == 0 {
		b.all, b.repos = true, nil
		return
	}
	if b.all {
		return
	}
	if b.repos == nil {
		b.repos = map[string]bool{}
	}
	for _, n := range names {
		b.repos[n] = true
	}
	if len(b.repos) > MaxQueued {
		b.all, b.repos = true, nil
	}
}

// public is the JSON form of b.
func (b *batch) public() Batch {
	return Batch{Since: utc(b.since), All: b.all, Repositories: nonNil(slices.Sorted(maps.Keys(b.repos)))}
}

// utc is t in UTC, or the zero time.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// Batch is a set of refresh requests: the whole registry, or named
// repositories (sorted).
type Batch struct {
	// Since is when the first of its requests arrived; zero when empty.
	Since        time.Time `json:"since,omitzero"`
	All          bool      `json:"all"`
	Repositories []string  `json:"repositories"`
}

// Report is the outcome of one refresh.
type Report struct {
	Batch
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Result is "ok", "partial" (the site and snapshot were replaced, with
	// failures recorded or names left out) or "failed" (nothing was
	// replaced).
	Result string `json:"result"`
	// Error is the run's error, for "partial" and "failed".
	Error string `json:"error,omitempty"`
	// Repos, Requests and Reused are the crawl's counts: repositories
	// crawled, requests made, tags reused after a HEAD.
	Repos    int `json:"repos"`
	Requests int `json:"requests"`
	Reused   int `json:"reused"`
	// Changes is the one-line summary of the refresh's change set, "no
	// changes" when nothing changed; absent when there was no previous
	// snapshot to compare with, or the refresh failed.
	Changes string `json:"changes,omitempty"`
	// Notified and NotifyFailed count the notification URLs told of the
	// changes, and those that could not be.
	Notified     int `json:"notified"`
	NotifyFailed int `json:"notifyFailed"`
	// Publish is the exit status of Config.OnPublish: "" when it did not
	// run, "ok", or its error.
	Publish string `json:"publish,omitempty"`
}

// Status is what GET /-/hooks/status answers.
type Status struct {
	// Running is the refresh in progress, if any.
	Running *Batch `json:"running,omitempty"`
	// Queue is what the next refresh will do.
	Queue Batch `json:"queue"`
	// Last is the last refresh that ended, if any.
	Last *Report `json:"last,omitempty"`
	// Refreshes and Failed count the refreshes that ended, and those of
	// them that failed.
	Refreshes int `json:"refreshes"`
	Failed    int `json:"failed"`
}

// New returns a Refresher for cfg, or cfg's Validate error.
func New(cfg Config) (*Refresher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = DefaultDebounce
	}
	if cfg.PublishTimeout == 0 {
		cfg.PublishTimeout = DefaultPublishTimeout
	}
	if cfg.Output == nil {
		cfg.Output = io.Discard
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Run.Logger == nil {
		cfg.Run.Logger = log
	}
	return &Refresher{cfg: cfg, log: log, wake: make(chan struct{}, 1)}, nil
}

// Request queues a refresh of the named repositories, or of the whole
// registry when names is empty. The names must be valid repository names
// (snapshot.ValidateRepoName): invalid ones are an error and nothing is
// queued.
func (r *Refresher) Request(names []string) error {
	for _, n := range names {
		if err := snapshot.ValidateRepoName(n); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.queue.add(names, time.Now()) // monotonic, for the debounce
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
	return nil
}

// Status returns the refresher's state.
func (r *Refresher) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Status{Queue: r.queue.public(), Refreshes: r.refreshes, Failed: r.failed}
	if r.running != nil {
		b := *r.running
		s.Running = &b
	}
	if r.last != nil {
		l := *r.last
		s.Last = &l
	}
	return s
}

// Run refreshes what is queued, one refresh at a time, until ctx is done;
// a refresh in progress then stops as pipeline.Run does, replacing
// nothing. It returns nil once ctx is done: a refresh's failure is
// reported (Status, the log) and never ends Run.
func (r *Refresher) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		}
		t := time.NewTimer(r.untilDue())
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		b, ok := r.take()
		if !ok {
			continue
		}
		rep := r.refresh(ctx, b)
		if ctx.Err() != nil {
			return nil
		}
		r.finish(rep)
	}
}

// untilDue is how long the queue's debounce window has left: it began
// with the request that found the queue empty.
func (r *Refresher) untilDue() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.queue.empty() {
		return 0
	}
	return max(0, r.cfg.Debounce-time.Since(r.queue.since))
}

// take moves the queue to the running refresh.
func (r *Refresher) take() (Batch, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.queue.empty() {
		return Batch{}, false
	}
	b := r.queue.public()
	r.queue = batch{}
	r.running = &b
	return b, true
}

// finish records rep as the last refresh.
func (r *Refresher) finish(rep *Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running = nil
	r.last = rep
	r.refreshes++
	if rep.Result == "failed" {
		r.failed++
	}
}

// refresh runs one refresh of b, then OnPublish when it replaced the site.
func (r *Refresher) refresh(ctx context.Context, b Batch) *Report {
	cfg := r.cfg.Run
	crawl := *cfg.Crawl
	crawl.Only = b.Repositories
	cfg.Crawl = &crawl
	rep := &Report{Batch: b, Started: time.Now().UTC()}
	r.log.Info("refreshing", "all", b.All, "repos", len(b.Repositories))
	r.log.Debug("refreshing repositories", "names", b.Repositories)
	res, err := pipeline.Run(ctx, cfg)
	rep.Finished = time.Now().UTC()
	rep.Repos, rep.Requests, rep.Reused = res.Crawl.Repos, res.Crawl.Requests, res.Crawl.Reused
	var pe *pipeline.PartialError
	switch {
	case err == nil:
		rep.Result = "ok"
	case errors.As(err, &pe):
		rep.Result, rep.Error = "partial", snapshot.Truncate(err.Error(), maxErrorText)
	default:
		rep.Result, rep.Error = "failed", snapshot.Truncate(err.Error(), maxErrorText)
		if ctx.Err() == nil {
			r.log.Error("refresh failed; the last good site stays", "all", b.All, "repos", len(b.Repositories), "error", err)
		}
		return rep
	}
	if res.Changes != nil {
		rep.Changes = res.Changes.Summary()
	}
	rep.Notified, rep.NotifyFailed = res.Notified.Delivered, res.Notified.Failed
	r.log.Info("refreshed", "all", b.All, "repos", len(b.Repositories), "result", rep.Result, "changes", rep.Changes,
		"requests", rep.Requests, "elapsed", rep.Finished.Sub(rep.Started).Round(time.Millisecond))
	rep.Publish = r.publish(ctx, b)
	return rep
}
