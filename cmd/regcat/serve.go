package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
)

// defaultServeAddr is where serve listens unless told otherwise: loopback
// only, so a preview is never exposed by accident.
const defaultServeAddr = "127.0.0.1:8080"

// serveCSP repeats the pages' Content-Security-Policy as a header, where
// frame-ancestors (ignored in a meta tag) also applies.
const serveCSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func newServeCmd(e *env) *cobra.Command {
	var (
		cf   crawlFlags
		rf   renderFlags
		sf   serveFlags
		nf   notifyFlags
		addr = defaultServeAddr
	)
	cmd := &cobra.Command{
		Use:   "serve [--out DIR] [--addr HOST:PORT] [--refresh REGISTRY --hook-token-file FILE [flags]]",
		Short: "Serve a rendered site, and with --refresh keep it fresh on webhooks",
		Long: `serve serves the site in --out over HTTP until interrupted, the way a static
host would: 404.html for missing paths, index.html for directories. It
listens on 127.0.0.1 unless --addr says otherwise.

With --refresh REGISTRY it also refreshes the site on demand: POST
/-/hooks/registry takes the distribution registry's notifications, POST
/-/hooks/refresh a CI job's or Docker Hub's request (?repo=NAME, repeatable;
none means the whole registry), both with "Authorization: Bearer TOKEN" or
?token=TOKEN (the content of --hook-token-file). They answer 202 at once;
refreshes run one at a time after --debounce, re-crawl only the named
repositories into --snapshot, render and swap the site in atomically, then
run --on-publish. GET /-/hooks/status tells the last refresh and the queue.
It starts with a refresh of the whole registry. It takes the flags of build.

` + exitCodesHelp,
		Example: `  regcat serve --out public
  regcat serve --refresh registry.example.com:5000 --hook-token-file hook.token \
    --snapshot snap --out public --addr 0.0.0.0:8080 --on-publish 'rsync -a --delete public/ web:/srv/catalog/'`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ready := func(url string) {
				fmt.Fprintf(e.stdout, "Serving %s at %s (Ctrl-C to stop).\n", rf.out, url)
			}
			if sf.refresh == "" {
				if err := refreshOnly(cmd.Flags()); err != nil {
					return err
				}
				return serveSite(cmd.Context(), e, rf.out, addr, ready)
			}
			cfg, err := sf.config(e, &cf, &rf, &nf)
			if err != nil {
				return err
			}
			return serveRefresh(cmd.Context(), e, cfg, addr, ready)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", addr, "`host:port` to listen on")
	sf.register(cmd.Flags())
	cf.register(cmd.Flags())
	rf.register(cmd.Flags())
	nf.register(cmd.Flags())
	return cmd
}

// serveSite serves the site in dir on addr until ctx is done, calling
// ready with the site's URL once it listens. Files are read through an
// os.Root, so symbolic links cannot reach outside dir. A listen error
// wraps the system error (for example syscall.EADDRINUSE).
func serveSite(ctx context.Context, e *env, dir, addr string, ready func(url string)) error {
	if _, err := os.Stat(path.Join(dir, "index.html")); err != nil {
		return fmt.Errorf("no site in %s (run regcat render first): %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer root.Close()
	return listenAndServe(ctx, e, siteHandler(root.FS()), addr, ready, nil)
}

// listenAndServe serves h on addr until ctx is done, running background
// (when set) beside the server; ready is called with the URL once it
// listens. background's error ends the server; it must return once ctx
// is done.
func listenAndServe(ctx context.Context, e *env, h http.Handler, addr string, ready func(url string), background func(context.Context) error) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := e.logger()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done() // ctx ended, or Serve failed
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	})
	if background != nil {
		g.Go(func() error { return background(gctx) })
	}
	if ready != nil {
		ready("http://" + urlHost(ln.Addr()) + "/")
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Debug("server stopped", "addr", ln.Addr().String())
	return nil
}

// urlHost is the host:port of a listener for a URL, with a wildcard
// address shown as loopback.
func urlHost(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// siteHandler serves fsys as a static host does: GET and HEAD only,
// 404.html (with status 404) for missing files, no directory listings.
func siteHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", serveCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "."
		}
		fi, err := fs.Stat(fsys, name)
		if err == nil && fi.IsDir() {
			_, err = fs.Stat(fsys, path.Join(name, "index.html"))
		}
		if err != nil {
			notFound(w, fsys)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// notFound writes the site's 404.html with status 404.
func notFound(w http.ResponseWriter, fsys fs.FS) {
	b, err := fs.ReadFile(fsys, "404.html")
	if err != nil {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	w.Write(b)
}
