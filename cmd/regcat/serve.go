package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newServeCmd is a placeholder until the serve command lands.
func newServeCmd(_ *env) *cobra.Command {
	return &cobra.Command{
		Use:    "serve",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("serve: not implemented yet") },
	}
}
