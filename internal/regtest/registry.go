package regtest

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry is a real registry served over plain HTTP on 127.0.0.1 for one
// test. Its servers close when the test ends (tb.Cleanup).
type Registry struct {
	// Host is the registry's address, "127.0.0.1:PORT"; go-containerregistry
	// speaks plain HTTP to it without further options.
	Host string
	// URL is "http://" + Host.
	URL string
	// Username and Password are the credentials the registry (or its token
	// server) accepts; both are empty for an anonymous registry.
	Username, Password string
	// Realm is the token server's URL announced in the registry's
	// WWW-Authenticate challenge, "http://localhost:PORT/token" (another
	// host than Host), or "" unless WithTokenAuth was given.
	Realm string
	// Counter counts the requests to the registry and its token server.
	Counter *Counter
	// Faults injects failures into the requests to the registry and its
	// token server; it starts with no rules.
	Faults *Faults

	schema1 bool
}

// Option configures NewGGCR and NewDistribution.
type Option func(*options)

type options struct {
	wrap      func(http.Handler) http.Handler
	auth      authMode
	pageSize  int
	referrers bool
	notify    []Endpoint
}

type authMode int

const (
	authNone authMode = iota
	authBasic
	authToken
)

// WithWrap puts wrap's handler directly around the real registry handler,
// inside the Counter and the Faults, for faults this package lacks.
func WithWrap(wrap func(http.Handler) http.Handler) Option {
	return func(o *options) { o.wrap = wrap }
}

// WithBasicAuth makes NewDistribution require HTTP basic auth (htpasswd,
// bcrypt) with Registry.Username and Registry.Password on every request.
func WithBasicAuth() Option {
	return func(o *options) { o.auth = authBasic }
}

// WithTokenAuth makes NewDistribution require bearer tokens from an
// in-process token server (Registry.Realm) that checks basic credentials
// (Registry.Username, Registry.Password) and grants the requested scopes,
// `registry:catalog:*` included.
func WithTokenAuth() Option {
	return func(o *options) { o.auth = authToken }
}

// WithPageSize sets NewDistribution's largest catalog and tag list page
// (default 1000). The distribution registry answers 400 to a request whose
// n is above it, and pages without n hold at most 100 catalog entries.
func WithPageSize(n int) Option {
	return func(o *options) { o.pageSize = n }
}

// WithReferrersAPI makes NewGGCR serve the OCI 1.1 referrers API
// (go-containerregistry's registry.WithReferrersSupport), which it does not
// by default. Its quirks: the listing is in random order, never paginated,
// ignores the artifactType filter, and gives each referrer's config media
// type as its artifactType, not the manifest's artifactType. The
// distribution registry (v3.1) has no referrers API: pushes of manifests
// with a subject write the referrers tag schema's fallback tag there.
func WithReferrersAPI() Option {
	return func(o *options) { o.referrers = true }
}

// Test credentials: fixed and distinctive, so that a test can search logs,
// errors and snapshots for them.
const (
	testUser     = "regtest-user"
	testPassword = "regtest-pass-Zq7xW2"
)

// NewGGCR serves go-containerregistry's in-process pkg/registry (logger
// discarded) on 127.0.0.1. It is anonymous and accepts schema1 manifests.
// Its quirks, which a crawler must survive: _catalog lists repositories in
// random order, honours n by truncating that random order and never sends a
// Link header; tags/list is sorted, honours n and last, never sends Link, and
// answers a last beyond the final tag with the whole list.
func NewGGCR(tb testing.TB, opts ...Option) *Registry {
	tb.Helper()
	o := applyOptions(opts)
	if o.auth != authNone || o.pageSize != 0 {
		tb.Fatal("regtest: go-containerregistry's registry supports neither auth nor page sizes")
	}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(o.referrers))
	r := newRegistry(tb, h, o)
	r.schema1 = true
	return r
}

func applyOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// newRegistry serves h behind o.wrap, new Faults and a new Counter.
func newRegistry(tb testing.TB, h http.Handler, o options) *Registry {
	return newRegistryWith(tb, h, o, newCounter(), newFaults(tb))
}

// newRegistryWith serves h behind o.wrap, faults and counter.
func newRegistryWith(tb testing.TB, h http.Handler, o options, counter *Counter, faults *Faults) *Registry {
	r := &Registry{Counter: counter, Faults: faults}
	if o.wrap != nil {
		h = o.wrap(h)
	}
	srv := serve(tb, r.Counter.wrap(r.Faults.wrap(h, classify), classify))
	r.URL = srv.URL
	r.Host = srv.Listener.Addr().String()
	return r
}

// serve starts h on 127.0.0.1 until the test ends. The cleanup first cuts
// open connections so that dripping or stalled handlers end at once.
func serve(tb testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	tb.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

// Auth returns the registry's credentials for go-containerregistry, or
// authn.Anonymous for an anonymous registry.
func (r *Registry) Auth() authn.Authenticator {
	if r.Username == "" {
		return authn.Anonymous
	}
	return &authn.Basic{Username: r.Username, Password: r.Password}
}

// Populate pushes fx with the registry's credentials. Its requests are
// neither counted nor faulted. It returns an error if fx holds a schema1
// manifest and the registry refuses them (see Fixture.WithoutSchema1).
func (r *Registry) Populate(ctx context.Context, fx *Fixture) error {
	t := &setupTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	defer t.base.CloseIdleConnections()
	return fx.Push(ctx, r.Host, remote.WithAuth(r.Auth()), remote.WithTransport(t))
}

// AcceptsSchema1 reports whether the registry stores legacy Docker schema1
// manifests; the distribution registry v3 refuses them.
func (r *Registry) AcceptsSchema1() bool {
	return r.schema1
}

// setupTransport marks Populate's requests.
type setupTransport struct {
	base *http.Transport
}

func (t *setupTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(setupHeader, "1")
	return t.base.RoundTrip(req)
}
