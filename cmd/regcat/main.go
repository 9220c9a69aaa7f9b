// Command regcat crawls a container registry into a snapshot and renders
// the snapshot as a static catalog site with badges.
//
// Exit codes: 0 complete; 1 fatal error (nothing replaced); 2 usage error;
// 3 completed, but some repositories or tags failed (each failure is
// recorded in the snapshot); 130 stopped by SIGINT and 143 stopped by
// SIGTERM (128 + the signal's number).
//
// The first SIGINT or SIGTERM cancels the run: the crawl, the snapshot
// write and the render stop, their temporary directories are removed and
// the previous snapshot and site are left as they were; serve and demo
// stop serving. A second signal exits at once, leaving temporary
// directories for the next run to remove.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/regcat/regcat/internal/memlimit"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// Exit codes of the regcat command. A run stopped by a signal exits with
// 128 + the signal's number, as a shell reports a process killed by it:
// 130 for SIGINT, 143 for SIGTERM.
const (
	exitOK      = 0
	exitFatal   = 1
	exitUsage   = 2
	exitPartial = 3
)

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancelCause(context.Background())
	memlimit.Start(context.Background(), memlimit.Floor) // for the life of the process
	codes := make(chan int, 1)
	// run is left behind, not waited for, only when a second signal asks
	// for an exit at once.
	go func() { codes <- run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr) }()
	os.Exit(supervise(sigs, codes, cancel, os.Stderr))
}

// supervise returns the exit code of the process: the one run sends on
// codes, or, when a second signal arrives before run returns, that
// signal's code at once. The first signal cancels run's context with an
// *interrupt as the cause.
func supervise(sigs <-chan os.Signal, codes <-chan int, cancel context.CancelCauseFunc, stderr io.Writer) int {
	interrupted := false
	for {
		select {
		case code := <-codes:
			return code
		case s := <-sigs:
			in := newInterrupt(s)
			if interrupted {
				fmt.Fprintf(stderr, "regcat: %s again; exiting at once\n", in)
				return in.code()
			}
			interrupted = true
			cancel(in)
		}
	}
}

// interrupt is the cause of a run's cancellation by a signal.
type interrupt struct{ sig os.Signal }

func newInterrupt(s os.Signal) *interrupt { return &interrupt{sig: s} }

func (in *interrupt) Error() string {
	switch in.sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return in.sig.String()
}

// code is the exit code of a process stopped by the signal.
func (in *interrupt) code() int {
	if n, ok := in.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return exitFatal
}

// run executes the command line args and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var in *interrupt
	if errors.As(context.Cause(ctx), &in) {
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "regcat: %v\n", err)
		}
		fmt.Fprintf(stderr, "regcat: stopped by %s\n", in)
		return in.code()
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errDiffer) {
		return exitFatal
	}
	var te *troubleError
	if errors.As(err, &te) {
		fmt.Fprintf(stderr, "regcat: %v\n", err)
		return exitUsage
	}
	var pe *pipeline.PartialError
	if errors.As(err, &pe) {
		fmt.Fprintf(stderr, "regcat: %v\n", err)
		return exitPartial
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "regcat: %v\nRun 'regcat --help' for usage.\n", err)
		return exitUsage
	}
	switch {
	case errors.Is(err, render.ErrNotSite):
		err = fmt.Errorf("%w; choose another --out or remove it", err)
	case errors.Is(err, snapshot.ErrNotSnapshot):
		err = fmt.Errorf("%w; choose another --snapshot or remove it", err)
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

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "regcat",
		Short: "Static catalog sites and badges for container registries",
		Long: `regcat crawls a container registry over the OCI Distribution API into a
deterministic JSON snapshot, and renders the snapshot as a static HTML catalog
with SVG badges.

` + exitCodesHelp,
		Version:       versionString(),
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
	root.AddCommand(newCrawlCmd(e), newRenderCmd(e), newBuildCmd(e), newServeCmd(e), newDemoCmd(e), newLintCmd(e), newDiffCmd(e), newMergeCmd(e), newInspectCmd(e))
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

// exitCodesHelp ends the help of the root command and of the commands that
// crawl or render.
const exitCodesHelp = `Exit codes: 0 complete; 1 fatal error (nothing replaced); 2 usage error;
3 completed, but some repositories or tags failed (recorded in the snapshot);
130 stopped by SIGINT, 143 stopped by SIGTERM (as 1: nothing that was
still being written is replaced). A second signal exits at once.`
