package crawler

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/snapshot"
)

// Defaults applied to zero fields of [Config].
const (
	// DefaultConcurrency is the number of repositories listed, and
	// separately of tags resolved, at the same time.
	DefaultConcurrency = 8
	// DefaultTimeout bounds the wait for response headers, and any gap
	// between body bytes, of one request attempt.
	DefaultTimeout = 30 * time.Second
	// DefaultRequestDeadline bounds one whole request attempt, body
	// included.
	DefaultRequestDeadline = reghttp.DefaultDeadline
	// DefaultMaxTags is the cap on the tags listed per repository.
	DefaultMaxTags = 10000
	// DefaultMaxRepos is the cap on the catalog entries listed.
	DefaultMaxRepos = 100000
)

// Caps on the bytes read per response. A longer response is an error for
// that request, never truncated data.
const (
	// MaxListPage caps one _catalog or tags/list page.
	MaxListPage = 4 << 20
	// MaxManifest caps a manifest or index; the distribution registry
	// refuses manifests over 4 MiB too.
	MaxManifest = 4 << 20
	// MaxConfig caps an image config blob.
	MaxConfig = 8 << 20
	// MaxPages caps the pages of one catalog or tag list.
	MaxPages = 10000
)

// Config says what to crawl and how. Its zero value, with Registry set,
// crawls the whole registry anonymously with the defaults.
type Config struct {
	// Registry is host[:port] or http(s)://host[:port]. Userinfo and any
	// path are dropped. Loopback hosts (localhost, 127.0.0.0/8, ::1) may
	// fall back to plain HTTP, as crane does; "http://" or PlainHTTP allow
	// it for any host.
	Registry string
	// Repos, when non-empty, are crawled instead of the _catalog (which
	// Docker Hub, GHCR and Harbor non-admins do not offer).
	Repos []string
	// Include and Exclude are path.Match globs on repository names. A
	// repository is crawled when it matches some Include pattern (or
	// Include is empty) and no Exclude pattern.
	Include, Exclude []string
	// Only, when non-empty, re-crawls just these repositories and takes
	// every other repository from Previous as it was (tags, images,
	// failures and truncation), and the index's catalog failures, skipped
	// names and truncation too: neither the catalog nor the other
	// repositories are requested. The names must be valid and still pass
	// Repos (when set), Include and Exclude; one that Previous lacks is
	// crawled as a new repository. Only needs Previous: without it (nil,
	// or of another registry) the whole registry is crawled. This is how
	// a webhook-driven refresh re-crawls the repositories a push named.
	Only []string
	// Shard, when set, restricts the crawl to the repositories (from Repos
	// or the catalog, after Include and Exclude) that fall in it by
	// [snapshot.ShardOf], and invalid names to those that do too; the
	// snapshot's index records it. nil crawls every repository.
	Shard *snapshot.Shard
	// Concurrency bounds the repositories listed, and separately the tags
	// resolved, at the same time. 0 means DefaultConcurrency.
	Concurrency int
	// QPS limits request attempts per second, retries included. 0 means no
	// limit.
	QPS float64
	// Timeout bounds the wait for response headers, and the longest gap
	// between body bytes, of each request attempt; expiry is retried. 0
	// means DefaultTimeout.
	Timeout time.Duration
	// RequestDeadline bounds each request attempt as a whole: connecting,
	// headers and reading the entire body, however steadily bytes arrive;
	// expiry is retried like Timeout. 0 means DefaultRequestDeadline.
	RequestDeadline time.Duration
	// MaxTags caps the tags listed per repository: listing stops once this
	// many were read, the first MaxTags in byte order of those read are
	// crawled, and the repository records a [snapshot.Truncation]. 0 means
	// DefaultMaxTags; a negative value means no cap.
	MaxTags int
	// MaxRepos caps the catalog entries listed, in the same way; the index
	// records the [snapshot.Truncation]. Repos given in Repos are not
	// capped. 0 means DefaultMaxRepos; a negative value means no cap.
	MaxRepos int
	// ReferrersArtifactType, when set, keeps only the referrers of that
	// artifactType: sent as the referrers API's artifactType filter (and
	// applied by the crawler when the registry does not say it filtered),
	// and applied to what referrers and cosign tags hold. "" keeps all.
	ReferrersArtifactType string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// PlainHTTP allows plain HTTP for a registry that is not on loopback.
	PlainHTTP bool
	// Auth authenticates to the registry. nil means Keychain, or anonymous
	// when Keychain is nil too.
	Auth authn.Authenticator
	// Keychain resolves credentials for the registry when Auth is nil, for
	// example authn.DefaultKeychain (docker config.json and credential
	// helpers).
	Keychain authn.Keychain
	// Previous is the last snapshot of the same registry; tags whose digest
	// did not change reuse its records. nil means a full crawl. A snapshot
	// of another registry is ignored. It is read one repository at a
	// time, when the crawl of that repository starts (and the carried
	// ones of an Only crawl at the end), from several goroutines at once:
	// a directory opened with [snapshot.Open] costs the memory of the
	// repositories in flight. A repository that cannot be read is crawled
	// in full (logged).
	Previous snapshot.Source
	// Logger receives the crawl's log records. nil discards them.
	Logger *slog.Logger
	// Progress, when set, is called with the running counts after every
	// repository and tag. Calls never overlap; they come from worker
	// goroutines, so Progress must return quickly.
	Progress func(Stats)
	// Transport is the innermost HTTP transport, beneath retries and
	// authentication. nil means a clone of http.DefaultTransport (with
	// InsecureSkipVerify when Insecure is set); a non-nil Transport is used
	// as is and Insecure does not apply to it.
	Transport http.RoundTripper
	// Retry tunes retries and backoff. Its QPS, HeaderTimeout, StallTimeout,
	// Deadline and Logger are taken from this Config when zero; MaxBody is
	// always MaxConfig.
	Retry reghttp.Config
}

