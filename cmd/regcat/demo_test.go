package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/regcat/regcat/snapshot"
)

func TestDemoNoServe(t *testing.T) {
	dir := t.TempDir()
	site, snap := filepath.Join(dir, "site"), filepath.Join(dir, "snapshot")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"demo", "--no-serve", "-q", "--out", site, "--snapshot", snap}, strings.NewReader(""), &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("regcat demo --no-serve: exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), site) {
		t.Errorf("stdout does not say where the site is: %q", stdout.String())
	}
	s, err := snapshot.Read(snap)
	if err != nil {
		t.Fatalf("--snapshot %s was not kept: %v", snap, err)
	}
	tags, failures := 0, len(s.Index.Failures)
	for _, r := range s.Repositories {
		tags += len(r.Tags)
		failures += len(r.Failures)
	}
	if len(s.Repositories) != 7 || tags != 44 || failures != 0 {
		t.Errorf("snapshot: %d repositories, %d tags, %d failures; want the examples' 7, 44, 0", len(s.Repositories), tags, failures)
	}
	page, err := os.ReadFile(filepath.Join(site, "r", "team-a~api", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte("Orders API")) {
		t.Error("team-a/api's page does not show its title")
	}
}

func TestDemoUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"argument", []string{"demo", "extra"}},
		{"empty addr", []string{"demo", "--addr", ""}},
		{"unknown flag", []string{"demo", "--no-such-flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(context.Background(), tt.args, strings.NewReader(""), &bytes.Buffer{}, &stderr); code != exitUsage {
				t.Errorf("regcat %q: exit %d, want %d\n%s", tt.args, code, exitUsage, stderr.String())
			}
		})
	}
}

// TestDemoServeBusyAddr occupies a port: the default address falls back to
// a free port, an address given by --addr is an error.
func TestDemoServeBusyAddr(t *testing.T) {
	site := t.TempDir()
	if err := os.WriteFile(filepath.Join(site, "index.html"), []byte("<!doctype html><title>x</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, quiet: true}

	err = serveDemo(context.Background(), e, site, addr, false, func(string) { t.Error("served on a busy address") })
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("explicit busy --addr: %v, want EADDRINUSE", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		errc <- serveDemo(ctx, e, site, addr, true, func(u string) { urls <- u })
	})
	var u string
	select {
	case u = <-urls:
	case err := <-errc:
		t.Fatalf("default address busy: %v, want a fallback port", err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("serve on the fallback port: %v", err)
	}
	if strings.Contains(u, addr) || !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Errorf("fallback URL %s, want another 127.0.0.1 port than the busy %s", u, addr)
	}
}
