package crawler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// boundsRepo is the repository the bound tests break.
const boundsRepo = "team-a/api"

// boundedConfig is testConfig with few attempts and a short deadline, so
// that a request that never ends costs about attempts × deadline.
func boundedConfig(reg *regtest.Registry) Config {
	cfg := testConfig(reg)
	cfg.RequestDeadline = 2 * time.Second
	cfg.Retry.MaxAttempts = 3
	return cfg
}

// cleanCrawl crawls reg without faults and returns the snapshot and the
// server's request counts.
func cleanCrawl(t *testing.T, reg *regtest.Registry) (*snapshot.Snapshot, map[regtest.Route]int) {
	t.Helper()
	reg.Faults.Set()
	reg.Counter.Reset()
	snap, _ := mustCrawl(t, testConfig(reg))
	return snap, routeCounts(reg)
}

func routeCounts(reg *regtest.Registry) map[regtest.Route]int {
	m := map[regtest.Route]int{}
	for r := regtest.RouteOther; r <= regtest.RouteWrite; r++ {
		m[r] = reg.Counter.Get(r)
	}
	return m
}

// TestEndlessTagList: a tag list whose Link never ends is read up to the
// cap and no further; the first MaxTags tags in byte order are crawled and
// the repository says it is truncated. Every request is accounted for.
func TestEndlessTagList(t *testing.T) {
	t.Parallel()
	reg := populate(t, regtest.NewGGCR(t), regtest.Standard(t))
	clean, cleanReq := cleanCrawl(t, reg)
	cr := repo(t, clean, boundsRepo)
	real := cr.Tags
	// The cap counts every tag listed, referrers tags included; those are
	// read (once each, as in the clean crawl) but not releases.
	listedReal := len(real) + len(cr.ReferrerTags)
	const limit = 250
	// The real tags fill the first page; every later page brings
	// EndlessPageSize new tags, and listing stops at the page that goes
	// past the cap.
	chain := (limit-listedReal)/regtest.EndlessPageSize + 1
	listed := listedReal + chain*regtest.EndlessPageSize
	kept := limit - listedReal // endless tags crawled

	reg.Faults.Set(regtest.Rule{Fault: regtest.FaultEndlessPages, Repo: boundsRepo, Times: -1})
	reg.Counter.Reset()
	cfg := boundedConfig(reg)
	cfg.MaxTags = limit
	var logs syncBuffer
	cfg.Logger = debugLogger(&logs)
	snap, st := mustCrawl(t, cfg)

	r := repo(t, snap, boundsRepo)
	if want := (snapshot.Truncation{Limit: limit, Listed: listed}); r.Truncated == nil || *r.Truncated != want {
		t.Errorf("Truncated = %+v, want %+v", r.Truncated, want)
	}
	var names []string
	for _, tg := range r.Tags {
		names = append(names, tg.Name)
	}
	var want []string
	for _, tg := range real {
		want = append(want, tg.Name)
	}
	for i := range kept {
		want = append(want, regtest.EndlessTag(i))
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("crawled %d tags %q…, want the first %d in byte order", len(names), names[:min(5, len(names))], limit)
	}
	if len(r.Failures) != 0 || st.Failures != 0 || st.Truncated != 1 {
		t.Errorf("failures %+v, stats %+v; want none and one truncation", r.Failures, st)
	}
	if got := reg.Faults.Injected(regtest.FaultEndlessPages); got != 1+chain {
		t.Errorf("served %d endless pages, want %d", got, 1+chain)
	}
	// Exact request maxima: the chain's pages, one manifest GET per endless
	// tag kept (aliases of a real image already built), nothing else.
	got := routeCounts(reg)
	wantReq := maps.Clone(cleanReq)
	wantReq[regtest.RouteTags] += chain
	wantReq[regtest.RouteManifestGet] += kept
	if fmt.Sprint(got) != fmt.Sprint(wantReq) {
		t.Errorf("server saw %v, want %v", got, wantReq)
	}
	if !strings.Contains(logs.String(), "tag list truncated at the cap") || !strings.Contains(logs.String(), fmt.Sprintf("limit=%d listed=%d", limit, listed)) {
		t.Errorf("no truncation warning with limit and listed in the log")
	}
	// The other repositories are untouched.
	cleanFiles, gotFiles := files(t, clean), files(t, snap)
	path, _ := snapshot.RepoPath(boundsRepo)
	for name := range cleanFiles {
		if name != path && name != snapshot.IndexFile && string(cleanFiles[name]) != string(gotFiles[name]) {
			t.Errorf("%s changed", name)
		}
	}
}

