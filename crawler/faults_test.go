package crawler

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// TestFaultsLoseNothing injects transient faults into a real registry and
// expects the very snapshot of a fault-free crawl, with the faults seen.
func TestFaultsLoseNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule regtest.Rule
		// tune shortens one timer for the faults that need it. Only that
		// timer is short: a loaded CI machine may take longer than it to
		// answer a healthy request, and every attempt of a request would
		// then fail.
		tune func(*Config)
	}{
		{"429 with Retry-After", regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: "1", Routes: []regtest.Route{regtest.RouteCatalog}}, nil},
		{"429 on every read", regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: "0"}, nil},
		{"500 twice", regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusInternalServerError, Times: 2}, nil},
		{"502", regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusBadGateway}, nil},
		{"503", regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusServiceUnavailable}, nil},
		{"truncated bodies", regtest.Rule{Fault: regtest.FaultTruncate}, nil},
		{"connection resets", regtest.Rule{Fault: regtest.FaultReset, Times: 2}, nil},
		{"slow drip", regtest.Rule{Fault: regtest.FaultDrip, Delay: 10 * time.Second, Repo: "team-a/api"}, stallAfter(500 * time.Millisecond)},
		{"stalled headers", regtest.Rule{Fault: regtest.FaultStall, Delay: 10 * time.Second, Repo: "base/os"}, headersAfter(time.Second)},
		{"Link back to the same page", regtest.Rule{Fault: regtest.FaultSelfLink}, nil},
		{"pages that repeat", regtest.Rule{Fault: regtest.FaultRepeatPage}, nil},
	}
	fx := regtest.Standard(t)
	reg := populate(t, regtest.NewGGCR(t), fx)
	clean, _ := mustCrawl(t, testConfig(reg))
	want := files(t, clean)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg.Faults.Set(tt.rule)
			defer reg.Faults.Set()
			cfg := testConfig(reg)
			if tt.tune != nil {
				tt.tune(&cfg)
				cfg.Retry.MaxAttempts = 8
			}
			snap, st := mustCrawl(t, cfg)
			if n := reg.Faults.Injected(tt.rule.Fault); n == 0 {
				t.Fatalf("no %s fault injected", tt.rule.Fault)
			}
			diffFiles(t, want, files(t, snap))
			if tt.rule.Fault != regtest.FaultSelfLink && tt.rule.Fault != regtest.FaultRepeatPage && st.Retries == 0 {
				t.Errorf("no retries counted: %+v", st)
			}
		})
	}
}

// stallAfter shortens the stall timeout of body reads to d.
func stallAfter(d time.Duration) func(*Config) {
	return func(c *Config) { c.Retry.StallTimeout = d }
}

// headersAfter shortens the wait for response headers to d.
func headersAfter(d time.Duration) func(*Config) {
	return func(c *Config) { c.Retry.HeaderTimeout = d }
}

