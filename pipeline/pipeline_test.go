package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// startRegistry serves the standard fixture from an in-process
// distribution registry.
func startRegistry(t *testing.T) (*regtest.Registry, *regtest.Fixture) {
	t.Helper()
	reg := regtest.NewDistribution(t)
	fx := regtest.Standard(t).WithoutSchema1()
	if err := reg.Populate(context.Background(), fx); err != nil {
		t.Fatal(err)
	}
	reg.Counter.Reset()
	return reg, fx
}

// build is a crawl-and-render config of reg into dir/snapshot and
// dir/site, logging into log.
func build(reg *regtest.Registry, dir string, log *bytes.Buffer) pipeline.Config {
	return pipeline.Config{
		SnapshotDir: filepath.Join(dir, "snapshot"),
		Crawl:       &crawler.Config{Registry: reg.Host},
		Render:      &render.Config{Out: filepath.Join(dir, "site")},
		Logger:      slog.New(slog.NewTextHandler(log, nil)),
	}
}

// tree returns every file under dir by slash path; a missing dir is an
// empty tree.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// sameTree reports the first difference between two trees, or "".
func sameTree(a, b map[string]string) string {
	for name, content := range a {
		other, ok := b[name]
		switch {
		case !ok:
			return name + " is missing"
		case other != content:
			return name + " differs"
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			return name + " is new"
		}
	}
	return ""
}

