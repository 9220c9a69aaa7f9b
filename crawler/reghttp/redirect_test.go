package reghttp

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

const (
	testUser     = "crawler"
	testPassword = "hunter2-secret-password"
	testToken    = "secret-bearer-token"
)

// authRecorder is a loopback server that answers 200 and remembers the
// Authorization header of every request.
type authRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newAuthRecorder(t *testing.T) *authRecorder {
	t.Helper()
	ar := &authRecorder{}
	ar.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar.mu.Lock()
		ar.seen = append(ar.seen, r.Header.Get("Authorization"))
		ar.mu.Unlock()
		io.WriteString(w, "blob")
	}))
	t.Cleanup(ar.Close)
	return ar
}

func (ar *authRecorder) headers() []string {
	ar.mu.Lock()
	defer ar.mu.Unlock()
	return append([]string(nil), ar.seen...)
}

// redirectingRegistry answers the Distribution API's /v2/ ping with an
// auth challenge (basic, or bearer with a token realm on itself), demands
// credentials on /v2/repo/blobs/..., and redirects that blob with 307 to
// blobURL, as registries do for blob storage.
func redirectingRegistry(t *testing.T, scheme, blobURL string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	basicOK := func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		return ok && u == testUser && p == testPassword
	}
	authorized := func(r *http.Request) bool {
		if scheme == "basic" {
			return basicOK(r)
		}
		return r.Header.Get("Authorization") == "Bearer "+testToken
	}
	challenge := func(w http.ResponseWriter) {
		if scheme == "basic" {
			w.Header().Set("WWW-Authenticate", `Basic realm="regcat-test"`)
		} else {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="regcat-test"`, srv.URL))
		}
		http.Error(w, `{"errors":[{"code":"UNAUTHORIZED"}]}`, http.StatusUnauthorized)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) {
			challenge(w)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v2/repo/blobs/") {
			http.Redirect(w, r, blobURL, http.StatusTemporaryRedirect)
			return
		}
		io.WriteString(w, "{}")
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		if !basicOK(r) {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, `{"token":%q}`, testToken)
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestRedirectThroughAuthTransport wires the stack as the crawler does —
// http.Client over go-containerregistry's auth transport over Transport —
// and follows a registry's blob redirect to another loopback port.
func TestRedirectThroughAuthTransport(t *testing.T) {
	for _, scheme := range []string{"basic", "bearer"} {
		t.Run(scheme, func(t *testing.T) {
			blobHost := newAuthRecorder(t)
			reg := redirectingRegistry(t, scheme, blobHost.URL+"/storage/blob")
			registry, err := name.NewRegistry(strings.TrimPrefix(reg.URL, "http://"), name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			rt := newTestTransport(t, Config{})
			auth := authn.FromConfig(authn.AuthConfig{Username: testUser, Password: testPassword})
			authRT, err := transport.NewWithContext(t.Context(), registry, auth, rt, []string{"repository:repo:pull"})
			if err != nil {
				t.Fatalf("auth handshake: %v", err)
			}
			client := &http.Client{Transport: authRT}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, reg.URL+"/v2/repo/blobs/sha256:abc", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("GET blob: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			// The registry only redirects authorized requests, so reaching
			// the blob host proves credentials were sent to the registry.
			if resp.StatusCode != http.StatusOK || string(body) != "blob" {
				t.Fatalf("GET blob = %d %q, want 200 \"blob\" from the blob host", resp.StatusCode, body)
			}
			if got := blobHost.headers(); len(got) != 1 || got[0] != "" {
				t.Fatalf("blob host saw Authorization %q, want one request without it", got)
			}
		})
	}
}

// TestRedirectDropsForeignCredential covers a header set by the caller
// itself: net/http's Client compares host names without ports and forwards
// it from 127.0.0.1:A to 127.0.0.1:B; Transport must drop it there but keep
// it on a same-host redirect.
func TestRedirectDropsForeignCredential(t *testing.T) {
	const header = "Bearer " + testToken
	tests := []struct {
		name      string
		sameHost  bool
		bare      bool // plain http.Transport: shows the gap the check closes
		wantAuthz string
	}{
		{name: "other port, bare net/http leaks", bare: true, wantAuthz: header},
		{name: "other port, dropped", wantAuthz: ""},
		{name: "same host, kept", sameHost: true, wantAuthz: header},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := newAuthRecorder(t)
			var origin *httptest.Server
			origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.sameHost && r.URL.Path == "/blob" {
					target.Config.Handler.ServeHTTP(w, r)
					return
				}
				dest := target.URL + "/blob"
				if tt.sameHost {
					dest = origin.URL + "/blob"
				}
				http.Redirect(w, r, dest, http.StatusTemporaryRedirect)
			}))
			t.Cleanup(origin.Close)
			var rt http.RoundTripper = newTestTransport(t, Config{})
			if tt.bare {
				rt = http.DefaultTransport.(*http.Transport).Clone()
			}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, origin.URL+"/v2/repo/blobs/x", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", header)
			resp, err := (&http.Client{Transport: rt}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := target.headers(); len(got) != 1 || got[0] != tt.wantAuthz {
				t.Fatalf("redirect target saw Authorization %q, want [%q]", got, tt.wantAuthz)
			}
		})
	}
}
