package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/lint"
	"github.com/regcat/regcat/snapshot"
)

// errFindings is returned by lint when a finding fails the run (exit 1).
var errFindings = errors.New("lint findings fail the run")

func newLintCmd(e *env) *cobra.Command {
	snapDir, format := "snapshot", "text"
	var require, failOn []string
	cmd := &cobra.Command{
		Use:   "lint [--snapshot DIR] [--require KEY,...] [--fail-on RULE,...] [--format text|json|github]",
		Short: "Check the labels and bases of a snapshot's images, for CI",
		Long: `lint reads a snapshot and reports, per image, what the metadata rules find:
missing required keys, no labels at all, labels inherited from the base image,
invalid licenses, URLs, revisions and created dates, and bases whose tag has
moved to a newer image (stale-base). Rules: ` + strings.Join(lint.Rules, ", ") + `.

Exit codes: 0 nothing fails; 1 an image lacks a --require'd key or breaks a
rule named by --fail-on ("all" names every rule), or the snapshot cannot be
read; 2 usage error.`,
		Example: `  regcat lint --snapshot snap
  regcat lint --snapshot snap --require source,revision,licenses --fail-on stale-base,invalid-licenses --format github`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fail, err := failRules(failOn)
			if err != nil {
				return err
			}
			if !slices.Contains(lint.Formats, format) {
				return &usageError{fmt.Errorf("--format %q: want one of %s", format, strings.Join(lint.Formats, ", "))}
			}
			for _, k := range require {
				if k == "" {
					return &usageError{errors.New("--require: empty key")}
				}
			}
			snap, err := snapshot.Read(snapDir)
			if err != nil {
				return err
			}
			cat := catalog.New(snap, catalog.Config{Logger: e.logger()})
			findings := lint.Check(cat, lint.Options{Require: require})
			failing := func(f lint.Finding) bool { return f.Rule == lint.RuleMissingKey || fail[f.Rule] }
			if err := lint.Write(e.stdout, format, findings, failing); err != nil {
				return err
			}
			if slices.ContainsFunc(findings, failing) {
				return errFindings
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&snapDir, "snapshot", "s", snapDir, "snapshot `directory` to check")
	fs.StringSliceVar(&require, "require", nil, "`keys` every image must carry: OCI short names (source, revision, base.name, …) or full keys")
	fs.StringSliceVar(&failOn, "fail-on", nil, "`rules` whose findings fail the run (exit 1), or all")
	fs.StringVar(&format, "format", format, "output `format`: text, json or github (GitHub Actions annotations)")
	return cmd
}

// failRules is the set of rules --fail-on names, or a usage error for a
// rule that does not exist.
func failRules(names []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, n := range names {
		switch {
		case n == "all":
			for _, r := range lint.Rules {
				out[r] = true
			}
		case lint.IsRule(n):
			out[n] = true
		default:
			return nil, &usageError{fmt.Errorf("--fail-on %q: no such rule (rules: %s)", n, strings.Join(lint.Rules, ", "))}
		}
	}
	return out, nil
}
