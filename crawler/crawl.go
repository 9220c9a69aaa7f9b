package crawler

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/errgroup"

	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/snapshot"
)

// ErrAuth is wrapped by the error of a crawl that the registry refused as
// a whole: the catalog, or every repository, answered 401 or 403.
var ErrAuth = errors.New("registry rejected the credentials")

// cacheLimit bounds each of a crawl's caches of manifests, configs and
// image records, by digest (see flight).
const cacheLimit = 4096

// crawl is the state of one Crawl call. Contexts are passed, not stored.
type crawl struct {
	cfg       *Config
	log       *slog.Logger
	cl        *client
	rt        *reghttp.Transport
	counts    *counters
	start     time.Time
	prev      *previous
	manifests *flight[*manifest]
	configs   *flight[*imageConfig]
	images    *flight[*snapshot.Image]
	api       *referrersAPI
	progMu    sync.Mutex
	// keepConfig, set by FetchImage only, keeps the bytes of the config
	// fetched last in rawConfig; a crawl keeps none.
	keepConfig bool
	rawConfig  []byte
	// put receives each repository once complete; putMu serializes it.
	put   func(context.Context, *snapshot.Repository) error
	putMu sync.Mutex
}

// repoState collects one repository's results. The repository worker
// writes tags, sess, failures and skipped before any tag worker starts;
// tag worker i writes only results[i].
type repoState struct {
	name     string
	prev     *prevRepo // its previous record, or nil
	sess     *session
	tags     []string
	results  []tagResult
	failures []snapshot.Failure
	skipped  []snapshot.Skipped
	pending  atomic.Int64
	listed   bool
	// truncated is set when the tag list stopped at the cap.
	truncated *snapshot.Truncation
	// refTags are the referrers and cosign tags, kept out of tags; refs
	// caches the referrers API answer per subject digest. The last tag
	// worker fills referrers and refTrunc (by image digest) and
	// referrerTags in finishReferrers.
	refTags      []refTag
	refs         *flight[subjectRefs]
	referrers    map[string][]snapshot.Referrer
	refTrunc     map[string]*snapshot.Truncation
	referrerTags []snapshot.ReferrerTag
}

// tagResult is the outcome for one tag: an image, or a failure.
type tagResult struct {
	image   *snapshot.Image
	failure *snapshot.Failure
}