// TestEndlessCatalog: the catalog is read up to MaxRepos names; the index
// says it is truncated, and the invented repositories (which do not exist)
// fail one by one without retries.
func TestEndlessCatalog(t *testing.T) {
	t.Parallel()
	reg := populate(t, regtest.NewGGCR(t), regtest.Standard(t))
	clean, cleanReq := cleanCrawl(t, reg)
	real := len(clean.Repositories)
	const limit = 20
	reg.Faults.Set(regtest.Rule{Fault: regtest.FaultEndlessPages, Routes: []regtest.Route{regtest.RouteCatalog}, Times: -1})
	reg.Counter.Reset()
	cfg := boundedConfig(reg)
	cfg.MaxRepos = limit
	snap, st := mustCrawl(t, cfg)

	if want := (snapshot.Truncation{Limit: limit, Listed: real + regtest.EndlessPageSize}); snap.Index.Truncated == nil || *snap.Index.Truncated != want {
		t.Errorf("index Truncated = %+v, want %+v", snap.Index.Truncated, want)
	}
	if len(snap.Repositories) != limit || st.Truncated != 1 {
		t.Fatalf("%d repositories, %d truncations; want %d and 1", len(snap.Repositories), st.Truncated, limit)
	}
	for i := range limit - real {
		r := repo(t, snap, regtest.EndlessRepo(i))
		if len(r.Failures) != 1 || r.Failures[0].Op != "tags" || r.Failures[0].Status != http.StatusNotFound {
			t.Errorf("%s: failures %+v, want one 404 on its tag list", r.Name, r.Failures)
		}
	}
	got := routeCounts(reg)
	wantReq := maps.Clone(cleanReq)
	wantReq[regtest.RouteCatalog] = 2
	wantReq[regtest.RouteTags] += limit - real
	if fmt.Sprint(got) != fmt.Sprint(wantReq) {
		t.Errorf("server saw %v, want %v", got, wantReq)
	}
}

// TestTagCapLexical: with a registry that paginates by Link in lexical
// order (the distribution registry, two tags a page), the cap keeps the
// first MaxTags tags lexically and stops reading at the page that went
// past it; a cap equal to the whole list truncates nothing.
func TestTagCapLexical(t *testing.T) {
	t.Parallel()
	// base/os has four tags and no referrers tags, which the cap counts
	// too but the crawl does not list as tags.
	const lexRepo = "base/os"
	reg := populate(t, regtest.NewDistribution(t, regtest.WithPageSize(2)), regtest.Standard(t).WithoutSchema1())
	clean, _ := cleanCrawl(t, reg)
	var all []string
	for _, tg := range repo(t, clean, lexRepo).Tags {
		all = append(all, tg.Name)
	}
	if len(all) < 4 {
		t.Fatalf("%s has %d tags; the test needs 4", lexRepo, len(all))
	}
	tests := []struct {
		limit, pages int
		want         *snapshot.Truncation
	}{
		{3, 2, &snapshot.Truncation{Limit: 3, Listed: 4}},
		{2, 2, &snapshot.Truncation{Limit: 2, Listed: 4}}, // the page after the cap tells
		{len(all), 0, nil},
		{-1, 0, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.limit), func(t *testing.T) {
			cfg := testConfig(reg)
			cfg.MaxTags = tt.limit
			cfg.Repos = []string{lexRepo}
			reg.Counter.Reset()
			snap, st := mustCrawl(t, cfg)
			r := repo(t, snap, lexRepo)
			if fmt.Sprint(r.Truncated) != fmt.Sprint(tt.want) {
				t.Errorf("Truncated = %+v, want %+v", r.Truncated, tt.want)
			}
			n := len(all)
			if tt.want != nil {
				n = tt.limit
				if pages := reg.Counter.Get(regtest.RouteTags); pages != tt.pages {
					t.Errorf("read %d tag pages, want %d", pages, tt.pages)
				}
			}
			var names []string
			for _, tg := range r.Tags {
				names = append(names, tg.Name)
			}
			if !slices.Equal(names, all[:n]) || (st.Truncated == 1) != (tt.want != nil) {
				t.Errorf("crawled %q (%d truncations), want %q", names, st.Truncated, all[:n])
			}
		})
	}
}

