package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/regcat/regcat/buildfile"
	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/pipeline"
)

// Environment variables with registry credentials.
const (
	envUsername = "REGCAT_USERNAME"
	envPassword = "REGCAT_PASSWORD"
)

func newCrawlCmd(e *env) *cobra.Command {
	var (
		f          crawlFlags
		nf         notifyFlags
		sf         shardFlags
		dir        string
		configFile string
	)
	cmd := &cobra.Command{
		Use:   "crawl (REGISTRY | --config FILE) [--snapshot DIR]",
		Short: "Crawl a registry into a snapshot directory",
		Long: `Crawl walks a container registry over the OCI Distribution API and writes a
deterministic JSON snapshot. REGISTRY is host[:port] or http(s)://host[:port];
loopback hosts fall back to plain HTTP.

When DIR already holds a snapshot of the same registry, tags whose digest did not
change are reused after one manifest HEAD each; --full crawls everything again.
The snapshot is replaced only when the crawl completes.

--shard K/N crawls only the repositories whose name falls in shard K of N (the
first 8 bytes of the name's SHA-256, big-endian, mod N, plus 1) and marks the
snapshot as that shard; 'regcat merge' joins the N shards into one snapshot.
--shard auto --shards N takes K from JOB_COMPLETION_INDEX (Kubernetes Indexed
Job, 0-based), CI_NODE_INDEX with CI_NODE_TOTAL (GitLab parallel, 1-based),
CIRCLE_NODE_INDEX with CIRCLE_NODE_TOTAL or BUILDKITE_PARALLEL_JOB with
BUILDKITE_PARALLEL_JOB_COUNT (0-based), the first one set.

With --config FILE instead of REGISTRY (the file of build --config), it
crawls every registry of the file into DIR/<dir>, whole. With --shard the
crawl is job K of a sharded crawl of the file: --shard K, --shard K/N or
--shard auto (N, from --shards or the engine, is then the number of jobs,
at least the largest shards: of the file). A registry with shards: N is
crawled as shard K/N by each job K ≤ N and skipped by the jobs past N; one
with shards: 1 (the default) is crawled by job 1 alone, as shard 1/1. A job
with nothing to crawl writes nothing and exits 0. Each job writes to a DIR
of its own; 'regcat merge --config FILE' joins them.

Credentials, first match wins: --username with --password-stdin (or
REGCAT_PASSWORD), REGCAT_USERNAME with REGCAT_PASSWORD, then the docker
config.json and its credential helpers, then anonymous.

` + exitCodesHelp,
		Example: `  regcat crawl localhost:5000
  regcat crawl registry.example.com --snapshot out/snapshot --include 'team-a/*'
  regcat crawl registry.example.com --snapshot shards/2 --shard 2/4
  regcat crawl --config regcat.yaml --snapshot shards/2 --shard 2
  echo "$TOKEN" | regcat crawl ghcr.io --repo org/app --username me --password-stdin`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if configFile != "" || len(a) == 0 {
				return crawlSections(cmd, e, a, configFile, &f, &sf, dir)
			}
			cfg, err := f.config(e, a[0])
			if err != nil {
				return err
			}
			if cfg.Shard, err = sf.config(os.Getenv); err != nil {
				return err
			}
			ncfg, err := nf.config()
			if err != nil {
				return err
			}
			return runPipeline(cmd.Context(), e, pipeline.Config{SnapshotDir: dir, Crawl: &cfg, Full: f.full, History: f.history, Notify: ncfg})
		},
	}
	cmd.Flags().StringVar(&dir, "snapshot", "snapshot", "snapshot directory to read (incremental) and replace")
	cmd.Flags().StringVar(&configFile, "config", "", "crawl the registries listed in this YAML `FILE` instead of REGISTRY, each into its own directory of --snapshot (see examples/regcat.yaml)")
	f.register(cmd.Flags())
	nf.register(cmd.Flags())
	sf.register(cmd.Flags())
	return cmd
}

