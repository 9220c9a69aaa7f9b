package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/refresh"
)

// maxSecretFile caps the size of a --hook-token-file or
// --notify-secret-file.
const maxSecretFile = 64 << 10

// serveFlags are the flags of serve --refresh beside the crawl and render
// flags.
type serveFlags struct {
	refresh, snapshot, tokenFile, onPublish string
	debounce, publishTimeout                time.Duration
}

// register adds the flags to fs.
func (f *serveFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.refresh, "refresh", "", "refresh the site from `REGISTRY` when a hook asks (see /-/hooks/)")
	fs.StringVarP(&f.snapshot, "snapshot", "s", "snapshot", "with --refresh: snapshot `directory` to read (incremental) and replace")
	fs.StringVar(&f.tokenFile, "hook-token-file", "", "with --refresh: `FILE` holding the token hook requests must present")
	fs.DurationVar(&f.debounce, "debounce", refresh.DefaultDebounce, "with --refresh: wait this long after a hook, coalescing what else arrives, before refreshing")
	fs.StringVar(&f.onPublish, "on-publish", "", "with --refresh: shell `command` run (sh -c) after each successful refresh")
	fs.DurationVar(&f.publishTimeout, "on-publish-timeout", refresh.DefaultPublishTimeout, "with --refresh: longest run of --on-publish before it is stopped")
}

// serveOnly are the flags of serve that apply without --refresh.
var serveOnly = map[string]bool{"out": true, "addr": true, "help": true}

// refreshOnly reports a usage error for a flag given that only --refresh
// uses.
func refreshOnly(fs *pflag.FlagSet) error {
	var bad []string
	fs.Visit(func(f *pflag.Flag) {
		if !serveOnly[f.Name] {
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) > 0 {
		return &usageError{fmt.Errorf("%s: only with --refresh", strings.Join(bad, ", "))}
	}
	return nil
}

// config builds the refresher's configuration; a missing token file and
// flags that contradict a refresh are usage errors.
func (f *serveFlags) config(e *env, cf *crawlFlags, rf *renderFlags, nf *notifyFlags) (refresh.Config, error) {
	var cfg refresh.Config
	if f.tokenFile == "" {
		return cfg, &usageError{errors.New("--refresh needs --hook-token-file")}
	}
	token, err := readSecretFile(f.tokenFile)
	if err != nil {
		return cfg, &usageError{fmt.Errorf("--hook-token-file: %w", err)}
	}
	ccfg, err := cf.config(e, f.refresh)
	if err != nil {
		return cfg, err
	}
	rcfg, err := rf.config()
	if err != nil {
		return cfg, err
	}
	ncfg, err := nf.config()
	if err != nil {
		return cfg, err
	}
	cfg = refresh.Config{
		Run:            pipeline.Config{SnapshotDir: f.snapshot, Crawl: &ccfg, Full: cf.full, History: cf.history, Render: &rcfg, Notify: ncfg},
		Token:          token,
		Debounce:       f.debounce,
		OnPublish:      f.onPublish,
		PublishTimeout: f.publishTimeout,
		Output:         e.stderr,
		Logger:         e.logger(),
	}
	if err := cfg.Validate(); err != nil {
		return cfg, &usageError{err}
	}
	return cfg, nil
}

// readSecretFile returns the content of a secret file without surrounding
// white space; an empty one is an error.
func readSecretFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s: over %d bytes", name, maxSecretFile)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s: empty", name)
	}
	return s, nil
}

// serveRefresh serves the site of cfg and its hooks on addr, refreshing
// in the background, until ctx is done. It starts with a refresh of the
// whole registry, which catches up with what was pushed while it was not
// running.
func serveRefresh(ctx context.Context, e *env, cfg refresh.Config, addr string, ready func(url string)) error {
	r, err := refresh.New(cfg)
	if err != nil {
		return &usageError{err}
	}
	if err := r.Request(nil); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(refresh.HookPrefix, r)
	mux.Handle("/", liveSite(cfg.Run.Render.Out))
	return listenAndServe(ctx, e, mux, addr, ready, r.Run)
}

// Opening a site being swapped in: the two renames of a swap leave dir
// missing for an instant, which a request waits out.
const (
	openRetries = 20
	openDelay   = 5 * time.Millisecond
)

// liveSite serves the site in dir as it is when each request comes: the
// directory is opened again for every request, so a refresh's swap shows
// at once and one request reads one tree, the previous or the new. With
// no site (yet) it answers 503.
func liveSite(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		root, err := openSite(req.Context(), dir)
		if err != nil {
			w.Header().Set("Retry-After", "5")
			http.Error(w, "the site is not rendered yet", http.StatusServiceUnavailable)
			return
		}
		defer root.Close()
		siteHandler(root.FS()).ServeHTTP(w, req)
	})
}

// openSite opens dir, waiting out the instant of a swap when it is
// missing.
func openSite(ctx context.Context, dir string) (*os.Root, error) {
	for i := 0; ; i++ {
		root, err := os.OpenRoot(dir)
		if err == nil || !errors.Is(err, fs.ErrNotExist) || i == openRetries {
			return root, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(openDelay):
		}
	}
}
