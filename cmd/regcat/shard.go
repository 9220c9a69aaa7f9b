package main

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/regcat/regcat/snapshot"
)

// shardFlags are crawl's --shard and --shards.
type shardFlags struct {
	shard  string
	shards int
}

// register adds the flags to fs.
func (f *shardFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.shard, "shard", "", "crawl only shard `K/N` of the repositories (by a hash of the name; K from 1), or auto: K from the batch engine's index variable and N from --shards")
	fs.IntVar(&f.shards, "shards", 0, "with --shard auto: the number of shards `N` (GitLab's CI_NODE_TOTAL when not given)")
}

// shardEnv is a batch engine's variable holding a job's shard index, and
// the variable holding the number of shards, if it has one.
type shardEnv struct {
	index, total string
	// base is the index of the first job: 0 or 1.
	base int
}

// shardEnvs are read by --shard auto, first set wins: a Kubernetes
// Indexed Job, GitLab parallel jobs, CircleCI parallelism, Buildkite
// parallel jobs.
var shardEnvs = []shardEnv{
	{index: "JOB_COMPLETION_INDEX", base: 0},
	{index: "CI_NODE_INDEX", total: "CI_NODE_TOTAL", base: 1},
	{index: "CIRCLE_NODE_INDEX", total: "CIRCLE_NODE_TOTAL", base: 0},
	{index: "BUILDKITE_PARALLEL_JOB", total: "BUILDKITE_PARALLEL_JOB_COUNT", base: 0},
}

// config returns the shard to crawl, nil for none, or a usage error.
func (f *shardFlags) config(getenv func(string) string) (*snapshot.Shard, error) {
	switch {
	case f.shard == "" && f.shards != 0:
		return nil, &usageError{errors.New("--shards needs --shard auto")}
	case f.shard == "":
		return nil, nil
	case f.shard == "auto":
		s, err := autoShard(getenv, f.shards)
		if err != nil {
			return nil, &usageError{fmt.Errorf("--shard auto: %w", err)}
		}
		return s, nil
	case f.shards != 0:
		return nil, &usageError{errors.New("--shards goes with --shard auto; give --shard K/N")}
	}
	s, err := snapshot.ParseShard(f.shard)
	if err != nil {
		return nil, &usageError{fmt.Errorf("--shard: %w", err)}
	}
	return &s, nil
}

// job returns, for a crawl of a config file, the job's index K (from 1)
// and the number of jobs N, 0 when not known: --shard K, --shard K/N or
// --shard auto (N from --shards or the engine's total variable). Without
// --shard both are 0: every registry is crawled whole.
func (f *shardFlags) job(getenv func(string) string) (k, n int, err error) {
	switch {
	case f.shard == "" && f.shards != 0:
		return 0, 0, &usageError{errors.New("--shards needs --shard auto")}
	case f.shard == "":
		return 0, 0, nil
	case f.shard == "auto":
		k, n, v, err := autoIndex(getenv, f.shards)
		if limit := cmp.Or(n, snapshot.MaxShards); err == nil && (k < 1 || k > limit) {
			err = fmt.Errorf("%s: job %d is not 1 to %d", v, k, limit)
		}
		if err != nil {
			return 0, 0, &usageError{fmt.Errorf("--shard auto: %w", err)}
		}
		return k, n, nil
	case f.shards != 0:
		return 0, 0, &usageError{errors.New("--shards goes with --shard auto; give --shard K")}
	}
	if k, err := strconv.Atoi(f.shard); err == nil {
		if k < 1 || k > snapshot.MaxShards {
			return 0, 0, &usageError{fmt.Errorf("--shard %d: job must be 1 to %d", k, snapshot.MaxShards)}
		}
		return k, 0, nil
	}
	s, err := snapshot.ParseShard(f.shard)
	if err != nil {
		return 0, 0, &usageError{fmt.Errorf("--shard: want K, K/N or auto: %w", err)}
	}
	return s.Index, s.Count, nil
}

// autoShard reads the shard from the first variable of shardEnvs that is
// set; n is --shards, or the engine's total variable when 0.
func autoShard(getenv func(string) string, n int) (*snapshot.Shard, error) {
	k, n, v, err := autoIndex(getenv, n)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("%s is set: give the number of shards with --shards", v)
	}
	s := snapshot.Shard{Index: k, Count: n}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", v, err)
	}
	return &s, nil
}

// autoIndex reads the job's index (from 1) from the first variable of
// shardEnvs that is set, and the number of jobs: n, or the engine's total
// variable when n is 0 (0 when neither says). v is the index variable as
// NAME=VALUE, for errors.
func autoIndex(getenv func(string) string, n int) (k, total int, v string, err error) {
	for _, e := range shardEnvs {
		raw := getenv(e.index)
		if raw == "" {
			continue
		}
		k, err := strconv.Atoi(raw)
		if err != nil {
			return 0, 0, "", fmt.Errorf("%s=%q is not a number", e.index, raw)
		}
		if e.total != "" && getenv(e.total) != "" {
			t, err := strconv.Atoi(getenv(e.total))
			if err != nil {
				return 0, 0, "", fmt.Errorf("%s=%q is not a number", e.total, getenv(e.total))
			}
			if n != 0 && n != t {
				return 0, 0, "", fmt.Errorf("--shards %d but %s=%d", n, e.total, t)
			}
			n = t
		}
		return k - e.base + 1, n, e.index + "=" + raw, nil
	}
	return 0, 0, "", errors.New("none of JOB_COMPLETION_INDEX, CI_NODE_INDEX, CIRCLE_NODE_INDEX, BUILDKITE_PARALLEL_JOB is set")
}

func newMergeCmd(e *env) *cobra.Command {
	out := "snapshot"
	var configFile string
	cmd := &cobra.Command{
		Use:   "merge --snapshot OUT (SHARD_DIR... | --config FILE SHARD_ROOT...)",
		Short: "Join the shard snapshots of a sharded crawl into one snapshot",
		Long: `merge joins the snapshots written by 'regcat crawl --shard K/N' for every K
from 1 to N into one snapshot in OUT, with the same repository files an
unsharded crawl gives (index.json differs only in crawledAt: the earliest
shard's). OUT is replaced atomically, as every snapshot write.

merge refuses directories that are not shards, overlapping or missing shards,
shards of different registries, shard counts or schema versions: exit code 2,
nothing written. An unreadable shard or a failed write exits with 1.

With --config FILE, the arguments are the --snapshot directories of the jobs
of 'regcat crawl --config FILE --shard K': for each registry of the file, the
shards SHARD_ROOT/<dir> of the roots that have that directory are merged into
OUT/<dir>. Every registry is merged before any is written: one refused set of
shards writes nothing.`,
		Example: `  regcat merge --snapshot snapshot shards/1 shards/2 shards/3
  regcat merge --config regcat.yaml --snapshot snapshot shards/1 shards/2 shards/3`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			if configFile != "" {
				return mergeSections(cmd, e, configFile, out, dirs)
			}
			snap, err := snapshot.MergeDirs(cmd.Context(), out, dirs)
			if errors.Is(err, snapshot.ErrShards) {
				return &usageError{err}
			}
			if err != nil {
				return err
			}
			e.logger().Info("merged", "shards", len(dirs), "repos", len(snap.Repositories), "snapshot", out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "snapshot", "s", out, "snapshot `directory` to write (replaced atomically)")
	cmd.Flags().StringVar(&configFile, "config", "", "merge the shards of every registry listed in this YAML `FILE` (the arguments are the jobs' snapshot roots)")
	return cmd
}