// siblings returns the names beside dir that start with "."+base(dir):
// temporary directories left behind.
func siblings(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "."+filepath.Base(dir)) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestRunBuild(t *testing.T) {
	reg, fx := startRegistry(t)
	dir := t.TempDir()
	var log bytes.Buffer
	cfg := build(reg, dir, &log)
	var phases []pipeline.Phase
	cfg.Phase = func(p pipeline.Phase) { phases = append(phases, p) }
	progress := 0
	cfg.Progress = func(crawler.Stats) { progress++ }

	res, err := pipeline.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if want := []pipeline.Phase{pipeline.PhaseCrawl, pipeline.PhaseRender, pipeline.PhaseWrite}; !slices.Equal(phases, want) {
		t.Errorf("phases %v, want %v", phases, want)
	}
	if progress == 0 {
		t.Error("Progress was never called")
	}
	if res.Index == nil || len(res.Index.Repositories) != len(fx.Repos) || res.Failures != 0 {
		t.Fatalf("result: %+v", res)
	}
	if res.Crawl.TagsDone == 0 || res.Render.Pages == 0 {
		t.Errorf("counts: crawl %+v, render %+v", res.Crawl, res.Render)
	}
	written, err := snapshot.Read(cfg.SnapshotDir)
	if err != nil {
		t.Fatalf("snapshot not written: %v", err)
	}
	if !reflect.DeepEqual(&written.Index, res.Index) {
		t.Errorf("Result.Index %+v, the snapshot written has %+v", res.Index, written.Index)
	}
	if !strings.Contains(log.String(), "crawl complete") || !strings.Contains(log.String(), "rendered site") {
		t.Errorf("log lacks the crawl's or the render's summary:\n%s", log.String())
	}
	for _, d := range []string{cfg.SnapshotDir, cfg.Render.Out} {
		if left := siblings(t, d); len(left) != 0 {
			t.Errorf("left beside %s: %v", d, left)
		}
	}

	// The site a build renders from the crawl is the one render makes
	// from the snapshot on disk: same snapshot in, same bytes out.
	out := filepath.Join(dir, "from-disk")
	phases = nil
	res2, err := pipeline.Run(context.Background(), pipeline.Config{
		SnapshotDir: cfg.SnapshotDir,
		Render:      &render.Config{Out: out},
		Phase:       func(p pipeline.Phase) { phases = append(phases, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []pipeline.Phase{pipeline.PhaseRead, pipeline.PhaseRender}; !slices.Equal(phases, want) {
		t.Errorf("render-only phases %v, want %v", phases, want)
	}
	if res2.Crawl != (crawler.Stats{}) {
		t.Errorf("render-only run reports crawl counts %+v", res2.Crawl)
	}
	if d := sameTree(tree(t, cfg.Render.Out), tree(t, out)); d != "" {
		t.Errorf("build's site and render's site of the same snapshot differ: %s", d)
	}
}

func TestRunIncremental(t *testing.T) {
	reg, _ := startRegistry(t)
	dir := t.TempDir()
	var log bytes.Buffer
	cfg := build(reg, dir, &log)
	cfg.Render = nil
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	reg.Counter.Reset()
	res, err := pipeline.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The only manifest GETs are of the referrers and cosign tags (one each).
	if reg.Counter.Get(regtest.RouteManifestGet) != res.Crawl.Referrers-reg.Counter.Get(regtest.RouteReferrers) || res.Crawl.Reused == 0 {
		t.Errorf("incremental run: reused %d; %s", res.Crawl.Reused, reg.Counter)
	}

	reg.Counter.Reset()
	cfg.Full = true
	if res, err = pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if reg.Counter.Get(regtest.RouteManifestHead) != 0 || res.Crawl.Reused != 0 {
		t.Errorf("full run: reused %d; %s", res.Crawl.Reused, reg.Counter)
	}

	// A damaged repository file of the previous snapshot is logged: that
	// repository is crawled in full, the others reused, and there is no
	// change set (what that repository had is unknown).
	cfg.Full = false
	prev, err := snapshot.Read(cfg.SnapshotDir)
	if err != nil {
		t.Fatal(err)
	}
	damaged := prev.Index.Repositories[0]
	if err := os.WriteFile(filepath.Join(cfg.SnapshotDir, damaged.Path), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	reg.Counter.Reset()
	log.Reset()
	if res, err = pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(reg.Counter.Repos(), damaged.Name) || res.Crawl.Reused == 0 || res.Changes != nil ||
		!strings.Contains(log.String(), "previous repository unreadable") || !strings.Contains(log.String(), "no change set") {
		t.Errorf("damaged %s: reused %d, changes %v, requests %s; log:\n%s", damaged.Name, res.Crawl.Reused, res.Changes, reg.Counter, log.String())
	}
	if got, err := snapshot.Read(cfg.SnapshotDir); err != nil || !reflect.DeepEqual(got.Index.Repositories, prev.Index.Repositories) {
		t.Errorf("damaged repository file not replaced: %v", err)
	}

	// A damaged previous snapshot is logged and replaced by a full crawl.
	if err := os.WriteFile(filepath.Join(cfg.SnapshotDir, snapshot.IndexFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	reg.Counter.Reset()
	log.Reset()
	if res, err = pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if res.Crawl.Reused != 0 || !strings.Contains(log.String(), "previous snapshot unreadable; crawling in full") {
		t.Errorf("reused %d after a damaged snapshot; log:\n%s", res.Crawl.Reused, log.String())
	}
	if _, err := snapshot.Read(cfg.SnapshotDir); err != nil {
		t.Errorf("damaged snapshot not replaced: %v", err)
	}
}

func TestRunPartial(t *testing.T) {
	reg, _ := startRegistry(t)
	dir := t.TempDir()
	var log bytes.Buffer
	cfg := build(reg, dir, &log)
	reg.Faults.Set(regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusInternalServerError, Times: -1,
		Repo: "base/os", Routes: []regtest.Route{regtest.RouteManifestGet}})

	res, err := pipeline.Run(context.Background(), cfg)
	var pe *pipeline.PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a *PartialError", err)
	}
	if pe.Failures == 0 || pe.Failures != res.Failures || pe.Skipped != 0 || pe.SnapshotDir != cfg.SnapshotDir {
		t.Errorf("partial error %+v, result failures %d", pe, res.Failures)
	}
	// A partial run replaces both: the failures are in the snapshot and
	// on the site's failures page.
	snap, err := snapshot.Read(cfg.SnapshotDir)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(snap.Repositories, func(r snapshot.Repository) bool { return r.Name == "base/os" })
	if i < 0 || len(snap.Repositories[i].Failures) == 0 {
		t.Errorf("snapshot does not record base/os's failures")
	}
	if _, err := os.Stat(filepath.Join(cfg.Render.Out, "index.html")); err != nil {
		t.Errorf("partial run rendered no site: %v", err)
	}
}

func TestPartialErrorMessage(t *testing.T) {
	tests := []struct {
		e    pipeline.PartialError
		want string
	}{
		{pipeline.PartialError{Failures: 1, SnapshotDir: "snap"}, "crawl: 1 failure recorded in snap"},
		{pipeline.PartialError{Failures: 2, SnapshotDir: "snap"}, "crawl: 2 failures recorded in snap"},
		{pipeline.PartialError{Skipped: 1}, "1 invalid name was left out of the site"},
		{pipeline.PartialError{Failures: 3, Skipped: 2, SnapshotDir: "s"}, "crawl: 3 failures recorded in s; 2 invalid names were left out of the site"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
}

// TestRunReplacesNothing fails runs in each phase and checks that the
// previous snapshot and site are left byte for byte, with no temporary
// directory beside them.
func TestRunReplacesNothing(t *testing.T) {
	reg, _ := startRegistry(t)
	dead := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}()
	tests := []struct {
		name string
		// edit changes the config of the run that must fail.
		edit func(cfg *pipeline.Config, cancel context.CancelFunc)
		// untouched reports whether the run must not reach the registry.
		untouched bool
	}{
		{"unreachable registry", func(cfg *pipeline.Config, _ context.CancelFunc) {
			cfg.Crawl.Registry = dead
		}, true},
		{"cancelled before the run", func(_ *pipeline.Config, cancel context.CancelFunc) { cancel() }, false},
		{"cancelled during the crawl", func(cfg *pipeline.Config, cancel context.CancelFunc) {
			cfg.Progress = func(s crawler.Stats) {
				if s.TagsDone > 2 {
					cancel()
				}
			}
		}, false},
		{"cancelled as the render begins", func(cfg *pipeline.Config, cancel context.CancelFunc) {
			cfg.Phase = func(p pipeline.Phase) {
				if p == pipeline.PhaseRender {
					cancel()
				}
			}
		}, false},
		{"render fails", func(cfg *pipeline.Config, _ context.CancelFunc) {
			cfg.Render.TemplatesDir = filepath.Join(t.TempDir(), "missing")
		}, false},
		{"snapshot dir is not a snapshot", func(cfg *pipeline.Config, _ context.CancelFunc) {
			cfg.SnapshotDir = filepath.Join(filepath.Dir(cfg.SnapshotDir), "other")
			if err := os.MkdirAll(cfg.SnapshotDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(cfg.SnapshotDir, "notes.txt"), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"out is not a site", func(cfg *pipeline.Config, _ context.CancelFunc) {
			cfg.Render.Out = filepath.Join(filepath.Dir(cfg.SnapshotDir), "other")
			if err := os.MkdirAll(cfg.Render.Out, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(cfg.Render.Out, "notes.txt"), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var log bytes.Buffer
			cfg := build(reg, dir, &log)
			if _, err := pipeline.Run(context.Background(), cfg); err != nil {
				t.Fatalf("seeding: %v", err)
			}
			// A fresh crawl would differ from the previous one (its
			// crawledAt at least), so nothing left unchanged is chance.
			cfg.Full = true
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tt.edit(&cfg, cancel)
			before := tree(t, dir)
			reg.Counter.Reset()
			_, err := pipeline.Run(ctx, cfg)
			var pe *pipeline.PartialError
			if err == nil || errors.As(err, &pe) {
				t.Fatalf("error %v, want a failure", err)
			}
			if d := sameTree(before, tree(t, dir)); d != "" {
				t.Errorf("a failed run changed the files: %s (error %v)", d, err)
			}
			for _, d := range []string{cfg.SnapshotDir, cfg.Render.Out} {
				if left := siblings(t, d); len(left) != 0 {
					t.Errorf("left beside %s: %v", d, left)
				}
			}
			if tt.untouched && reg.Counter.Total() != 0 {
				t.Errorf("failed before crawling, yet sent requests: %s", reg.Counter)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	snap := t.TempDir()
	tests := []struct {
		name string
		cfg  pipeline.Config
		is   error
	}{
		{"no snapshot dir", pipeline.Config{Render: &render.Config{}}, nil},
		{"nothing to run", pipeline.Config{SnapshotDir: snap}, nil},
		{"invalid crawl", pipeline.Config{SnapshotDir: snap, Crawl: &crawler.Config{Registry: "localhost:1", Concurrency: -1}}, nil},
		{"invalid render", pipeline.Config{SnapshotDir: snap, Render: &render.Config{BadgeTag: "bad tag"}}, nil},
		{"render of a missing snapshot", pipeline.Config{SnapshotDir: filepath.Join(snap, "missing"), Render: &render.Config{Out: filepath.Join(snap, "site")}}, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			validate := tt.cfg.Validate()
			_, err := pipeline.Run(context.Background(), tt.cfg)
			switch {
			case err == nil:
				t.Fatal("no error")
			case tt.is == nil && (validate == nil || validate.Error() != err.Error()):
				t.Errorf("Run: %v; Validate: %v; want the same invalid-config error", err, validate)
			case tt.is != nil && (validate != nil || !errors.Is(err, tt.is)):
				t.Errorf("Run: %v, want %v; Validate: %v", err, tt.is, validate)
			}
		})
	}
}
