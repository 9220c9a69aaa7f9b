// Command benchsnap writes the snapshot of a synthetic registry without
// the network: it pushes internal/regtest's Large fixture (repos
// repositories × tags tags) to go-containerregistry's in-process
// registry on 127.0.0.1 and crawls it into a snapshot directory, as
// pipeline's BenchmarkSiteSize does, so that render speed can be
// measured on a snapshot on disk (scripts/hugo-compare.sh):
//
//	go run ./internal/cmd/benchsnap --repos 1000 --tags 19 --snapshot DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/signal"
	"syscall"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchsnap: %v\n", err)
		os.Exit(1)
	}
}

// run parses args, serves the registry, pushes the fixture and crawls it,
// printing what the snapshot holds to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchsnap", flag.ContinueOnError)
	repos := fs.Int("repos", 1000, "repositories of the fixture")
	tags := fs.Int("tags", 19, "tags per repository")
	dir := fs.String("snapshot", "", "snapshot `directory` to write (missing, empty or a snapshot)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *repos < 1 || *tags < 1 {
		return fmt.Errorf("--snapshot is required, --repos and --tags must be positive")
	}
	fx, err := regtest.NewLarge(*repos, *tags)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := srv.Listener.Addr().String()
	if err := fx.Push(ctx, host); err != nil {
		return err
	}
	res, err := pipeline.Run(ctx, pipeline.Config{
		SnapshotDir: *dir,
		Crawl:       &crawler.Config{Registry: host},
		Full:        true,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "snapshot %s: %d repositories, %d tags\n", *dir, res.Crawl.ReposDone, res.Crawl.TagsDone)
	return nil
}
