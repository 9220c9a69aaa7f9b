// Command regcat crawls a container registry into a snapshot and renders
// the snapshot as a static catalog site with badges.
//
// Exit codes: 0 complete; 1 fatal error (nothing replaced); 2 usage error;
// 3 completed, but some repositories or tags failed (each failure is
// recorded in the snapshot).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes of the regcat command.
const (
	exitOK      = 0
	exitFatal   = 1
	exitUsage   = 2
	exitPartial = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var pe *partialError
	if errors.As(err, &pe) {
		fmt.Fprintf(stderr, "regcat: %v\n", err)
		return exitPartial
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "regcat: %v\nRun 'regcat --help' for usage.\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "regcat: %v\n", err)
	return exitFatal
}

// env carries the process's streams and global flags to the commands.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	quiet, verbose bool
}

// logger returns the slog logger selected by --quiet and --verbose,
// writing plain text lines to stderr.
func (e *env) logger() *slog.Logger {
	level := slog.LevelInfo
	switch {
	case e.quiet:
		level = slog.LevelWarn
	case e.verbose:
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// usageError marks a bad command line (exit code 2).
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

// partialError marks a run that completed with recorded failures (exit
// code 3).
type partialError struct{ err error }

func (p *partialError) Error() string { return p.err.Error() }
func (p *partialError) Unwrap() error { return p.err }

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "regcat",
		Short: "Static catalog sites and badges for container registries",
		Long: `regcat crawls a container registry over the OCI Distribution API into a
deterministic JSON snapshot, and renders the snapshot as a static HTML catalog
with SVG badges.

Exit codes: 0 complete; 1 fatal error (nothing replaced); 2 usage error;
3 completed, but some repositories or tags failed (recorded in the snapshot).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, a []string) error {
			if len(a) > 0 {
				return &usageError{fmt.Errorf("unknown command %q", a[0])}
			}
			return cmd.Help()
		},
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.PersistentFlags().BoolVarP(&e.quiet, "quiet", "q", false, "log warnings and errors only, no progress")
	root.PersistentFlags().BoolVarP(&e.verbose, "verbose", "v", false, "log debug details")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newCrawlCmd(e), newRenderCmd(e), newBuildCmd(e), newServeCmd(e), newDemoCmd(e))
	return root
}

// args wraps a cobra positional-argument check so that its errors are
// usage errors.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return &usageError{err}
		}
		return nil
	}
}

// count writes n with the singular or plural words that follow it.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
