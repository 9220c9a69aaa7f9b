package regtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func TestDistributionServesStandard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      []Option
		challenge string   // WWW-Authenticate prefix for an anonymous request
		repos     []string // a part of the fixture, to save time; nil: all
	}{
		{name: "anonymous"},
		// The registry checks a bcrypt hash on every request: slow under -race.
		{name: "basic", opts: []Option{WithBasicAuth()}, challenge: `Basic realm="regtest"`, repos: []string{"base/os", "team-a/api"}},
		{name: "token", opts: []Option{WithTokenAuth()}, challenge: `Bearer realm="http://localhost:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := NewDistribution(t, tt.opts...)
			fx := Standard(t).WithoutSchema1()
			if tt.repos != nil {
				fx.Repos = slices.DeleteFunc(fx.Repos, func(r Repo) bool { return !slices.Contains(tt.repos, r.Name) })
			}
			if err := reg.Populate(t.Context(), fx); err != nil {
				t.Fatal(err)
			}
			if reg.Counter.Total() != 0 {
				t.Errorf("Populate was counted: %s", reg.Counter)
			}
			checkServes(t, reg, fx)
			if tt.challenge == "" {
				return
			}
			if reg.Username == "" || reg.Password == "" {
				t.Fatal("no credentials")
			}
			if tt.name == "token" && reg.Counter.Get(RouteToken) == 0 {
				t.Errorf("no token requests counted: %s", reg.Counter)
			}
			r := fetch(t.Context(), http.MethodGet, reg.URL+"/v2/_catalog", nil)
			if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), tt.challenge) {
				t.Errorf("anonymous catalog: %d %q, want 401 %q…", r.status, r.header.Get("WWW-Authenticate"), tt.challenge)
			}
			registry, err := name.NewRegistry(reg.Host)
			if err != nil {
				t.Fatal(err)
			}
			for _, auth := range []authn.Authenticator{
				authn.Anonymous,
				&authn.Basic{Username: reg.Username, Password: "wrong"},
			} {
				_, err := remote.Catalog(t.Context(), registry, remote.WithAuth(auth))
				var terr *transport.Error
				if !errors.As(err, &terr) || terr.StatusCode != http.StatusUnauthorized {
					t.Errorf("catalog with bad credentials: %v, want 401", err)
				}
			}
		})
	}
}

func TestTokenServer(t *testing.T) {
	t.Parallel()
	reg := NewDistribution(t, WithTokenAuth())
	ctx := t.Context()
	q := url.Values{"service": {tokenService}, "scope": {"registry:catalog:*"}}
	realm := reg.Realm + "?" + q.Encode()
	basic := func(user, password string) http.Header {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.SetBasicAuth(user, password)
		return req.Header
	}
	if r := fetch(ctx, http.MethodGet, realm, basic(reg.Username, "wrong")); r.status != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", r.status)
	}
	if r := fetch(ctx, http.MethodGet, reg.Realm+"?service=other", basic(reg.Username, reg.Password)); r.status != http.StatusBadRequest {
		t.Errorf("wrong service: %d, want 400", r.status)
	}
	// An anonymous token grants nothing: the registry still says 401.
	for _, tt := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"anonymous", nil, http.StatusUnauthorized},
		{"credentials", basic(reg.Username, reg.Password), http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := fetch(ctx, http.MethodGet, realm, tt.header)
			if r.status != http.StatusOK {
				t.Fatalf("token: %d %s", r.status, r.body)
			}
			tok := strings.TrimSuffix(strings.SplitN(string(r.body), `"token":"`, 2)[1], "\n")
			tok = tok[:strings.IndexByte(tok, '"')]
			got := fetch(ctx, http.MethodGet, reg.URL+"/v2/_catalog", http.Header{"Authorization": {"Bearer " + tok}})
			if got.status != tt.want {
				t.Errorf("catalog with %s token: %d %s, want %d", tt.name, got.status, got.body, tt.want)
			}
		})
	}
}

func TestDistributionRefusesSchema1(t *testing.T) {
	t.Parallel()
	reg := NewDistribution(t)
	fx := Standard(t)
	legacy, _ := fx.Repo("legacy/app")
	err := reg.Populate(t.Context(), &Fixture{Repos: []Repo{legacy}})
	if err == nil || reg.AcceptsSchema1() {
		t.Errorf("schema1 push: %v, AcceptsSchema1 %v; want refused", err, reg.AcceptsSchema1())
	}
}

func TestDistributionPagination(t *testing.T) {
	t.Parallel()
	reg := NewDistribution(t, WithPageSize(3))
	fx := Large(t, 7, 4)
	if err := reg.Populate(t.Context(), fx); err != nil {
		t.Fatal(err)
	}
	// Follow the Link headers by hand, with a paging fault armed: it must
	// leave the pages that have their own Link alone.
	reg.Faults.Set(Rule{Fault: FaultSelfLink, Times: -1})
	var repos []string
	seen := map[string]bool{}
	next, pages := "/v2/_catalog?n=3", 0
	for next != "" && !seen[next] && pages < 10 {
		seen[next] = true
		r := fetch(t.Context(), http.MethodGet, reg.URL+next, nil)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", next, r.status, r.body)
		}
		pages++
		var page struct{ Repositories []string }
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		repos = append(repos, page.Repositories...)
		next = strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Link"), "<"), `>; rel="next"`)
	}
	if !slices.Equal(repos, fx.RepoNames()) {
		t.Errorf("paged catalog %q, want %q", repos, fx.RepoNames())
	}
	if pages != 3 || reg.Faults.Injected(FaultSelfLink) != 1 || reg.Counter.Get(RouteCatalog) != 3 {
		t.Errorf("%d pages, %d self links injected, counted %s; want 3, 1 (last page only)", pages, reg.Faults.Injected(FaultSelfLink), reg.Counter)
	}
	// A client asking for more than the page size gets 400.
	if r := fetch(t.Context(), http.MethodGet, reg.URL+"/v2/_catalog?n=4", nil); r.status != http.StatusBadRequest {
		t.Errorf("n above page size: %d, want 400", r.status)
	}
}
