package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newCrawlCmd is a placeholder until the crawl command lands.
func newCrawlCmd(_ *env) *cobra.Command {
	return &cobra.Command{
		Use:    "crawl",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("crawl: not implemented yet") },
	}
}
