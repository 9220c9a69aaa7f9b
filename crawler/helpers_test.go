package crawler

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// testConfig crawls reg with its credentials and quick retries.
func testConfig(reg *regtest.Registry) Config {
	return Config{
		Registry: reg.Host,
		Auth:     reg.Auth(),
		Timeout:  5 * time.Second,
		Retry:    reghttp.Config{BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second},
	}
}

// newRegistry starts reg populated with fx, failing the test on error.
func populate(t testing.TB, reg *regtest.Registry, fx *regtest.Fixture) *regtest.Registry {
	t.Helper()
	if err := reg.Populate(context.Background(), fx); err != nil {
		t.Fatalf("populate: %v", err)
	}
	return reg
}

// mustCrawl crawls and fails the test on a fatal error.
func mustCrawl(t testing.TB, cfg Config) (*snapshot.Snapshot, Stats) {
	t.Helper()
	snap, st, err := Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	return snap, st
}

// files returns the snapshot's files with the crawl time zeroed, the only
// part that may differ between two crawls of the same registry.
func files(t testing.TB, s *snapshot.Snapshot) map[string][]byte {
	t.Helper()
	c := *s
	c.Index.CrawledAt = time.Time{}
	fs, err := c.Files()
	if err != nil {
		t.Fatalf("snapshot files: %v", err)
	}
	return fs
}

// diffFiles reports the first differing file of two snapshots.
func diffFiles(t testing.TB, want, got map[string][]byte) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("file %s missing", name)
		case !bytes.Equal(w, g):
			t.Errorf("file %s differs:\n--- want\n%s\n--- got\n%s", name, w, g)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected file %s", name)
		}
	}
}

// failures returns every failure of the snapshot, index and repositories.
func failures(s *snapshot.Snapshot) []snapshot.Failure {
	out := append([]snapshot.Failure(nil), s.Index.Failures...)
	for _, r := range s.Repositories {
		out = append(out, r.Failures...)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// debugLogger logs everything to buf.
func debugLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// repo returns the named repository of s, or fails the test.
func repo(t testing.TB, s *snapshot.Snapshot, name string) *snapshot.Repository {
	t.Helper()
	for i := range s.Repositories {
		if s.Repositories[i].Name == name {
			return &s.Repositories[i]
		}
	}
	t.Fatalf("repository %s not in snapshot", name)
	return nil
}
