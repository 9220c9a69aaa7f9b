package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newBuildCmd is a placeholder until the build command lands.
func newBuildCmd(_ *env) *cobra.Command {
	return &cobra.Command{
		Use:    "build",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("build: not implemented yet") },
	}
}
