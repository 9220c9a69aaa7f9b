package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/notify"
)

// hookRecorder is a notification receiver that answers status and keeps
// what it got.
type hookRecorder struct {
	status  int
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
}

func newHookRecorder(t *testing.T, status int) (*hookRecorder, string) {
	h := &hookRecorder{status: status}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, b)
		h.headers = append(h.headers, r.Header.Clone())
		h.mu.Unlock()
		w.WriteHeader(h.status)
	}))
	t.Cleanup(srv.Close)
	return h, srv.URL + "/hook"
}

func (h *hookRecorder) got() ([][]byte, []http.Header) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bodies, h.headers
}

// TestBuildNotifies: regcat build notifies after a run that changed
// something, signed, without the registry's credentials; a run without
// changes (and a first run) notifies nobody; a receiver that fails does
// not fail the build.
func TestBuildNotifies(t *testing.T) {
	hermetic(t)
	reg, _ := startRegistry(t, regtest.WithBasicAuth())
	t.Setenv(envUsername, reg.Username)
	t.Setenv(envPassword, reg.Password)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("notify-secret-9x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rec, hook := newHookRecorder(t, http.StatusNoContent)
	build := func(extra ...string) (int, string) {
		return runCLI(t, "", append([]string{"build", reg.Host, "--snapshot", filepath.Join(dir, "snap"),
			"--out", filepath.Join(dir, "site"), "--notify", hook, "--notify-secret-file", secretFile}, extra...)...)
	}
	if code, stderr := build(); code != exitOK {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	if bodies, _ := rec.got(); len(bodies) != 0 {
		t.Fatalf("a first build (nothing to compare with) notified %d times", len(bodies))
	}

	moved := regtest.Large(t, 1, 1).Repos[0].Tags[0]
	moved.Name = "3.18"
	if err := reg.Populate(context.Background(), &regtest.Fixture{Repos: []regtest.Repo{{Name: "base/os", Tags: []regtest.Tag{moved}}}}); err != nil {
		t.Fatal(err)
	}
	if code, stderr := build(); code != exitOK {
		t.Fatalf("second build: exit %d\n%s", code, stderr)
	}
	bodies, headers := rec.got()
	if len(bodies) != 1 {
		t.Fatalf("a build with a moved tag notified %d times, want once", len(bodies))
	}
	var m notify.Message
	if err := json.Unmarshal(bodies[0], &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Repositories) != 1 || m.Repositories[0].Name != "base/os" || len(m.Repositories[0].ChangedTags) != 1 ||
		m.Repositories[0].ChangedTags[0].Tag != "3.18" || m.Repositories[0].ChangedTags[0].Digest != moved.Digest.String() {
		t.Errorf("notification %+v, want base/os:3.18 moved to %s", m.Repositories, moved.Digest)
	}
	if got, want := headers[0].Get(notify.SignatureHeader), notify.Sign([]byte("notify-secret-9x"), bodies[0]); got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
	if a := headers[0].Get("Authorization"); a != "" || strings.Contains(string(bodies[0]), reg.Password) {
		t.Errorf("the notification carries the registry's credentials (Authorization %q)", a)
	}

	if code, stderr := build(); code != exitOK {
		t.Fatalf("third build: exit %d\n%s", code, stderr)
	}
	if bodies, _ := rec.got(); len(bodies) != 1 {
		t.Errorf("a build without changes notified (%d in all)", len(bodies))
	}

	// A failing receiver: logged, and the build still succeeds with the
	// new site in place.
	other := regtest.Large(t, 2, 1).Repos[1].Tags[0]
	other.Name = "3.18"
	if err := reg.Populate(context.Background(), &regtest.Fixture{Repos: []regtest.Repo{{Name: "base/os", Tags: []regtest.Tag{other}}}}); err != nil {
		t.Fatal(err)
	}
	_, failing := newHookRecorder(t, http.StatusForbidden)
	code, stderr := runCLI(t, "", "build", reg.Host, "--snapshot", filepath.Join(dir, "snap"), "--out", filepath.Join(dir, "site"), "--notify", failing)
	if code != exitOK || !strings.Contains(stderr, "notification failed") {
		t.Errorf("build with a failing receiver: exit %d\n%s", code, stderr)
	}
	page := filepath.Join(dir, "site", "r", "base~os", strings.Replace(other.Digest.String(), ":", "-", 1)+".html")
	if _, err := os.Stat(page); err != nil {
		t.Errorf("the site was not replaced before notifying: %v", err)
	}
}

func TestNotifyUsage(t *testing.T) {
	hermetic(t)
	tests := [][]string{
		{"crawl", "127.0.0.1:9", "--notify", "ftp://x/"},
		{"build", "127.0.0.1:9", "--notify", "https://x/", "--notify-secret-file", filepath.Join(t.TempDir(), "none")},
		{"crawl", "127.0.0.1:9", "--notify-secret-file", "notify_test.go"},
	}
	for _, args := range tests {
		if code, stderr := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
}
