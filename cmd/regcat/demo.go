package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/examples"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
)

// defaultDemoAddr is where the demo serves its site unless --addr says
// otherwise; when it is busy, the demo takes a free port instead.
const defaultDemoAddr = "127.0.0.1:8080"

// demoTitle is the demo site's title.
const demoTitle = "regcat demo registry"

// demoOptions are the flags of regcat demo.
type demoOptions struct {
	// snapshot is the snapshot directory; empty means a temporary one,
	// removed on exit.
	snapshot string
	out      string
	addr     string
	noServe  bool
	site     siteFlags
}

func newDemoCmd(e *env) *cobra.Command {
	o := demoOptions{out: render.DefaultOut, addr: defaultDemoAddr}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build and serve a catalog of an in-process demo registry",
		Long: `Demo starts a registry in this process on 127.0.0.1, pushes the example images
described in examples/catalog.json (several repositories with tag histories,
a multi-platform image, a base image and images built on it), crawls it,
renders the site to --out and serves it, printing the URL. The demo registry
stays up while the site is served, so its pull commands work.

No setup and no network: everything stays on the loopback interface. When the
default address is busy, a free port is used; an --addr given explicitly must
be free.`,
		Example: `  regcat demo
  regcat demo --no-serve --out /tmp/site
  regcat demo --addr 127.0.0.1:9000 --snapshot ./demo-snapshot`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("addr") && o.addr == "" {
				return &usageError{errors.New("--addr: empty address")}
			}
			return runDemo(cmd.Context(), e, o, !cmd.Flags().Changed("addr"))
		},
	}
	cmd.Flags().StringVar(&o.out, "out", o.out, "site directory to write (replaced atomically)")
	cmd.Flags().StringVar(&o.snapshot, "snapshot", "", "keep the crawled snapshot in `DIR` (default: a temporary directory)")
	cmd.Flags().StringVar(&o.addr, "addr", o.addr, "address to serve the site on")
	cmd.Flags().BoolVar(&o.noServe, "no-serve", false, "build the site and exit")
	o.site.register(cmd.Flags())
	return cmd
}

// runDemo runs the demo: registry, examples, crawl, render, then (unless
// o.noServe) serve until ctx ends. fallback allows a free port when
// o.addr is busy.
func runDemo(ctx context.Context, e *env, o demoOptions, fallback bool) error {
	snapDir := o.snapshot
	if snapDir == "" {
		tmp, err := os.MkdirTemp("", "regcat-demo-snapshot-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(tmp)
		snapDir = filepath.Join(tmp, "snapshot")
	}
	return withDemoRegistry(ctx, func(ctx context.Context, host string) error {
		partial := buildDemo(ctx, e, host, snapDir, o)
		var pe *pipeline.PartialError
		if partial != nil && !errors.As(partial, &pe) {
			return partial
		}
		if o.noServe {
			fmt.Fprintf(e.stdout, "Demo site written to %s; open %s in a browser or run: regcat serve --out %s\n",
				o.out, siteIndex(o.out), o.out)
			return partial
		}
		ready := func(url string) {
			fmt.Fprintf(e.stdout, "Serving the demo catalog at %s (Ctrl-C to stop).\nThe demo registry is up at %s meanwhile, e.g. crane ls %s/team-a/api\n",
				url, host, host)
		}
		if err := serveDemo(ctx, e, o.out, o.addr, fallback, ready); err != nil {
			return err
		}
		return partial
	})
}

// buildDemo fills the registry at host with the examples, crawls it into
// snapDir and renders out. Recorded crawl failures (there should be none)
// come back as a *pipeline.PartialError after the site is rendered.
func buildDemo(ctx context.Context, e *env, host, snapDir string, o demoOptions) error {
	rcfg := render.Config{Out: o.out, Title: demoTitle}
	if err := o.site.apply(&rcfg); err != nil {
		return err
	}
	start := time.Now()
	if err := examples.Populate(ctx, host); err != nil {
		return fmt.Errorf("demo registry: %w", err)
	}
	e.logger().Info("demo registry populated", "registry", host, "elapsed", time.Since(start).Round(time.Millisecond))
	// A demo registry is new on every run (and on another port), so a
	// previous snapshot has nothing to offer: the crawl is full.
	return runPipeline(ctx, e, pipeline.Config{
		SnapshotDir: snapDir,
		Crawl:       &crawler.Config{Registry: host},
		Full:        true,
		Render:      &rcfg,
	})
}

// serveDemo serves the site in dir on addr, or on a free loopback port
// when fallback is set and addr is busy, until ctx ends. ready gets the
// site's URL once it is listening.
func serveDemo(ctx context.Context, e *env, dir, addr string, fallback bool, ready func(url string)) error {
	err := serveSite(ctx, e, dir, addr, ready)
	if fallback && errors.Is(err, syscall.EADDRINUSE) {
		e.logger().Info("address busy; using a free port", "addr", addr)
		err = serveSite(ctx, e, dir, "127.0.0.1:0", ready)
	}
	return err
}

// withDemoRegistry runs go-containerregistry's in-memory registry on a
// free 127.0.0.1 port, with its request log discarded, for as long as f
// runs.
func withDemoRegistry(ctx context.Context, f func(ctx context.Context, host string) error) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo registry: %w", err)
	}
	srv := &http.Server{
		Handler:           registry.New(registry.Logger(log.New(io.Discard, "", 0))),
		ReadHeaderTimeout: 10 * time.Second,
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("demo registry: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		defer srv.Close()
		return f(gctx, ln.Addr().String())
	})
	return g.Wait()
}

// siteIndex returns the file:// URL of the site's index page, or the
// plain path when it cannot be made absolute.
func siteIndex(dir string) string {
	abs, err := filepath.Abs(filepath.Join(dir, "index.html"))
	if err != nil {
		return filepath.Join(dir, "index.html")
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}