// TestDripsEndAtDeadline: bodies that never stall but never end (a tag
// list dripping forever; config blobs at a byte every 100ms) fail each
// attempt at the deadline, a bounded number of times, and the crawl
// completes with the failures recorded.
func TestDripsEndAtDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rule  regtest.Rule
		op    string
		check func(t *testing.T, clean, got map[regtest.Route]int, injected, attempts, concurrency int)
	}{
		{
			name: "tag list drips forever",
			rule: regtest.Rule{Fault: regtest.FaultEndlessDrip, Repo: boundsRepo, Routes: []regtest.Route{regtest.RouteTags}, Times: -1},
			op:   "tags",
			check: func(t *testing.T, clean, got map[regtest.Route]int, injected, attempts, _ int) {
				// Exactly MaxAttempts tries of the one list page, and none
				// of the repository's manifests or configs.
				if injected != attempts || got[regtest.RouteTags] != clean[regtest.RouteTags]-1+attempts {
					t.Errorf("%d dripped attempts, tags requests %d (clean %d); want %d attempts", injected, got[regtest.RouteTags], clean[regtest.RouteTags], attempts)
				}
			},
		},
		{
			name: "config blobs drip",
			rule: regtest.Rule{Fault: regtest.FaultDrip, Delay: 100 * time.Millisecond, Repo: boundsRepo, Routes: []regtest.Route{regtest.RouteBlobGet}, Times: -1},
			op:   "config",
			check: func(t *testing.T, _, _ map[regtest.Route]int, injected, attempts, concurrency int) {
				// The first config to time out stops the repository: at
				// most the tags already in flight try theirs.
				if injected < attempts || injected > attempts*concurrency {
					t.Errorf("%d dripped attempts, want between %d and %d", injected, attempts, attempts*concurrency)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := populate(t, regtest.NewGGCR(t), regtest.Standard(t))
			clean, cleanReq := cleanCrawl(t, reg)
			reg.Faults.Set(tt.rule)
			reg.Counter.Reset()
			cfg := boundedConfig(reg)
			start := time.Now()
			snap, st := mustCrawl(t, cfg)
			// Generous: 3 attempts × 2s, with the backoff and a loaded machine.
			if el := time.Since(start); el > 60*time.Second {
				t.Errorf("crawl took %v", el)
			}
			r := repo(t, snap, boundsRepo)
			if len(r.Failures) == 0 || st.Failures == 0 {
				t.Fatalf("no failure recorded for %s", boundsRepo)
			}
			deadline := 0
			for _, f := range r.Failures {
				if f.Op == tt.op && strings.Contains(f.Error, reghttp.ErrDeadline.Error()) {
					deadline++
				}
			}
			if deadline == 0 {
				t.Errorf("failures %+v: none is a %s past its deadline", r.Failures, tt.op)
			}
			tt.check(t, cleanReq, routeCounts(reg), reg.Faults.Injected(tt.rule.Fault), cfg.Retry.MaxAttempts, DefaultConcurrency)
			// Every other repository is complete.
			for _, o := range clean.Repositories {
				if o.Name != boundsRepo && len(repo(t, snap, o.Name).Tags) != len(o.Tags) {
					t.Errorf("%s lost tags", o.Name)
				}
			}
		})
	}
}

// TestCancelStopsPromptly: cancelling the context while requests drip,
// lists never end and manifests are being fetched ends Crawl at once with
// the context's error.
func TestCancelStopsPromptly(t *testing.T) {
	t.Parallel()
	reg := populate(t, regtest.NewGGCR(t), regtest.Standard(t))
	reg.Faults.Set(
		regtest.Rule{Fault: regtest.FaultEndlessPages, Repo: boundsRepo, Times: -1},
		regtest.Rule{Fault: regtest.FaultEndlessDrip, Repo: "base/os", Times: -1},
	)
	cfg := testConfig(reg)
	cfg.MaxTags = -1
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	snap, _, err := Crawl(ctx, cfg)
	el := time.Since(start)
	if !errors.Is(err, context.Canceled) || snap != nil {
		t.Fatalf("Crawl = %v, %v; want context.Canceled and no snapshot", snap, err)
	}
	// The requirement is 2s from the signal; the bound is generous.
	if el > 500*time.Millisecond+2*time.Second {
		t.Errorf("Crawl returned %v after the cancel", el-500*time.Millisecond)
	}
}
