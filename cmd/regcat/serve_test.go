package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// renderedFixture renders the render package's fixture snapshot and
// returns the site directory.
func renderedFixture(t *testing.T) string {
	t.Helper()
	snap, err := snapshot.Read("../../render/testdata/fixture")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	if _, err := render.Render(context.Background(), render.Config{Out: out}, snap); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestServeSite(t *testing.T) {
	dir := renderedFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	var g errgroup.Group
	g.Go(func() error {
		return serveSite(ctx, &env{stdout: io.Discard, stderr: io.Discard}, dir, "127.0.0.1:0", func(u string) { urls <- u })
	})
	base := <-urls
	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "", 200, "Repositories"},
		{"GET", "index.html", 200, "team-a/api"},
		{"GET", "r/team-a~api/", 200, "Tag history"},
		{"GET", "assets/style.css", 200, "prefers-color-scheme"},
		{"GET", "api/index.json", 200, `"schemaVersion":3`},
		{"GET", "no/such/page", 404, "Not found"},
		{"GET", "r/", 404, "Not found"}, // no directory listings
		{"GET", "../../../etc/passwd", 404, "Not found"},
		{"POST", "index.html", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if !strings.Contains(string(b), tt.body) {
				t.Errorf("body does not contain %q", tt.body)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
	cancel()
	if err := g.Wait(); err != nil {
		t.Fatalf("serveSite after cancel: %v", err)
	}
}

func TestServeNoSite(t *testing.T) {
	err := serveSite(context.Background(), &env{stdout: io.Discard, stderr: io.Discard}, t.TempDir(), "127.0.0.1:0", nil)
	if err == nil || !strings.Contains(err.Error(), "no site") {
		t.Fatalf("serveSite on an empty directory = %v, want a no-site error", err)
	}
}