// crawlFlags are the flags that configure a crawl, shared by the commands
// that crawl.
type crawlFlags struct {
	repos             []string
	reposFile         string
	include, exclude  []string
	concurrency       int
	qps               float64
	timeout           time.Duration
	deadline          time.Duration
	maxTags, maxRepos int
	referrersType     string
	insecure          bool
	plainHTTP         bool
	username          string
	passwordStdin     bool
	full              bool
	history           int
}

// register adds the crawl flags to fs.
func (f *crawlFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.repos, "repo", nil, "crawl this repository instead of the catalog (repeatable)")
	fs.StringVar(&f.reposFile, "repos-file", "", "crawl the repositories listed in `FILE`, one per line (# comments)")
	fs.StringArrayVar(&f.include, "include", nil, "crawl only repositories matching this `GLOB` (repeatable)")
	fs.StringArrayVar(&f.exclude, "exclude", nil, "skip repositories matching this `GLOB` (repeatable)")
	fs.IntVar(&f.concurrency, "concurrency", crawler.DefaultConcurrency, "repositories and tags crawled at once (0: the default)")
	fs.Float64Var(&f.qps, "qps", 0, "limit requests per second (0: no limit)")
	fs.DurationVar(&f.timeout, "timeout", crawler.DefaultTimeout, "per-request wait for headers and between body bytes (0: the default)")
	fs.DurationVar(&f.deadline, "request-deadline", crawler.DefaultRequestDeadline, "per request attempt: longest time from connecting to the last body byte, however steadily bytes arrive (an attempt past it is retried; 0: the default)")
	fs.IntVar(&f.maxTags, "max-tags", crawler.DefaultMaxTags, "list at most `N` tags per repository; the first N in byte order are crawled and the repository is marked truncated (0: no cap)")
	fs.IntVar(&f.maxRepos, "max-repos", crawler.DefaultMaxRepos, "list at most `N` catalog entries; the first N in byte order are crawled and the index is marked truncated (0: no cap)")
	fs.StringVar(&f.referrersType, "referrers-artifact-type", "", "keep only the signatures, SBOMs and attestations of this artifactType (`TYPE`, e.g. application/spdx+json)")
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification")
	fs.BoolVar(&f.plainHTTP, "plain-http", false, "allow plain HTTP to a registry that is not on loopback")
	fs.StringVar(&f.username, "username", "", "registry user name (with --password-stdin or "+envPassword+")")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the registry password from standard input")
	fs.BoolVar(&f.full, "full", false, "ignore the previous snapshot and fetch everything")
	fs.IntVar(&f.history, "history", changes.DefaultHistory, "keep the change sets of the last `N` runs that changed something in the snapshot's change log (0: the default)")
}

// noCap maps a cap flag, where 0 means no cap, to crawler.Config's
// field, where 0 means the default and a negative value no cap.
func noCap(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// config builds the crawl configuration for registry. An unreadable
// --repos-file and inconsistent credentials are usage errors; the values
// themselves are checked by crawler.Config.Validate (see runPipeline).
func (f *crawlFlags) config(e *env, registry string) (crawler.Config, error) {
	cfg := crawler.Config{
		Registry:        registry,
		Repos:           f.repos,
		Include:         f.include,
		Exclude:         f.exclude,
		Concurrency:     f.concurrency,
		QPS:             f.qps,
		Timeout:         f.timeout,
		RequestDeadline: f.deadline,
		MaxTags:         noCap(f.maxTags),
		MaxRepos:        noCap(f.maxRepos),
		Insecure:        f.insecure,

		ReferrersArtifactType: f.referrersType,
		PlainHTTP:             f.plainHTTP,
	}
	if f.reposFile != "" {
		names, err := buildfile.ReadReposFile(f.reposFile)
		if err != nil {
			return cfg, &usageError{fmt.Errorf("-%w", err)}
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
