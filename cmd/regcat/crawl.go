package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/snapshot"
)

// Environment variables with registry credentials.
const (
	envUsername = "REGCAT_USERNAME"
	envPassword = "REGCAT_PASSWORD"
)

// maxReposFile caps the size of a --repos-file.
const maxReposFile = 16 << 20

func newCrawlCmd(e *env) *cobra.Command {
	var (
		f   crawlFlags
		dir string
	)
	cmd := &cobra.Command{
		Use:   "crawl REGISTRY [--snapshot DIR]",
		Short: "Crawl a registry into a snapshot directory",
		Long: `Crawl walks a container registry over the OCI Distribution API and writes a
deterministic JSON snapshot. REGISTRY is host[:port] or http(s)://host[:port];
loopback hosts fall back to plain HTTP.

When DIR already holds a snapshot of the same registry, tags whose digest did not
change are reused after one manifest HEAD each; --full crawls everything again.
The snapshot is replaced only when the crawl completes.

Credentials, first match wins: --username with --password-stdin (or
REGCAT_PASSWORD), REGCAT_USERNAME with REGCAT_PASSWORD, then the docker
config.json and its credential helpers, then anonymous.

Exit codes: 0 complete; 1 fatal error (nothing replaced); 2 usage error;
3 completed, but some repositories or tags failed (recorded in the snapshot).`,
		Example: `  regcat crawl localhost:5000
  regcat crawl registry.example.com --snapshot out/snapshot --include 'team-a/*'
  echo "$TOKEN" | regcat crawl ghcr.io --repo org/app --username me --password-stdin`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			cfg, err := f.config(e, a[0])
			if err != nil {
				return err
			}
			_, err = runCrawl(cmd.Context(), e, cfg, dir, f.full)
			return err
		},
	}
	cmd.Flags().StringVar(&dir, "snapshot", "snapshot", "snapshot directory to read (incremental) and replace")
	f.register(cmd.Flags())
	return cmd
}

// crawlFlags are the flags that configure a crawl, shared by the commands
// that crawl.
type crawlFlags struct {
	repos            []string
	reposFile        string
	include, exclude []string
	concurrency      int
	qps              float64
	timeout          time.Duration
	insecure         bool
	plainHTTP        bool
	username         string
	passwordStdin    bool
	full             bool
}

// register adds the crawl flags to fs.
func (f *crawlFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.repos, "repo", nil, "crawl this repository instead of the catalog (repeatable)")
	fs.StringVar(&f.reposFile, "repos-file", "", "crawl the repositories listed in `FILE`, one per line (# comments)")
	fs.StringArrayVar(&f.include, "include", nil, "crawl only repositories matching this `GLOB` (repeatable)")
	fs.StringArrayVar(&f.exclude, "exclude", nil, "skip repositories matching this `GLOB` (repeatable)")
	fs.IntVar(&f.concurrency, "concurrency", crawler.DefaultConcurrency, "repositories and tags crawled at once")
	fs.Float64Var(&f.qps, "qps", 0, "limit requests per second (0: no limit)")
	fs.DurationVar(&f.timeout, "timeout", crawler.DefaultTimeout, "per-request wait for headers and between body bytes")
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification")
	fs.BoolVar(&f.plainHTTP, "plain-http", false, "allow plain HTTP to a registry that is not on loopback")
	fs.StringVar(&f.username, "username", "", "registry user name (with --password-stdin or "+envPassword+")")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the registry password from standard input")
	fs.BoolVar(&f.full, "full", false, "ignore the previous snapshot and fetch everything")
}

