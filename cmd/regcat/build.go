package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newBuildCmd(e *env) *cobra.Command {
	var (
		cf      crawlFlags
		rf      renderFlags
		snapDir string
	)
	cmd := &cobra.Command{
		Use:   "build REGISTRY [flags]",
		Short: "Crawl a registry, then render the snapshot as a site",
		Long: `build runs crawl and then render: it crawls REGISTRY into the snapshot
directory (incrementally, unless --full) and renders that snapshot to --out.
It takes the flags of both commands.

When some repositories or tags fail, the failures are recorded, the site is
rendered with a failures page, and the exit code is 3. When the crawl fails
as a whole, nothing is rendered and the previous site is left as it was.`,
		Example: `  regcat build localhost:5000
  regcat build registry.example.com --out public --base-url https://example.github.io/catalog/`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			ccfg, err := cf.config(e, a[0])
			if err != nil {
				return err
			}
			rcfg, err := rf.config(e)
			if err != nil {
				return err
			}
			_, crawlErr := runCrawl(cmd.Context(), e, ccfg, snapDir, cf.full)
			var pe *partialError
			if crawlErr != nil && !errors.As(crawlErr, &pe) {
				return crawlErr
			}
			if err := runRender(cmd.Context(), e, rcfg, snapDir); err != nil {
				return err
			}
			return crawlErr
		},
	}
	cmd.Flags().StringVarP(&snapDir, "snapshot", "s", "snapshot", "snapshot `directory` to read (incremental) and replace")
	cf.register(cmd.Flags())
	rf.register(cmd.Flags())
	return cmd
}
