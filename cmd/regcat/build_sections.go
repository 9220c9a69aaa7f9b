package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/regcat/regcat/buildfile"
	"github.com/regcat/regcat/pipeline"
)

// perRegistryFlags are the crawl flags that a config file sets per
// registry instead.
var perRegistryFlags = []string{"repo", "repos-file", "include", "exclude", "username", "password-stdin", "insecure", "plain-http"}

// buildSections is build --config FILE: every registry of the file into
// one site. A bad file or a flag that belongs in it is a usage error.
func buildSections(cmd *cobra.Command, e *env, a []string, file string, cf *crawlFlags, rf *renderFlags, snapDir string) error {
	switch {
	case file == "":
		return &usageError{errors.New("build needs REGISTRY or --config FILE")}
	case len(a) > 0:
		return &usageError{fmt.Errorf("build: REGISTRY %q and --config do not go together", a[0])}
	}
	for _, name := range perRegistryFlags {
		if cmd.Flags().Changed(name) {
			return &usageError{fmt.Errorf("--%s: with --config, set it per registry in %s", name, file)}
		}
	}
	f, err := buildfile.Load(file, os.Getenv)
	if err != nil {
		return &usageError{fmt.Errorf("--config %w", err)}
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
		c := r.Crawl
		c.Concurrency, c.QPS, c.Timeout, c.RequestDeadline = cf.concurrency, cf.qps, cf.timeout, cf.deadline
		c.MaxTags, c.MaxRepos = noCap(cf.maxTags), noCap(cf.maxRepos)
		cfg.Sections = append(cfg.Sections, pipeline.Section{Dir: r.Dir, Title: r.Title, Crawl: &c})
	}
	return runPipeline(cmd.Context(), e, cfg)
}