// TestPermanentFailures: what keeps failing is recorded, the rest of the
// crawl is intact.
func TestPermanentFailures(t *testing.T) {
	t.Parallel()
	fx := regtest.Standard(t)
	tests := []struct {
		name    string
		rule    *regtest.Rule
		wrap    func(http.Handler) http.Handler
		repo    string
		dropped string // a tag that must be left out
		check   func(t *testing.T, f snapshot.Failure)
	}{
		{
			name: "manifest always 500",
			rule: &regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusInternalServerError, Times: -1, Repo: "team-a/worker", Routes: []regtest.Route{regtest.RouteManifestGet}},
			repo: "team-a/worker",
			check: func(t *testing.T, f snapshot.Failure) {
				if f.Op != "manifest" || f.Status != http.StatusInternalServerError || f.Tag == "" {
					t.Errorf("failure %+v: want a manifest failure with status 500", f)
				}
			},
		},
		{
			name: "tags list always 503",
			rule: &regtest.Rule{Fault: regtest.FaultStatus, Times: -1, Repo: "team-a/tools/cli", Routes: []regtest.Route{regtest.RouteTags}},
			repo: "team-a/tools/cli",
			check: func(t *testing.T, f snapshot.Failure) {
				if f.Op != "tags" || f.Status != http.StatusServiceUnavailable || f.Tag != "" {
					t.Errorf("failure %+v: want a tags failure with status 503", f)
				}
			},
		},
		{
			name: "config blob missing",
			rule: &regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusNotFound, Times: -1, Repo: "team-a/worker", Routes: []regtest.Route{regtest.RouteBlobGet}},
			repo: "team-a/worker",
			check: func(t *testing.T, f snapshot.Failure) {
				if f.Op != "config" || f.Status != http.StatusNotFound || snapshot.ValidateDigest(f.Digest) != nil {
					t.Errorf("failure %+v: want a config failure with status 404 and the config digest", f)
				}
			},
		},
		{
			name:    "Docker-Content-Digest mismatch",
			wrap:    rewriteHeader("/v2/base/os/manifests/3.18", "Docker-Content-Digest", "sha256:"+strings.Repeat("0", 64)),
			repo:    "base/os",
			dropped: "3.18",
			check: func(t *testing.T, f snapshot.Failure) {
				if f.Op != "manifest" || f.Tag != "3.18" || !strings.Contains(f.Error, "digest mismatch") {
					t.Errorf("failure %+v: want a digest mismatch on 3.18", f)
				}
			},
		},
		{
			name: "child manifest bytes changed",
			wrap: rewriteBody("/v2/a/b/c/d/manifests/sha256:", func(b []byte) []byte { return append(b, ' ') }),
			repo: "a/b/c/d",
			check: func(t *testing.T, f snapshot.Failure) {
				if f.Op != "manifest" || snapshot.ValidateDigest(f.Digest) != nil || !strings.Contains(f.Error, "digest mismatch") {
					t.Errorf("failure %+v: want a digest mismatch of a child manifest", f)
				}
			},
		},
		{
			name: "oversized manifest",
			wrap: rewriteBody("/v2/charts/web/manifests/0.3.1", func(b []byte) []byte {
				return append(b, strings.Repeat(" ", MaxManifest)...)
			}),
			repo: "charts/web",
			check: func(t *testing.T, f snapshot.Failure) {
				if f.Op != "manifest" || !strings.Contains(f.Error, "cap") {
					t.Errorf("failure %+v: want an oversized manifest", f)
				}
			},
		},
	}
	clean, _ := mustCrawl(t, testConfig(populate(t, regtest.NewGGCR(t), fx)))
	want := files(t, clean)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []regtest.Option
			if tt.wrap != nil {
				opts = append(opts, regtest.WithWrap(tt.wrap))
			}
			reg := populate(t, regtest.NewGGCR(t, opts...), fx)
			if tt.rule != nil {
				reg.Faults.Set(*tt.rule)
			}
			snap, st := mustCrawl(t, testConfig(reg))
			fs := failures(snap)
			if len(fs) == 0 {
				t.Fatal("no failure recorded")
			}
			if st.Failures != len(fs) {
				t.Errorf("stats count %d failures, snapshot holds %d", st.Failures, len(fs))
			}
			for _, f := range fs {
				if f.Repo != tt.repo {
					t.Errorf("failure in %s, want only %s: %+v", f.Repo, tt.repo, f)
				}
				tt.check(t, f)
			}
			got := files(t, snap)
			path, _ := snapshot.RepoPath(tt.repo)
			for name := range want {
				if name != path && name != snapshot.IndexFile && string(got[name]) != string(want[name]) {
					t.Errorf("%s changed although its repository did not fail", name)
				}
			}
			for _, tg := range repo(t, snap, tt.repo).Tags {
				if tg.Name == tt.dropped {
					t.Errorf("tag %s kept despite its failure", tg.Name)
				}
			}
		})
	}
}

// rewriteHeader sets header key to value on GET responses for path.
func rewriteHeader(path, key, value string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == path {
				w = &headerWriter{ResponseWriter: w, key: key, value: value}
			}
			next.ServeHTTP(w, r)
		})
	}
}

type headerWriter struct {
	http.ResponseWriter
	key, value string
}

func (h *headerWriter) WriteHeader(code int) {
	h.Header().Set(h.key, h.value)
	h.ResponseWriter.WriteHeader(code)
}

// rewriteBody passes the body of GET responses whose path starts with
// prefix through change.
func rewriteBody(prefix string, change func([]byte) []byte) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, prefix) {
				next.ServeHTTP(w, r)
				return
			}
			rec := &recorder{header: http.Header{}, code: http.StatusOK}
			next.ServeHTTP(rec, r)
			body := change(rec.body)
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.code)
			w.Write(body)
		})
	}
}

type recorder struct {
	header http.Header
	code   int
	body   []byte
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { r.body = append(r.body, b...); return len(b), nil }

// TestForeignLinkRefused: a Link to another host is never followed (the
// decoy sees nothing) and the refusal is recorded.
func TestForeignLinkRefused(t *testing.T) {
	t.Parallel()
	fx := regtest.Standard(t)
	reg := populate(t, regtest.NewGGCR(t), fx)
	reg.Faults.Set(regtest.Rule{Fault: regtest.FaultForeignLink, Routes: []regtest.Route{regtest.RouteTags}, Repo: "base/os"})
	snap, _ := mustCrawl(t, testConfig(reg))
	if reg.Faults.Injected(regtest.FaultForeignLink) == 0 {
		t.Fatal("no foreign link injected")
	}
	if _, hits, _ := reg.Faults.Decoy(); hits != 0 {
		t.Errorf("the decoy host received %d requests", hits)
	}
	fs := failures(snap)
	if len(fs) != 1 || fs[0].Repo != "base/os" || fs[0].Op != "tags" || !strings.Contains(fs[0].Error, errForeignLink.Error()) {
		t.Errorf("failures %+v: want one refused link in base/os", fs)
	}
	// What the registry listed is still crawled.
	if got := len(repo(t, snap, "base/os").Tags); got != 4 {
		t.Errorf("base/os has %d tags, want 4", got)
	}
}
