package regtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// result is what a client without retries saw.
type result struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// fetch makes one request with a fresh connection (so net/http does not
// retry on its own) and reads the whole body.
func fetch(ctx context.Context, method, url string, header http.Header) result {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return result{err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: body, err: err}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	reg := NewGGCR(t)
	if err := reg.Populate(t.Context(), Standard(t)); err != nil {
		t.Fatal(err)
	}
	const (
		manifest = "/v2/base/os/manifests/3.19"
		catalog  = "/v2/_catalog"
		tags     = "/v2/team-a/api/tags/list"
	)
	status := func(code int, retryAfter string) func(*testing.T, result) {
		return func(t *testing.T, r result) {
			t.Helper()
			if r.err != nil || r.status != code || r.header.Get("Retry-After") != retryAfter {
				t.Errorf("got status %d Retry-After %q err %v, want %d %q", r.status, r.header.Get("Retry-After"), r.err, code, retryAfter)
			}
		}
	}
	linkTo := func(want string) func(*testing.T, result) {
		return func(t *testing.T, r result) {
			t.Helper()
			if r.err != nil || r.status != http.StatusOK || r.header.Get("Link") != want {
				t.Errorf("got status %d Link %q err %v, want 200 %q", r.status, r.header.Get("Link"), r.err, want)
			}
		}
	}
	decoy, _, _ := reg.Faults.Decoy()
	tests := []struct {
		name    string
		rule    Rule
		method  string
		path    string
		timeout time.Duration
		check   func(*testing.T, result)
	}{
		{name: "429", rule: Rule{Fault: FaultStatus, Status: 429, RetryAfter: "1"}, path: manifest, check: func(t *testing.T, r result) {
			status(429, "1")(t, r)
			if !bytes.Contains(r.body, []byte("TOOMANYREQUESTS")) {
				t.Errorf("body %q lacks the error code", r.body)
			}
		}},
		{name: "500", rule: Rule{Fault: FaultStatus, Status: 500}, path: catalog, check: status(500, "")},
		{name: "502", rule: Rule{Fault: FaultStatus, Status: 502}, path: tags, check: status(502, "")},
		{name: "503 by default", rule: Rule{Fault: FaultStatus, RetryAfter: "0"}, path: manifest, check: status(503, "0")},
		{name: "503 on HEAD", rule: Rule{Fault: FaultStatus}, method: http.MethodHead, path: manifest, check: status(503, "")},
		{name: "truncate", rule: Rule{Fault: FaultTruncate}, path: manifest, check: func(t *testing.T, r result) {
			if !errors.Is(r.err, io.ErrUnexpectedEOF) {
				t.Errorf("got status %d, %d bytes, err %v; want io.ErrUnexpectedEOF", r.status, len(r.body), r.err)
			}
		}},
		{name: "reset", rule: Rule{Fault: FaultReset}, path: tags, check: func(t *testing.T, r result) {
			if r.err == nil || r.status != 0 {
				t.Errorf("got status %d err %v; want a transport error", r.status, r.err)
			}
		}},
		{name: "drip", rule: Rule{Fault: FaultDrip, Delay: 500 * time.Millisecond}, path: manifest, timeout: 3 * time.Second, check: func(t *testing.T, r result) {
			if r.status != http.StatusOK || !errors.Is(r.err, context.DeadlineExceeded) || len(r.body) == 0 || len(r.body) > 10 {
				t.Errorf("got status %d, %d bytes, err %v; want 200, a few bytes, then the deadline", r.status, len(r.body), r.err)
			}
		}},
		{name: "endless drip", rule: Rule{Fault: FaultEndlessDrip, Delay: time.Millisecond}, path: tags, timeout: 3 * time.Second, check: func(t *testing.T, r result) {
			// At a byte per millisecond, 3s pass the end of the body: it went on.
			body := strings.TrimRight(string(r.body), " ")
			if r.status != http.StatusOK || r.header.Get("Content-Length") != "" || !errors.Is(r.err, context.DeadlineExceeded) ||
				len(body) == len(r.body) || !json.Valid([]byte(body)) {
				t.Errorf("got status %d, Content-Length %q, %q, err %v; want 200, none, the body then spaces until the deadline",
					r.status, r.header.Get("Content-Length"), r.body, r.err)
			}
		}},
		{name: "stall", rule: Rule{Fault: FaultStall, Delay: 5 * time.Second}, path: catalog, timeout: time.Second, check: func(t *testing.T, r result) {
			if r.status != 0 || !errors.Is(r.err, context.DeadlineExceeded) {
				t.Errorf("got status %d err %v; want the deadline before any header", r.status, r.err)
			}
		}},
		{name: "self link", rule: Rule{Fault: FaultSelfLink}, path: catalog + "?n=100", check: linkTo(`</v2/_catalog?n=100>; rel="next"`)},
		{name: "foreign link", rule: Rule{Fault: FaultForeignLink}, path: tags, check: linkTo(`<http://` + decoy + tags + `>; rel="next"`)},
		{name: "repeat page", rule: Rule{Fault: FaultRepeatPage}, path: tags, check: linkTo(`<` + tags + `?regtest-page=1>; rel="next"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			reg.Faults.Set()
			clean := fetch(t.Context(), method, reg.URL+tt.path, nil)
			if clean.err != nil || clean.status != http.StatusOK {
				t.Fatalf("fault-free %s %s: %d %v", method, tt.path, clean.status, clean.err)
			}
			reg.Faults.Set(tt.rule)
			reg.Counter.Reset()
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			tt.check(t, fetch(ctx, method, reg.URL+tt.path, nil))
			if n := reg.Faults.Injected(tt.rule.Fault); n != 1 {
				t.Errorf("Injected(%s) = %d, want 1", tt.rule.Fault, n)
			}
			// The fault was transient: the next attempt is fault-free.
			again := fetch(t.Context(), method, reg.URL+tt.path, nil)
			if again.err != nil || again.status != http.StatusOK || !sameBody(again.body, clean.body) || again.header.Get("Link") != "" {
				t.Errorf("second attempt: %d %q Link %q err %v, want %q", again.status, again.body, again.header.Get("Link"), again.err, clean.body)
			}
			if n := reg.Counter.Total(); n != 2 {
				t.Errorf("counted %s, want 2 requests", reg.Counter)
			}
			if n := reg.Faults.InjectedTotal(); n != 1 {
				t.Errorf("InjectedTotal = %d, want 1", n)
			}
		})
	}
	reg.Faults.Set()
}

func TestFaultRules(t *testing.T) {
	t.Parallel()
	reg := NewGGCR(t)
	if err := reg.Populate(t.Context(), Standard(t)); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	get := func(path string) int { return fetch(ctx, http.MethodGet, reg.URL+path, nil).status }
	head := func(path string) int { return fetch(ctx, http.MethodHead, reg.URL+path, nil).status }

	t.Run("times", func(t *testing.T) {
		reg.Faults.Set(Rule{Fault: FaultStatus, Status: 500, Times: 2})
		got := []int{get("/v2/_catalog"), get("/v2/_catalog"), get("/v2/_catalog"), get("/v2/_catalog?n=5")}
		if want := []int{500, 500, 200, 500}; !equal(got, want) {
			t.Errorf("statuses %v, want %v (each request URI counts alone)", got, want)
		}
	})
	t.Run("permanent", func(t *testing.T) {
		reg.Faults.Set(Rule{Fault: FaultStatus, Status: 502, Times: -1})
		got := []int{get("/v2/_catalog"), get("/v2/_catalog"), get("/v2/_catalog")}
		if want := []int{502, 502, 502}; !equal(got, want) {
			t.Errorf("statuses %v, want %v", got, want)
		}
		if n := reg.Faults.Injected(FaultStatus); n != 3 {
			t.Errorf("Injected = %d, want 3", n)
		}
	})
	t.Run("repo", func(t *testing.T) {
		reg.Faults.Set(Rule{Fault: FaultStatus, Repo: "team-a/api", Times: -1})
		got := []int{get("/v2/base/os/tags/list"), get("/v2/team-a/api/tags/list"), get("/v2/team-a/api/manifests/v1.9"), get("/v2/_catalog")}
		if want := []int{200, 503, 503, 200}; !equal(got, want) {
			t.Errorf("statuses %v, want %v", got, want)
		}
	})
	t.Run("routes", func(t *testing.T) {
		reg.Faults.Set(Rule{Fault: FaultStatus, Routes: []Route{RouteManifestHead}, Times: -1})
		got := []int{get("/v2/base/os/manifests/3"), head("/v2/base/os/manifests/3"), get("/v2/base/os/tags/list")}
		if want := []int{200, 503, 200}; !equal(got, want) {
			t.Errorf("statuses %v, want %v", got, want)
		}
	})
	t.Run("rules in order", func(t *testing.T) {
		reg.Faults.Set(
			Rule{Fault: FaultStatus, Status: 429},
			Rule{Fault: FaultStatus, Status: 500},
		)
		got := []int{get("/v2/_catalog"), get("/v2/_catalog"), get("/v2/_catalog")}
		if want := []int{429, 500, 200}; !equal(got, want) {
			t.Errorf("statuses %v, want %v", got, want)
		}
	})
	t.Run("body faults skip HEAD", func(t *testing.T) {
		reg.Faults.Set(Rule{Fault: FaultTruncate, Times: -1}, Rule{Fault: FaultDrip, Times: -1})
		r := fetch(ctx, http.MethodHead, reg.URL+"/v2/base/os/manifests/3", nil)
		if r.err != nil || r.status != 200 || r.header.Get("Content-Length") == "0" || reg.Faults.InjectedTotal() != 0 {
			t.Errorf("HEAD: %d Content-Length %q err %v, injected %d", r.status, r.header.Get("Content-Length"), r.err, reg.Faults.InjectedTotal())
		}
	})
	t.Run("repeat chain", func(t *testing.T) {
		reg.Faults.Set(Rule{Fault: FaultRepeatPage})
		first := fetch(ctx, http.MethodGet, reg.URL+"/v2/team-a/api/tags/list", nil)
		seen := map[string]bool{}
		r := first
		for range 3 {
			next := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Link"), "<"), `>; rel="next"`)
			if next == "" || seen[next] {
				t.Fatalf("Link %q: want a new URL", r.header.Get("Link"))
			}
			seen[next] = true
			r = fetch(ctx, http.MethodGet, reg.URL+next, nil)
			if !bytes.Equal(r.body, first.body) {
				t.Errorf("page %s = %q, want the first page %q again", next, r.body, first.body)
			}
		}
		if n := reg.Faults.Injected(FaultRepeatPage); n != 4 {
			t.Errorf("Injected = %d, want 4", n)
		}
	})
	t.Run("endless pages", func(t *testing.T) {
		for _, tt := range []struct {
			path, field string
			name        func(int) string
		}{
			{"/v2/team-a/api/tags/list?n=1000", "tags", EndlessTag},
			{"/v2/_catalog?n=1000", "repositories", EndlessRepo},
		} {
			reg.Faults.Set(Rule{Fault: FaultEndlessPages})
			r := fetch(ctx, http.MethodGet, reg.URL+tt.path, nil)
			seen := map[string]bool{}
			for k := 1; k <= 3; k++ {
				next := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Link"), "<"), `>; rel="next"`)
				if next == "" || seen[next] {
					t.Fatalf("page %d: Link %q, want a new URL", k, r.header.Get("Link"))
				}
				seen[next] = true
				r = fetch(ctx, http.MethodGet, reg.URL+next, nil)
				var page map[string]json.RawMessage
				var names []string
				if err := json.Unmarshal(r.body, &page); err != nil || r.status != http.StatusOK || json.Unmarshal(page[tt.field], &names) != nil {
					t.Fatalf("page %d: %d %q %v", k, r.status, r.body, err)
				}
				if len(names) != EndlessPageSize || names[0] != tt.name((k-1)*EndlessPageSize) || names[EndlessPageSize-1] != tt.name(k*EndlessPageSize-1) {
					t.Errorf("page %d lists %d names from %q, want %d from %q", k, len(names), names[0], EndlessPageSize, tt.name((k-1)*EndlessPageSize))
				}
			}
			if n := reg.Faults.Injected(FaultEndlessPages); n != 4 {
				t.Errorf("%s: Injected = %d, want 4 (the first page and three of the chain)", tt.path, n)
			}
		}
		if EndlessTag(42) != "zz-endless-0000042" || EndlessRepo(42) != "zz-endless/r0000042" {
			t.Errorf("names %q, %q", EndlessTag(42), EndlessRepo(42))
		}
	})
	t.Run("endless tag alias", func(t *testing.T) {
		reg.Faults.Set()
		var list struct{ Tags []string }
		if err := json.Unmarshal(fetch(ctx, http.MethodGet, reg.URL+"/v2/team-a/api/tags/list", nil).body, &list); err != nil || len(list.Tags) == 0 {
			t.Fatalf("tags: %v", err)
		}
		want := fetch(ctx, http.MethodGet, reg.URL+"/v2/team-a/api/manifests/"+list.Tags[0], nil)
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			got := fetch(ctx, method, reg.URL+"/v2/team-a/api/manifests/"+EndlessTag(7), nil)
			d := got.header.Get("Docker-Content-Digest")
			if got.status != http.StatusOK || d == "" || d != want.header.Get("Docker-Content-Digest") {
				t.Errorf("%s of an endless tag: %d digest %q, want 200 and %q", method, got.status, d, want.header.Get("Docker-Content-Digest"))
			}
		}
	})
	t.Run("decoy", func(t *testing.T) {
		reg.Faults.Set()
		host, _, _ := reg.Faults.Decoy()
		fetch(ctx, http.MethodGet, "http://"+host+"/v2/_catalog", nil)
		fetch(ctx, http.MethodGet, "http://"+host+"/v2/_catalog", http.Header{"Authorization": {"Bearer x"}})
		if _, n, creds := reg.Faults.Decoy(); n != 2 || creds != 1 {
			t.Errorf("decoy saw %d requests, %d with credentials; want 2, 1", n, creds)
		}
	})
}

// sameBody compares two bodies; catalog pages compare as sets, since the
// go-containerregistry registry lists repositories in random order.
func sameBody(a, b []byte) bool {
	var ca, cb struct{ Repositories []string }
	if json.Unmarshal(a, &ca) == nil && json.Unmarshal(b, &cb) == nil && ca.Repositories != nil {
		slices.Sort(ca.Repositories)
		slices.Sort(cb.Repositories)
		return slices.Equal(ca.Repositories, cb.Repositories)
	}
	return bytes.Equal(a, b)
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
