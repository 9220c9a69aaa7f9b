package regtest

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// checkServes lists and fetches every repository and tag of fx from reg
// with go-containerregistry's client and compares them with fx.
func checkServes(t *testing.T, reg *Registry, fx *Fixture, extra ...remote.Option) {
	t.Helper()
	ctx := t.Context()
	opts := append([]remote.Option{remote.WithContext(ctx), remote.WithAuth(reg.Auth())}, extra...)
	registry, err := name.NewRegistry(reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(ctx, registry, opts...)
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	slices.Sort(repos)
	if want := fx.RepoNames(); !slices.Equal(repos, want) {
		t.Fatalf("catalog = %q, want %q", repos, want)
	}
	for _, r := range fx.Repos {
		repo, err := name.NewRepository(reg.Host + "/" + r.Name)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := remote.List(repo, opts...)
		if err != nil {
			t.Fatalf("tags of %s: %v", r.Name, err)
		}
		if want := fx.TagNames()[r.Name]; !slices.Equal(tags, want) {
			t.Errorf("tags of %s = %q, want %q", r.Name, tags, want)
		}
		for _, tag := range r.Tags {
			desc, err := remote.Get(repo.Tag(tag.Name), opts...)
			if err != nil {
				t.Errorf("get %s:%s: %v", r.Name, tag.Name, err)
				continue
			}
			if desc.Digest != tag.Digest || desc.MediaType != tag.MediaType {
				t.Errorf("%s:%s is %s %s, want %s %s", r.Name, tag.Name, desc.MediaType, desc.Digest, tag.MediaType, tag.Digest)
			}
		}
	}
}

func TestGGCRServesStandard(t *testing.T) {
	t.Parallel()
	reg := NewGGCR(t)
	fx := Standard(t)
	if err := reg.Populate(t.Context(), fx); err != nil {
		t.Fatal(err)
	}
	if n := reg.Counter.Total(); n != 0 {
		t.Errorf("Populate was counted: %s", reg.Counter)
	}
	if !reg.AcceptsSchema1() {
		t.Error("ggcr registry should accept schema1")
	}
	checkServes(t, reg, fx)
	if reg.Counter.Get(RouteCatalog) != 1 || reg.Counter.Get(RouteTags) != len(fx.Repos) {
		t.Errorf("counts after one catalog and %d tag lists: %s", len(fx.Repos), reg.Counter)
	}
	reg.Counter.Reset()
	if reg.Counter.Total() != 0 {
		t.Errorf("after Reset: %s", reg.Counter)
	}
}

// TestRetryingClientRecovers shows that transient faults leave a retrying
// client with what a fault-free registry serves.
func TestRetryingClientRecovers(t *testing.T) {
	t.Parallel()
	reg := NewGGCR(t)
	fx := Standard(t)
	if err := reg.Populate(t.Context(), fx); err != nil {
		t.Fatal(err)
	}
	reg.Faults.Set(
		Rule{Fault: FaultStatus, Status: 429, RetryAfter: "0", Routes: []Route{RouteCatalog, RouteTags}},
		Rule{Fault: FaultStatus, Status: 502, Routes: []Route{RouteManifestGet}},
		Rule{Fault: FaultReset, Times: 2, Routes: []Route{RouteManifestGet}},
	)
	fast := remote.WithRetryBackoff(remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 5})
	checkServes(t, reg, fx, fast)
	if reg.Faults.Injected(FaultStatus) == 0 || reg.Faults.Injected(FaultReset) == 0 {
		t.Errorf("faults not injected: status %d, reset %d", reg.Faults.Injected(FaultStatus), reg.Faults.Injected(FaultReset))
	}
}

// TestReferrersAPIOption: NewGGCR serves the referrers API only with
// WithReferrersAPI, and the Counter sees its requests as RouteReferrers.
func TestReferrersAPIOption(t *testing.T) {
	t.Parallel()
	const path = "/v2/sec/app/referrers/sha256:0000000000000000000000000000000000000000000000000000000000000000"
	for _, tt := range []struct {
		name string
		opts []Option
		want int
	}{
		{"default", nil, http.StatusNotFound},
		{"with the API", []Option{WithReferrersAPI()}, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reg := NewGGCR(t, tt.opts...)
			if err := reg.Populate(context.Background(), Supply(t)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(reg.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want || reg.Counter.Get(RouteReferrers) != 1 {
				t.Errorf("status %d, want %d; %s", resp.StatusCode, tt.want, reg.Counter)
			}
		})
	}
}
