package reghttp

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// TestRemoteThroughFaults reads an image from go-containerregistry's real
// in-process registry with the crawler's stack (remote over the auth
// transport over Transport) while every endpoint first answers 503, then
// resets the connection, then truncates the body. The image must arrive
// intact, digests verified by remote.
func TestRemoteThroughFaults(t *testing.T) {
	var (
		mu    sync.Mutex
		seen  = map[string]int{}
		armed bool
	)
	faults := []fault{status(http.StatusServiceUnavailable, "Retry-After", "0"), reset(""), nil}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		key := r.Method + " " + r.URL.Path
		i := seen[key]
		seen[key]++
		on := armed
		mu.Unlock()
		switch {
		case on && i < len(faults) && faults[i] != nil:
			faults[i](w, r)
		case on && i == len(faults)-1 && r.Method == http.MethodGet && r.URL.Path != "/v2/":
			truncating(w, r, reg)
		default:
			reg.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://")+"/team/app:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithContext(t.Context())); err != nil {
		t.Fatalf("push: %v", err)
	}
	want, _ := img.Digest()
	wantCfg, _ := img.ConfigName()
	mu.Lock()
	armed = true
	clear(seen)
	mu.Unlock()

	rt := newTestTransport(t, Config{})
	scopes := []string{ref.Scope(transport.PullScope)}
	authRT, err := transport.NewWithContext(t.Context(), ref.Context().Registry, authn.Anonymous, rt, scopes)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	opts := []remote.Option{remote.WithContext(t.Context()), remote.WithTransport(authRT)}
	head, err := remote.Head(ref, opts...)
	if err != nil {
		t.Fatalf("HEAD: %v", err)
	}
	got, err := remote.Image(ref, opts...)
	if err != nil {
		t.Fatalf("GET manifest: %v", err)
	}
	cfg, err := got.RawConfigFile() // remote verifies the config digest
	if err != nil {
		t.Fatalf("GET config: %v", err)
	}
	gotDigest, _ := got.Digest()
	gotCfg, _ := got.ConfigName()
	if head.Digest != want || gotDigest != want || gotCfg != wantCfg || len(cfg) == 0 {
		t.Fatalf("HEAD %s, GET %s, config %s; want %s and config %s", head.Digest, gotDigest, gotCfg, want, wantCfg)
	}
	// Each endpoint must have seen its faults and then exactly one good
	// answer: ping and manifest HEAD 503 and reset, manifest and config GET
	// also a truncation. (net/http itself retries some resets on reused
	// connections, so the server's counts, not Stats, pin the attempts.)
	mu.Lock()
	defer mu.Unlock()
	for key, n := range seen {
		want := 4
		if strings.HasPrefix(key, "HEAD") || key == "GET /v2/" {
			want = 3
		}
		if n != want {
			t.Errorf("%s: %d requests, want %d", key, n, want)
		}
	}
	if len(seen) != 4 {
		t.Errorf("requests %v, want ping, manifest HEAD and GET, config GET", seen)
	}
	// Five RoundTrip calls (the https probe of the ping, the ping, HEAD,
	// manifest, config), none given up.
	s := rt.Stats()
	if s.Requests-s.Retries != 5 || s.Failures != 0 {
		t.Errorf("Stats = %+v, want 5 calls and no failures", s)
	}
	t.Logf("stats %+v, requests %v", s, seen)
}

// truncating serves the registry's answer with the body cut in half.
func truncating(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	conn, rw := hijack(w)
	defer conn.Close()
	fmt.Fprintf(rw, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	rec.Header().Set("Content-Length", fmt.Sprint(len(body)))
	rec.Header().Write(rw)
	fmt.Fprintf(rw, "\r\n%s", body[:len(body)/2])
	rw.Flush()
}