// Validate reports every impossible value in c. Zero values are valid:
// they mean defaults. Registry must be set.
func (c *Config) Validate() error {
	var errs []error
	if _, err := parseRegistry(c.Registry, c.PlainHTTP); err != nil {
		errs = append(errs, err)
	}
	for _, r := range c.Repos {
		if err := snapshot.ValidateRepoName(r); err != nil {
			errs = append(errs, fmt.Errorf("repo: %w", err))
		}
	}
	for _, r := range c.Only {
		if err := snapshot.ValidateRepoName(r); err != nil {
			errs = append(errs, fmt.Errorf("only: %w", err))
		}
	}
	for _, p := range append(append([]string(nil), c.Include...), c.Exclude...) {
		if _, err := path.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("pattern %q: %w", p, err))
		}
	}
	if c.Shard != nil {
		if err := c.Shard.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("concurrency %d is negative", c.Concurrency))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %s is negative", c.Timeout))
	}
	if c.RequestDeadline < 0 {
		errs = append(errs, fmt.Errorf("request deadline %s is negative", c.RequestDeadline))
	}
	// The HTTP layer checks what it is given, QPS included.
	rc := c.retryConfig()
	if err := rc.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("crawl config: %w", err)
	}
	return nil
}

// inShard reports whether the repository name, valid or not, falls in
// the shard crawled (always, without Shard).
func (c *Config) inShard(name string) bool { return c.Shard == nil || c.Shard.Contains(name) }

// wanted reports whether the repository name passes Include and Exclude.
// The patterns were checked by Validate.
func (c *Config) wanted(name string) bool {
	for _, p := range c.Exclude {
		if ok, _ := path.Match(p, name); ok {
			return false
		}
	}
	if len(c.Include) == 0 {
		return true
	}
	for _, p := range c.Include {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// Host is the registry host that a crawl of c records as its index's
// Registry, or the error of an invalid Registry.
func (c *Config) Host() (string, error) {
	reg, err := parseRegistry(c.Registry, c.PlainHTTP)
	if err != nil {
		return "", err
	}
	return reg.RegistryStr(), nil
}

func (c *Config) concurrency() int {
	if c.Concurrency == 0 {
		return DefaultConcurrency
	}
	return c.Concurrency
}

// maxTags is the tag cap in force, or -1 for none.
func (c *Config) maxTags() int { return capOf(c.MaxTags, DefaultMaxTags) }

// maxRepos is the catalog cap in force, or -1 for none.
func (c *Config) maxRepos() int { return capOf(c.MaxRepos, DefaultMaxRepos) }

func capOf(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return -1
	}
	return v
}

func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// retryConfig fills the retry settings this Config owns.
func (c *Config) retryConfig() reghttp.Config {
	rc := c.Retry
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if rc.QPS == 0 {
		rc.QPS = c.QPS
	}
	if rc.HeaderTimeout == 0 {
		rc.HeaderTimeout = timeout
	}
	if rc.StallTimeout == 0 {
		rc.StallTimeout = timeout
	}
	if rc.Deadline == 0 {
		rc.Deadline = c.RequestDeadline
	}
	if rc.Logger == nil {
		rc.Logger = c.logger()
	}
	rc.MaxBody = MaxConfig
	return rc
}
