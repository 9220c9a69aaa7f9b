package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

func TestShardFlags(t *testing.T) {
	tests := []struct {
		name    string
		shard   string
		shards  int
		env     map[string]string
		want    *snapshot.Shard
		errText string
	}{
		{name: "none"},
		{name: "K/N", shard: "2/3", want: &snapshot.Shard{Index: 2, Count: 3}},
		{name: "bad K/N", shard: "4/3", errText: "index must be 1 to 3"},
		{name: "--shards without auto", shard: "1/3", shards: 3, errText: "--shards goes with --shard auto"},
		{name: "--shards alone", shards: 3, errText: "--shards needs --shard auto"},
		{name: "kubernetes 0-based", shard: "auto", shards: 4, env: map[string]string{"JOB_COMPLETION_INDEX": "0"}, want: &snapshot.Shard{Index: 1, Count: 4}},
		{name: "kubernetes last", shard: "auto", shards: 4, env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, want: &snapshot.Shard{Index: 4, Count: 4}},
		{name: "kubernetes past the count", shard: "auto", shards: 4, env: map[string]string{"JOB_COMPLETION_INDEX": "4"}, errText: "index must be 1 to 4"},
		{name: "kubernetes without --shards", shard: "auto", env: map[string]string{"JOB_COMPLETION_INDEX": "1"}, errText: "give the number of shards with --shards"},
		{name: "gitlab 1-based with total", shard: "auto", env: map[string]string{"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "5"}, want: &snapshot.Shard{Index: 2, Count: 5}},
		{name: "gitlab total disagrees", shard: "auto", shards: 4, env: map[string]string{"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "5"}, errText: "--shards 4 but CI_NODE_TOTAL=5"},
		{name: "circleci", shard: "auto", env: map[string]string{"CIRCLE_NODE_INDEX": "1", "CIRCLE_NODE_TOTAL": "2"}, want: &snapshot.Shard{Index: 2, Count: 2}},
		{name: "buildkite", shard: "auto", env: map[string]string{"BUILDKITE_PARALLEL_JOB": "0", "BUILDKITE_PARALLEL_JOB_COUNT": "3"}, want: &snapshot.Shard{Index: 1, Count: 3}},
		{name: "not a number", shard: "auto", shards: 2, env: map[string]string{"JOB_COMPLETION_INDEX": "x"}, errText: "is not a number"},
		{name: "nothing set", shard: "auto", shards: 2, errText: "none of JOB_COMPLETION_INDEX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := shardFlags{shard: tt.shard, shards: tt.shards}
			got, err := f.config(func(k string) string { return tt.env[k] })
			if tt.errText != "" {
				if _, ok := err.(*usageError); !ok || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("config = %v, %v; want a usage error with %q", got, err, tt.errText)
				}
				return
			}
			if err != nil || (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Fatalf("config = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestMergeCommand crawls two shards with the command, merges them, and
// checks the exit codes of a complete and of a refused merge.
func TestMergeCommand(t *testing.T) {
	hermetic(t)
	reg, fx := startRegistry(t)
	dir := t.TempDir()
	shard := func(k int) string { return filepath.Join(dir, "shards", strconv.Itoa(k)) }
	for k := 1; k <= 2; k++ {
		if code, stderr := runCLI(t, "", "crawl", reg.Host, "--shard", strconv.Itoa(k)+"/2", "--snapshot", shard(k), "-q"); code != exitOK {
			t.Fatalf("crawl shard %d: exit %d\n%s", k, code, stderr)
		}
	}
	out := filepath.Join(dir, "merged")
	if code, stderr := runCLI(t, "", "merge", "--snapshot", out, shard(1)); code != exitUsage || !strings.Contains(stderr, "missing shards: 2/2") {
		t.Errorf("merge of one shard of two: exit %d, want %d\n%s", code, exitUsage, stderr)
	}
	if code, stderr := runCLI(t, "", "merge", "--snapshot", out, shard(1), shard(2)); code != exitOK {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	s, err := snapshot.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.Index.Shard != nil || len(s.Repositories) != len(fx.Repos) {
		t.Errorf("merged: shard %v, %d repositories, want none and %d", s.Index.Shard, len(s.Repositories), len(fx.Repos))
	}
	if code, stderr := runCLI(t, "", "merge", "--snapshot", out, filepath.Join(dir, "nowhere")); code != exitFatal {
		t.Errorf("merge of a missing directory: exit %d, want %d\n%s", code, exitFatal, stderr)
	}
}

// TestShardJobFlags reads the job index and count of a sharded crawl of
// a config file.
func TestShardJobFlags(t *testing.T) {
	tests := []struct {
		name    string
		shard   string
		shards  int
		env     map[string]string
		k, n    int
		errText string
	}{
		{name: "none"},
		{name: "K", shard: "3", k: 3},
		{name: "K/N", shard: "2/4", k: 2, n: 4},
		{name: "K past the cap", shard: "10001", errText: "job must be 1 to 10000"},
		{name: "K zero", shard: "0", errText: "job must be 1 to 10000"},
		{name: "bad K/N", shard: "5/4", errText: "index must be 1 to 4"},
		{name: "not a shard", shard: "two", errText: "want K, K/N or auto"},
		{name: "--shards with K", shard: "2", shards: 3, errText: "--shards goes with --shard auto"},
		{name: "--shards alone", shards: 3, errText: "--shards needs --shard auto"},
		{name: "kubernetes without a count", shard: "auto", env: map[string]string{"JOB_COMPLETION_INDEX": "4"}, k: 5},
		{name: "kubernetes with --shards", shard: "auto", shards: 6, env: map[string]string{"JOB_COMPLETION_INDEX": "5"}, k: 6, n: 6},
		{name: "kubernetes past --shards", shard: "auto", shards: 6, env: map[string]string{"JOB_COMPLETION_INDEX": "6"}, errText: "JOB_COMPLETION_INDEX=6: job 7 is not 1 to 6"},
		{name: "gitlab", shard: "auto", env: map[string]string{"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"}, k: 2, n: 3},
		{name: "gitlab index 0", shard: "auto", env: map[string]string{"CI_NODE_INDEX": "0"}, errText: "job 0 is not 1 to 10000"},
		{name: "nothing set", shard: "auto", errText: "none of JOB_COMPLETION_INDEX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := shardFlags{shard: tt.shard, shards: tt.shards}
			k, n, err := f.job(func(v string) string { return tt.env[v] })
			if tt.errText != "" {
				if _, ok := err.(*usageError); !ok || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("job = %d, %d, %v; want a usage error with %q", k, n, err, tt.errText)
				}
				return
			}
			if err != nil || k != tt.k || n != tt.n {
				t.Fatalf("job = %d, %d, %v; want %d, %d", k, n, err, tt.k, tt.n)
			}
		})
	}
}
