package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/snapshot"
)

// errDiffer ends diff with exit code 1 when the snapshots differ, as
// diff(1) does; the change set itself is the output.
var errDiffer = errors.New("snapshots differ")

// troubleError is an error of diff that is not a difference: exit code
// 2, as diff(1) gives for trouble, so that 1 always means "differ".
type troubleError struct{ err error }

func (e *troubleError) Error() string { return e.err.Error() }
func (e *troubleError) Unwrap() error { return e.err }

func newDiffCmd(e *env) *cobra.Command {
	format := "text"
	cmd := &cobra.Command{
		Use:   "diff OLD NEW [--format text|json]",
		Short: "Show what changed between two snapshot directories",
		Long: `diff compares the snapshot directories OLD and NEW and prints the change set
between them: repositories added and removed; per repository, tags added,
moved (old digest -> new digest) and deleted, and images added and removed;
with the crawl time of both sides. It is the change set a crawl records in
the snapshot's change log. Tags and repositories that NEW could not crawl
(recorded failures, caps) are not reported as deleted.

--format json prints the change set as JSON (the fields of a change-log
file without schemaVersion; see docs/snapshot.md).

Exit codes: 0 the snapshots are equal; 1 they differ; 2 usage error or a
snapshot that cannot be read.`,
		Example: `  regcat diff snapshot-yesterday snapshot
  regcat diff old new --format json | jq '.repositories[].changedTags'`,
		Args: args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if format != "text" && format != "json" {
				return &usageError{fmt.Errorf("format: %q is not text or json", format)}
			}
			old, err := snapshot.Open(a[0])
			if err != nil {
				return &troubleError{err}
			}
			defer old.Close()
			new, err := snapshot.Open(a[1])
			if err != nil {
				return &troubleError{err}
			}
			defer new.Close()
			set, err := changes.DiffSources(cmd.Context(), old, new)
			if err != nil {
				return &troubleError{err}
			}
			if err := writeSet(e, set, format); err != nil {
				return &troubleError{err}
			}
			if !set.Empty() {
				return errDiffer
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", format, "output `format`: text or json")
	return cmd
}

func writeSet(e *env, set *changes.Set, format string) error {
	if format == "text" {
		return set.WriteText(e.stdout)
	}
	b, err := set.Marshal()
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(b)
	return err
}
