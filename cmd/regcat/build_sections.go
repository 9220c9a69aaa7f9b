package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/regcat/regcat/buildfile"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/snapshot"
)

// perRegistryFlags are the crawl flags that a config file sets per
// registry instead; notWithConfig are those of things a run of several
// registries does not do.
var (
	perRegistryFlags = []string{"repo", "repos-file", "include", "exclude", "username", "password-stdin", "insecure", "plain-http"}
	notWithConfig    = []string{"notify", "notify-secret-file", "history"}
)

// loadConfig reads the --config FILE of command, which then takes no
// REGISTRY (a); a bad file or a flag that belongs in it is a usage error.
func loadConfig(cmd *cobra.Command, command, file string, a []string) (*buildfile.File, error) {
	switch {
	case file == "":
		return nil, &usageError{fmt.Errorf("%s needs REGISTRY or --config FILE", command)}
	case len(a) > 0:
		return nil, &usageError{fmt.Errorf("%s: REGISTRY %q and --config do not go together", command, a[0])}
	}
	for _, name := range perRegistryFlags {
		if cmd.Flags().Changed(name) {
			return nil, &usageError{fmt.Errorf("--%s: with --config, set it per registry in %s", name, file)}
		}
	}
	for _, name := range notWithConfig {
		if cmd.Flags().Changed(name) {
			return nil, &usageError{fmt.Errorf("--%s: not with --config", name)}
		}
	}
	f, err := buildfile.Load(file, os.Getenv)
	if err != nil {
		return nil, &usageError{fmt.Errorf("--config %w", err)}
	}
	return f, nil
}

// buildSections is build --config FILE: every registry of the file,
// crawled whole whatever its shards, into one site.
func buildSections(cmd *cobra.Command, e *env, a []string, file string, cf *crawlFlags, rf *renderFlags, snapDir string) error {
	f, err := loadConfig(cmd, "build", file, a)
	if err != nil {
		return err
	}
	rcfg, err := rf.config()
	if err != nil {
		return err
	}
	if !cmd.Flags().Changed("title") {
		rcfg.Title = f.Title
	}
	cfg := pipeline.Config{SnapshotDir: snapDir, Full: cf.full, Render: &rcfg}
	for _, r := range f.Registries {
		cfg.Sections = append(cfg.Sections, cf.section(r, nil))
	}
	return runPipeline(cmd.Context(), e, cfg)
}

// section is registry r's section, crawled with the crawl flags that
// apply to every registry, as shard sh when not nil.
func (cf *crawlFlags) section(r buildfile.Registry, sh *snapshot.Shard) pipeline.Section {
	c := r.Crawl
	c.Concurrency, c.QPS, c.Timeout, c.RequestDeadline = cf.concurrency, cf.qps, cf.timeout, cf.deadline
	c.MaxTags, c.MaxRepos = noCap(cf.maxTags), noCap(cf.maxRepos)
	c.ReferrersArtifactType = cf.referrersType
	c.Shard = sh
	return pipeline.Section{Dir: r.Dir, Title: r.Title, Crawl: &c}
}

// crawlSections is crawl --config FILE: every registry of the file into
// snapDir/<dir>, whole, or with --shard the shard of each registry that
// this job crawls (buildfile.Registry.Shard).
func crawlSections(cmd *cobra.Command, e *env, a []string, file string, cf *crawlFlags, sf *shardFlags, snapDir string) error {
	f, err := loadConfig(cmd, "crawl", file, a)
	if err != nil {
		return err
	}
	k, n, err := sf.job(os.Getenv)
	if err != nil {
		return err
	}
	cfg := pipeline.Config{SnapshotDir: snapDir, Full: cf.full}
	for _, r := range f.Registries {
		if n != 0 && r.Shards > n {
			return &usageError{fmt.Errorf("--shard %s: %d jobs leave shards of %s (shards: %d) uncrawled", sf.shard, n, r.Dir, r.Shards)}
		}
		if k == 0 {
			cfg.Sections = append(cfg.Sections, cf.section(r, nil))
		} else if sh, ok := r.Shard(k); ok {
			cfg.Sections = append(cfg.Sections, cf.section(r, &sh))
		}
	}
	if len(cfg.Sections) == 0 {
		e.logger().Info("no registry has this shard; nothing to crawl", "job", k, "shards", f.MaxShards())
		return nil
	}
	return runPipeline(cmd.Context(), e, cfg)
}

// renderSections is render --config FILE: the snapshots snapDir/<dir>
// of the file's registries, as crawl --config or merge --config wrote
// them, rendered as one site.
func renderSections(cmd *cobra.Command, e *env, file string, rf *renderFlags, snapDir string) error {
	f, err := loadConfig(cmd, "render", file, nil)
	if err != nil {
		return err
	}
	rcfg, err := rf.config()
	if err != nil {
		return err
	}
	if !cmd.Flags().Changed("title") {
		rcfg.Title = f.Title
	}
	cfg := pipeline.Config{SnapshotDir: snapDir, Render: &rcfg}
	for _, r := range f.Registries {
		cfg.Sections = append(cfg.Sections, pipeline.Section{Dir: r.Dir, Title: r.Title})
	}
	return runPipeline(cmd.Context(), e, cfg)
}

// mergeSections is merge --config FILE: the shards roots/<dir> of each
// registry of the file into out/<dir>.
func mergeSections(cmd *cobra.Command, e *env, file, out string, roots []string) error {
	f, err := loadConfig(cmd, "merge", file, nil)
	if err != nil {
		return err
	}
	dirs := make([]string, len(f.Registries))
	for i, r := range f.Registries {
		dirs[i] = r.Dir
	}
	snaps, err := pipeline.MergeSections(cmd.Context(), out, dirs, roots)
	if errors.Is(err, snapshot.ErrShards) {
		return &usageError{err}
	}
	if err != nil {
		return err
	}
	for i, s := range snaps {
		e.logger().Info("merged", "registry", dirs[i], "repos", len(s.Repositories), "snapshot", out)
	}
	return nil
}
