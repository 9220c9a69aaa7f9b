package regtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	// The distribution registry finds its storage driver and access
	// controllers by name in registries filled by these packages' init.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

// quietDistribution silences the distribution registry, which logs through
// logrus's standard logger; regcat itself logs with log/slog.
var quietDistribution = sync.OnceFunc(func() {
	logrus.SetOutput(io.Discard)
	logrus.SetLevel(logrus.PanicLevel)
})

// NewDistribution serves the CNCF distribution registry (v3, in-process,
// in-memory storage) on 127.0.0.1, with its logging silenced. Options:
// WithBasicAuth, WithTokenAuth, WithPageSize, WithWrap, WithNotifications. It refuses Docker
// schema1 manifests (push Fixture.WithoutSchema1). Its quirks, which a
// crawler must survive: _catalog is sorted and paginated with Link headers
// (100 entries per page without n), answers 400 PAGINATION_NUMBER_INVALID to
// an n above the page size, and sends a Link after a full last page, whose
// follow-up is an empty page; tags/list paginates the same way.
func NewDistribution(tb testing.TB, opts ...Option) *Registry {
	tb.Helper()
	quietDistribution()
	o := applyOptions(opts)
	if o.referrers {
		tb.Fatal("regtest: the distribution registry has no referrers API")
	}
	pageSize := o.pageSize
	if pageSize <= 0 {
		pageSize = 1000
	}
	cfg := &configuration.Configuration{
		Storage: configuration.Storage{
			"inmemory":    configuration.Parameters{},
			"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
		},
	}
	cfg.HTTP.Secret = "regtest-http-secret"
	configureNotifications(cfg, o.notify)
	cfg.Catalog.MaxEntries = pageSize
	cfg.Tags.MaxTags = o.pageSize

	counter, faults := newCounter(), newFaults(tb)
	var user, password, realm string
	switch o.auth {
	case authBasic:
		user, password = testUser, testPassword
		path, err := htpasswd(tb.TempDir(), user, password)
		if err != nil {
			tb.Fatalf("regtest: %v", err)
		}
		cfg.Auth = configuration.Auth{"htpasswd": configuration.Parameters{"realm": "regtest", "path": path}}
	case authToken:
		user, password = testUser, testPassword
		ts, err := newTokenServer(tb.TempDir(), user, password)
		if err != nil {
			tb.Fatalf("regtest: %v", err)
		}
		route := func(*http.Request) Route { return RouteToken }
		srv := serve(tb, counter.wrap(faults.wrap(ts, route), route))
		// A realm on another host, as Docker Hub's auth.docker.io. Named
		// "localhost": go-containerregistry refuses realms at loopback IP
		// literals other than the registry's own host:port.
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		realm = "http://localhost:" + port + tokenPath
		cfg.Auth = configuration.Auth{"token": configuration.Parameters{
			"realm":          realm,
			"service":        tokenService,
			"issuer":         tokenIssuer,
			"rootcertbundle": ts.bundle,
		}}
	}

	app := handlers.NewApp(context.Background(), cfg)
	tb.Cleanup(func() { _ = app.Shutdown() })
	r := newRegistryWith(tb, app, o, counter, faults)
	r.Username, r.Password, r.Realm = user, password, realm
	return r
}

// htpasswd writes an htpasswd file with one bcrypt entry (minimum cost:
// the registry checks it on every request) into dir.
func htpasswd(dir, user, password string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return "", fmt.Errorf("htpasswd: %w", err)
	}
	path := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(path, []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("htpasswd: %w", err)
	}
	return path, nil
}