// config builds the crawl configuration for registry. Bad flag values are
// usage errors.
func (f *crawlFlags) config(e *env, registry string) (crawler.Config, error) {
	cfg := crawler.Config{
		Registry:    registry,
		Repos:       f.repos,
		Include:     f.include,
		Exclude:     f.exclude,
		Concurrency: f.concurrency,
		QPS:         f.qps,
		Timeout:     f.timeout,
		Insecure:    f.insecure,
		PlainHTTP:   f.plainHTTP,
		Logger:      e.logger(),
	}
	if f.concurrency < 1 {
		return cfg, &usageError{fmt.Errorf("--concurrency %d: must be at least 1", f.concurrency)}
	}
	if f.timeout <= 0 {
		return cfg, &usageError{fmt.Errorf("--timeout %s: must be positive", f.timeout)}
	}
	if f.reposFile != "" {
		names, err := readReposFile(f.reposFile)
		if err != nil {
			return cfg, &usageError{err}
		}
		cfg.Repos = append(append([]string(nil), cfg.Repos...), names...)
	}
	auth, err := f.auth(e)
	if err != nil {
		return cfg, err
	}
	if auth != nil {
		cfg.Auth = auth
	} else {
		cfg.Keychain = authn.DefaultKeychain
	}
	if err := cfg.Validate(); err != nil {
		return cfg, &usageError{err}
	}
	return cfg, nil
}

// auth returns basic credentials from the flags or the environment, or nil
// to use the keychain.
func (f *crawlFlags) auth(e *env) (authn.Authenticator, error) {
	user, pass := f.username, ""
	switch {
	case f.passwordStdin && user == "":
		return nil, &usageError{errors.New("--password-stdin needs --username")}
	case f.passwordStdin:
		b, err := io.ReadAll(io.LimitReader(e.stdin, 64<<10))
		if err != nil {
			return nil, fmt.Errorf("read password from stdin: %w", err)
		}
		pass = strings.TrimRight(string(b), "\r\n")
		if pass == "" {
			return nil, &usageError{errors.New("--password-stdin: empty password")}
		}
	case user != "":
		pass = os.Getenv(envPassword)
		if pass == "" {
			return nil, &usageError{errors.New("--username needs --password-stdin or " + envPassword)}
		}
	default:
		user, pass = os.Getenv(envUsername), os.Getenv(envPassword)
		if user == "" && pass == "" {
			return nil, nil
		}
		if user == "" || pass == "" {
			return nil, &usageError{errors.New(envUsername + " and " + envPassword + " must be set together")}
		}
	}
	return &authn.Basic{Username: user, Password: pass}, nil
}

// readReposFile reads repository names, one per line; blank lines and
// lines starting with # are ignored.
func readReposFile(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("--repos-file: %w", err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(io.LimitReader(f, maxReposFile))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names = append(names, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--repos-file %s: %w", name, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--repos-file %s: no repository names", name)
	}
	return names, nil
}

// runCrawl crawls with cfg, reusing the snapshot in dir unless full, and
// replaces dir with the new snapshot when the crawl completes. It returns
// a *partialError when failures were recorded; on any other error dir is
// left as it was.
func runCrawl(ctx context.Context, e *env, cfg crawler.Config, dir string, full bool) (*snapshot.Snapshot, error) {
	log := cfg.Logger
	if log == nil {
		log = e.logger()
	}
	if !full {
		prev, err := snapshot.Read(dir)
		switch {
		case err == nil:
			cfg.Previous = prev
			log.Debug("previous snapshot", "dir", dir, "repos", len(prev.Repositories))
		case errors.Is(err, fs.ErrNotExist):
		default:
			log.Warn("previous snapshot unreadable; crawling in full", "dir", dir, "error", err)
		}
	}
	p := newProgress(e, log)
	defer p.stop()
	cfg.Logger = slog.New(p.wrapHandler(log.Handler()))
	cfg.Progress = p.update
	snap, st, err := crawler.Crawl(ctx, cfg)
	p.stop()
	if err != nil {
		return nil, fmt.Errorf("crawl: %w", err)
	}
	if err := snapshot.Write(ctx, dir, snap); err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	failures := len(snap.Index.Failures)
	for _, r := range snap.Repositories {
		failures += len(r.Failures)
	}
	log.Info("crawl complete",
		"repos", len(snap.Repositories), "tags", st.TagsDone, "manifests", st.Manifests, "configs", st.Configs,
		"reused", st.Reused, "requests", st.Requests, "retries", st.Retries, "failures", failures,
		"skipped", st.Skipped, "elapsed", st.Elapsed.Round(time.Millisecond), "snapshot", dir)
	if failures > 0 {
		return snap, &partialError{fmt.Errorf("crawl: %s recorded in %s", count(failures, "failure", "failures"), dir)}
	}
	return snap, nil
}
