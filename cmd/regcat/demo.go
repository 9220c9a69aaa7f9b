package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newDemoCmd is a placeholder until the demo command lands.
func newDemoCmd(_ *env) *cobra.Command {
	return &cobra.Command{
		Use:    "demo",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("demo: not implemented yet") },
	}
}
