package main

import (
	"github.com/spf13/cobra"

	"github.com/regcat/regcat/pipeline"
)

func newBuildCmd(e *env) *cobra.Command {
	var (
		cf         crawlFlags
		rf         renderFlags
		nf         notifyFlags
		snapDir    string
		configFile string
	)
	cmd := &cobra.Command{
		Use:   "build (REGISTRY | --config FILE) [flags]",
		Short: "Crawl a registry, then render the snapshot as a site",
		Long: `build runs crawl and then render: it crawls REGISTRY into the snapshot
directory (incrementally, unless --full) and renders that snapshot to --out.
It takes the flags of both commands.

With --config FILE instead of REGISTRY, it crawls every registry the YAML
file lists (address, credentials from environment variables or the docker
config, repos, repos-file, include, exclude, dir, title) into its own
snapshot, --snapshot/<dir>, and renders one site: a landing page listing
the registries with their counts, and each registry's site, as build
REGISTRY makes it, under --out/<dir>/. --title names the landing page.
Crawl flags that say what or how to crawl one registry (--repo,
--repos-file, --include, --exclude, --username, --password-stdin,
--insecure, --plain-http) belong in the file then; the others apply to
every registry. A build is one process: it crawls a registry with shards: N
whole (for a sharded crawl of the file, see crawl --config --shard, merge
--config and render --config).

The new site is swapped in first, then the new snapshot; a build that fails
or is stopped before the end replaces neither, and the previous snapshot and
site are left as they were. When some repositories or tags fail, the
failures are recorded, the site is rendered with a failures page, and the
exit code is 3.

` + exitCodesHelp,
		Example: `  regcat build localhost:5000
  regcat build registry.example.com --out public --base-url https://example.github.io/catalog/
  regcat build --config regcat.yaml --out public`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if configFile != "" || len(a) == 0 {
				return buildSections(cmd, e, a, configFile, &cf, &rf, snapDir)
			}
			ccfg, err := cf.config(e, a[0])
			if err != nil {
				return err
			}
			rcfg, err := rf.config()
			if err != nil {
				return err
			}
			ncfg, err := nf.config()
			if err != nil {
				return err
			}
			return runPipeline(cmd.Context(), e, pipeline.Config{SnapshotDir: snapDir, Crawl: &ccfg, Full: cf.full, History: cf.history, Render: &rcfg, Notify: ncfg})
		},
	}
	cmd.Flags().StringVarP(&snapDir, "snapshot", "s", "snapshot", "snapshot `directory` to read (incremental) and replace")
	cmd.Flags().StringVar(&configFile, "config", "", "build one site of the registries listed in this YAML `FILE` instead of REGISTRY (see examples/regcat.yaml)")
	cf.register(cmd.Flags())
	rf.register(cmd.Flags())
	nf.register(cmd.Flags())
	return cmd
}
