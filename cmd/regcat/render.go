package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newRenderCmd is a placeholder until the render command lands.
func newRenderCmd(_ *env) *cobra.Command {
	return &cobra.Command{
		Use:    "render",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("render: not implemented yet") },
	}
}