// Crawl walks the registry that cfg names and returns its snapshot, built
// with [snapshot.Build], and the crawl's counts. Failures of single
// repositories, tags or digests are recorded in the snapshot (see
// [snapshot.Failure]) and the crawl goes on. The error is non-nil only
// when the crawl could not be done at all: an invalid cfg, an unreachable
// registry, credentials rejected for the whole registry ([ErrAuth]), an
// unreadable catalog, or ctx cancelled; the snapshot is nil then.
//
// Crawl holds the whole snapshot in memory; [CrawlTo] hands each
// repository on as it completes.
func Crawl(ctx context.Context, cfg Config) (*snapshot.Snapshot, Stats, error) {
	var repos []snapshot.Repository
	idx, st, err := CrawlTo(ctx, cfg, func(_ context.Context, r *snapshot.Repository) error {
		repos = append(repos, *r)
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	snap, err := snapshot.Build(idx, repos)
	if err != nil {
		return nil, st, err
	}
	return snap, st, nil
}

// CrawlTo is [Crawl] that hands each repository to put as soon as it is
// complete (its last tag resolved), and then forgets it, so that a crawl
// holds the repositories it is working on rather than the whole
// snapshot; the repositories of an Only crawl that are carried from
// Previous come after those crawled. Calls of put never overlap (they
// come from worker goroutines, one at a time) and the repository is
// put's to keep or change: normalising it and writing it with
// [snapshot.Writer.Put] is what put is for. An error from put stops the
// crawl, and CrawlTo returns it.
//
// The returned index has everything but its Repositories, which are
// nil and not normalised: a snapshot is the index with the summaries of
// the repositories put (see [snapshot.Build] and [snapshot.Writer]). On
// error, repositories may have been put already: the caller discards
// them (say, with [snapshot.Writer.Abort]).
func CrawlTo(ctx context.Context, cfg Config, put func(context.Context, *snapshot.Repository) error) (snapshot.Index, Stats, error) {
	c := newCrawl(cfg)
	c.put = put
	idx, err := c.run(ctx)
	return idx, c.stats(), err
}

// connect checks the config, resolves the credentials and pings the
// registry, and returns the registry host.
func (c *crawl) connect(ctx context.Context) (string, error) {
	if err := c.cfg.Validate(); err != nil {
		return "", err
	}
	reg, err := parseRegistry(c.cfg.Registry, c.cfg.PlainHTTP)
	if err != nil {
		return "", err
	}
	auth, err := c.authenticator(ctx, reg.RegistryStr(), reg)
	if err != nil {
		return "", err
	}
	if c.rt, err = reghttp.New(c.inner(), c.cfg.retryConfig()); err != nil {
		return "", err
	}
	if c.cl, err = newClient(ctx, reg, auth, c.rt, c.counts, c.log); err != nil {
		return "", err
	}
	return reg.RegistryStr(), nil
}

func (c *crawl) run(ctx context.Context) (snapshot.Index, error) {
	host, err := c.connect(ctx)
	if err != nil {
		return snapshot.Index{}, err
	}
	c.prev = indexPrevious(ctx, c.cfg.Previous, host, c.log)
	idx := snapshot.Index{Registry: host, CrawledAt: c.start.UTC()}
	if sh := c.cfg.Shard; sh != nil {
		idx.Shard = &snapshot.Shard{Index: sh.Index, Count: sh.Count}
	}

	var names []string
	partial := len(c.cfg.Only) > 0 && c.prev != nil
	if partial {
		names = c.onlyNames(&idx)
	} else if names, err = c.repoNames(ctx, &idx); err != nil {
		return snapshot.Index{}, err
	}
	attrs := []any{"registry", idx.Registry, "repos", len(names)}
	if idx.Shard != nil {
		attrs = append(attrs, "shard", idx.Shard.String())
	}
	c.log.Info("crawling", attrs...)
	repos := newRepoStates(names)
	c.counts.repos.Store(int64(len(repos)))
	if err := c.crawlRepos(ctx, repos); err != nil {
		return snapshot.Index{}, err
	}
	if err := authRejected(repos); err != nil {
		return snapshot.Index{}, err
	}
	if partial {
		if err := c.putCarried(ctx, names); err != nil {
			return snapshot.Index{}, err
		}
	}
	return idx, nil
}

// authenticator picks Auth, else the keychain's credentials for the
// registry, else anonymous.
func (c *crawl) authenticator(ctx context.Context, host string, res authn.Resource) (authn.Authenticator, error) {
	switch {
	case c.cfg.Auth != nil:
		return c.cfg.Auth, nil
	case c.cfg.Keychain != nil:
		a, err := authn.Resolve(ctx, c.cfg.Keychain, res)
		if err != nil {
			return nil, fmt.Errorf("credentials for %s: %w", host, sanitize(err))
		}
		return a, nil
	}
	return authn.Anonymous, nil
}

// inner is the transport beneath retries.
func (c *crawl) inner() http.RoundTripper {
	if c.cfg.Transport != nil {
		return c.cfg.Transport
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = c.cfg.concurrency() * 2
	if c.cfg.Insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // --insecure asks for it
	}
	return t
}

// repoNames returns the repositories to crawl: Config.Repos, or the
// catalog; invalid names go to idx.Skipped, filtered ones are dropped.
func (c *crawl) repoNames(ctx context.Context, idx *snapshot.Index) ([]string, error) {
	names := c.cfg.Repos
	if len(names) == 0 {
		sess, err := c.cl.session(ctx, "")
		if err != nil {
			return nil, fatalAuth("catalog", err)
		}
		l, err := sess.list(ctx, "/v2/_catalog", c.cfg.maxRepos(), decodeCatalog)
		names = l.names
		if l.loop != nil {
			c.log.Warn("catalog pagination stopped", "error", l.loop)
		}
		if l.truncated != nil {
			idx.Truncated = l.truncated
			c.truncated("", l.truncated)
		}
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil && (len(names) == 0 || isAuthStatus(err)):
			return nil, fatalAuth("catalog", err)
		case err != nil:
			c.fail(&idx.Failures, snapshot.Failure{Op: "catalog", Status: statusOf(err), Error: errorText(err)})
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if !c.cfg.inShard(n) {
			continue
		}
		if err := snapshot.ValidateRepoName(n); err != nil {
			idx.Skipped = append(idx.Skipped, snapshot.Skipped{Name: snapshot.Truncate(n, snapshot.MaxRepoNameLen), Reason: errorText(err)})
			c.counts.skipped.Add(1)
			c.log.Warn("skipping repository", "repo", snapshot.Truncate(n, 100), "reason", err)
			continue
		}
		if c.cfg.wanted(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// onlyNames returns the repositories of Config.Only to crawl, sorted and
// once each, that pass Repos (when set), Include and Exclude, and copies
// the catalog's records of the previous crawl into idx, which this crawl
// does not list again.
func (c *crawl) onlyNames(idx *snapshot.Index) []string {
	prev := c.prev.src.Head()
	idx.Failures = slices.Clone(prev.Failures)
	idx.Skipped = slices.Clone(prev.Skipped)
	idx.Truncated = prev.Truncated
	var names []string
	for _, n := range c.cfg.Only {
		if (len(c.cfg.Repos) == 0 || slices.Contains(c.cfg.Repos, n)) && c.cfg.wanted(n) && c.cfg.inShard(n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// putCarried puts the repositories of the previous snapshot that are
// not in crawled (sorted), as they were; one whose previous record cannot
// be read is crawled instead (logged).
func (c *crawl) putCarried(ctx context.Context, crawled []string) error {
	var unread []string
	for i, name := range c.prev.names {
		if _, found := slices.BinarySearch(crawled, name); found {
			continue
		}
		r, err := c.prev.src.Repository(ctx, i)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.log.Warn("previous repository unreadable; crawling it", "repo", name, "error", err)
			unread = append(unread, name)
			continue
		}
		if err := c.putRepo(ctx, r); err != nil {
			return err
		}
	}
	if len(unread) == 0 {
		return nil
	}
	c.counts.repos.Add(int64(len(unread)))
	return c.crawlRepos(ctx, newRepoStates(unread))
}

// newRepoStates returns the states of crawls of repositories names.
func newRepoStates(names []string) []*repoState {
	repos := make([]*repoState, len(names))
	for i, n := range names {
		repos[i] = &repoState{name: n, refs: newFlight[subjectRefs](0)}
	}
	return repos
}

// putRepo hands r to put, one call at a time.
func (c *crawl) putRepo(ctx context.Context, r *snapshot.Repository) error {
	c.putMu.Lock()
	defer c.putMu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.put(ctx, r); err != nil {
		return fmt.Errorf("repository %s: %w", r.Name, err)
	}
	return nil
}

// fatalAuth wraps a registry-wide failure, marking 401 and 403 as ErrAuth.
func fatalAuth(what string, err error) error {
	if isAuthStatus(err) {
		return fmt.Errorf("%s: %w: %w", what, ErrAuth, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// crawlRepos lists the tags of every repository (Concurrency at a time)
// and resolves every tag (Concurrency at a time), putting each repository
// once done. Only a cancelled ctx or an error from put returns an error.
func (c *crawl) crawlRepos(ctx context.Context, repos []*repoState) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	// abort stops both groups on put's error, which the groups' own
	// contexts would keep from each other.
	abort := func(err error) error {
		if err != nil {
			stop(err)
		}
		return err
	}
	repoG, rctx := errgroup.WithContext(ctx)
	repoG.SetLimit(c.cfg.concurrency())
	tagG, tctx := errgroup.WithContext(ctx)
	tagG.SetLimit(c.cfg.concurrency())
	for _, r := range repos {
		repoG.Go(func() error {
			r.prev = c.prev.repo(rctx, r.name)
			c.listRepo(rctx, r)
			if err := rctx.Err(); err != nil {
				return err
			}
			if len(r.tags) == 0 {
				return abort(c.finishRepo(rctx, r))
			}
			for i := range r.tags {
				tagG.Go(func() error { return abort(c.crawlTag(tctx, r, i)) })
			}
			return nil
		})
	}
	errR := repoG.Wait()
	errT := tagG.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return errors.Join(errR, errT)
}

// finishRepo completes r once its last tag is resolved: finds its
// referrers, puts it and forgets it.
func (c *crawl) finishRepo(ctx context.Context, r *repoState) error {
	c.finishReferrers(ctx, r)
	if err := ctx.Err(); err != nil {
		return err
	}
	repo := r.assemble()
	r.release()
	if err := c.putRepo(ctx, &repo); err != nil {
		return err
	}
	c.repoDone()
	return nil
}

// listRepo opens the repository's session and lists its tags. Failures are
// recorded in r.
func (c *crawl) listRepo(ctx context.Context, r *repoState) {
	var err error
	r.sess, err = c.cl.session(ctx, r.name)
	if err != nil {
		c.fail(&r.failures, snapshot.Failure{Repo: r.name, Op: "tags", Status: statusOf(err), Error: errorText(err)})
		return
	}
	l, err := r.sess.list(ctx, "/v2/"+r.name+"/tags/list", c.cfg.maxTags(), decodeTags)
	tags := l.names
	if l.loop != nil {
		c.log.Warn("tag list pagination stopped", "repo", r.name, "error", l.loop)
	}
	if l.truncated != nil && ctx.Err() == nil {
		r.truncated = l.truncated
		c.truncated(r.name, l.truncated)
	}
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		c.fail(&r.failures, snapshot.Failure{Repo: r.name, Op: "tags", Status: statusOf(err), Error: errorText(err)})
	} else {
		r.listed = true
	}
	for _, t := range tags {
		if err := snapshot.ValidateTag(t); err != nil {
			r.skipped = append(r.skipped, snapshot.Skipped{Name: snapshot.Truncate(t, snapshot.MaxTagLen), Reason: errorText(err)})
			c.counts.skipped.Add(1)
			c.log.Warn("skipping tag", "repo", r.name, "tag", snapshot.Truncate(t, 100), "reason", err)
			continue
		}
		if rt, ok := parseRefTag(t); ok {
			r.refTags = append(r.refTags, rt)
			continue
		}
		r.tags = append(r.tags, t)
	}
	r.results = make([]tagResult, len(r.tags))
	r.pending.Store(int64(len(r.tags)))
	c.counts.tags.Add(int64(len(r.tags)))
	c.log.Debug("listed tags", "repo", r.name, "tags", len(r.tags))
}

// crawlTag resolves tag i of r into r.results[i]. It returns an error only
// when ctx is cancelled.
func (c *crawl) crawlTag(ctx context.Context, r *repoState, i int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tag := r.tags[i]
	im, err := c.resolveTag(ctx, r, tag)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		f := snapshot.Failure{Repo: r.name, Tag: tag, Op: "manifest", Status: statusOf(err), Error: errorText(err)}
		var fe *fetchError
		if errors.As(err, &fe) {
			f.Op, f.Digest = fe.op, fe.digest
		}
		c.counts.failures.Add(1)
		c.log.Warn("tag failed", "repo", f.Repo, "tag", f.Tag, "op", f.Op, "digest", f.Digest, "status", f.Status, "error", f.Error)
		r.results[i].failure = &f
	} else {
		r.results[i].image = im
		c.apiReferrers(ctx, r, im)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	c.counts.tagsDone.Add(1)
	if r.pending.Add(-1) == 0 {
		return c.finishRepo(ctx, r)
	}
	c.progress()
	return nil
}

// resolveTag returns the image record of a tag (without tags): reused from
// the previous snapshot when a HEAD shows the same digest, else built from
// the manifest fetched by tag.
func (c *crawl) resolveTag(ctx context.Context, r *repoState, tag string) (*snapshot.Image, error) {
	ref := "/v2/" + r.name + "/manifests/" + tag
	if r.prev.hasTag(tag) {
		c.counts.manifestHeads.Add(1)
		resp, err := r.sess.do(ctx, http.MethodHead, r.sess.url(ref), manifestAccept, 0)
		if err == nil {
			d := resp.header.Get("Docker-Content-Digest")
			if im := r.prev.image(d); im != nil && snapshot.ValidateDigest(d) == nil {
				c.images.put(d, im)
				c.counts.reused.Add(1)
				return im, nil
			}
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// No usable digest, a changed one or a HEAD error: GET tells.
	}
	c.counts.manifestGets.Add(1)
	resp, err := r.sess.do(ctx, http.MethodGet, r.sess.url(ref), manifestAccept, MaxManifest)
	if err != nil {
		return nil, &fetchError{op: "manifest", err: err}
	}
	d, err := manifestDigest(resp.header.Get("Docker-Content-Digest"), resp.body)
	if err != nil {
		return nil, &fetchError{op: "manifest", err: err}
	}
	m, err := parseManifest(resp.header.Get("Content-Type"), resp.body)
	if err != nil {
		return nil, &fetchError{op: "manifest", digest: d, err: err}
	}
	if c.manifests.put(d, m) {
		c.counts.manifests.Add(1)
	}
	im, _, err := c.images.get(ctx, d, func() (*snapshot.Image, error) {
		return c.buildImage(ctx, r.sess, d, m)
	})
	return im, err
}

// manifest returns the manifest with digest d, fetched through sess
// once while the cache holds it, checked against d and the descriptor's size.
func (c *crawl) manifest(ctx context.Context, sess *session, desc *descriptor) (*manifest, error) {
	m, _, err := c.manifests.get(ctx, desc.Digest, func() (*manifest, error) {
		c.counts.manifestGets.Add(1)
		verify := func(want string, b []byte) error { _, err := manifestDigest(want, b); return err }
		resp, err := fetchByDigest(ctx, sess, "manifest", "/manifests/", desc, manifestAccept, MaxManifest, verify)
		if err != nil {
			return nil, err
		}
		m, err := parseManifest(resp.header.Get("Content-Type"), resp.body)
		if err != nil {
			return nil, err
		}
		c.counts.manifests.Add(1)
		return m, nil
	})
	if err != nil {
		return nil, &fetchError{op: "manifest", digest: desc.Digest, err: err}
	}
	return m, nil
}

// config returns the parsed config blob of desc, fetched through sess
// once while the cache holds it, and checked against its digest and size.
func (c *crawl) config(ctx context.Context, sess *session, desc *descriptor) (*imageConfig, error) {
	cfg, _, err := c.configs.get(ctx, desc.Digest, func() (*imageConfig, error) {
		c.counts.configGets.Add(1)
		resp, err := fetchByDigest(ctx, sess, "config", "/blobs/", desc, nil, MaxConfig, verifyBlob)
		if err != nil {
			return nil, err
		}
		cfg, err := parseConfig(desc.Digest, resp.body)
		if err != nil {
			return nil, err
		}
		if c.keepConfig {
			c.rawConfig = resp.body
		}
		c.counts.configs.Add(1)
		return cfg, nil
	})
	if err != nil {
		return nil, &fetchError{op: "config", digest: desc.Digest, err: err}
	}
	return cfg, nil
}

// fetchByDigest GETs what desc describes from the repository's endpoint
// (/manifests/ or /blobs/), refusing it when the descriptor announces more
// than limit bytes, and checks the body against the descriptor's digest
// with verify and against its size.
func fetchByDigest(ctx context.Context, sess *session, what, endpoint string, desc *descriptor, accept []string, limit int64, verify func(string, []byte) error) (*response, error) {
	if desc.Size > limit {
		return nil, &tooLargeError{limit: limit}
	}
	resp, err := sess.do(ctx, http.MethodGet, sess.url("/v2/"+sess.repo+endpoint+desc.Digest), accept, limit)
	if err != nil {
		return nil, err
	}
	if err := verify(desc.Digest, resp.body); err != nil {
		return nil, err
	}
	if int64(len(resp.body)) != desc.Size {
		return nil, fmt.Errorf("%s is %d bytes, descriptor says %d", what, len(resp.body), desc.Size)
	}
	return resp, nil
}

// fetchError says what failed while building an image record.
type fetchError struct {
	op     string // "manifest" or "config"
	digest string // what was being fetched, if known
	err    error
}

func (e *fetchError) Error() string {
	if e.digest == "" {
		return fmt.Sprintf("%s: %v", e.op, e.err)
	}
	return fmt.Sprintf("%s %s: %v", e.op, e.digest, e.err)
}

func (e *fetchError) Unwrap() error { return e.err }

// truncated counts and logs a list cut at its cap; repo is "" for the
// catalog.
func (c *crawl) truncated(repo string, t *snapshot.Truncation) {
	c.counts.truncated.Add(1)
	what := "tag list truncated at the cap"
	if repo == "" {
		what = "catalog truncated at the cap"
	}
	c.log.Warn(what, "repo", repo, "limit", t.Limit, "listed", t.Listed)
}

// fail records f in list and logs it.
func (c *crawl) fail(list *[]snapshot.Failure, f snapshot.Failure) {
	*list = append(*list, f)
	c.counts.failures.Add(1)
	c.log.Warn("crawl failure", "repo", f.Repo, "op", f.Op, "status", f.Status, "error", f.Error)
}

func (c *crawl) repoDone() {
	c.counts.reposDone.Add(1)
	c.progress()
}

// progress reports the running counts; calls never overlap.
func (c *crawl) progress() {
	if c.cfg.Progress == nil {
		return
	}
	c.progMu.Lock()
	defer c.progMu.Unlock()
	c.cfg.Progress(c.stats())
}

func (c *crawl) stats() Stats {
	s := c.counts.stats()
	if c.rt != nil {
		rs := c.rt.Stats()
		s.Requests, s.Retries = int(rs.Requests), int(rs.Retries)
	}
	s.Elapsed = time.Since(c.start)
	return s
}

// statusOf returns the HTTP status behind err, or 0.
func statusOf(err error) int {
	var terr *transport.Error
	if errors.As(err, &terr) {
		return terr.StatusCode
	}
	return 0
}

func isAuthStatus(err error) bool {
	s := statusOf(err)
	return s == http.StatusUnauthorized || s == http.StatusForbidden
}

// authRejected returns ErrAuth when no repository could be listed and every
// one failed with 401 or 403.
func authRejected(repos []*repoState) error {
	if len(repos) == 0 {
		return nil
	}
	for _, r := range repos {
		if r.listed || len(r.failures) == 0 {
			return nil
		}
		s := r.failures[0].Status
		if s != http.StatusUnauthorized && s != http.StatusForbidden {
			return nil
		}
	}
	return fmt.Errorf("every repository: %w (status %d)", ErrAuth, repos[0].failures[0].Status)
}
