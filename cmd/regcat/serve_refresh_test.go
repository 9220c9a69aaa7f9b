package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/refresh"
)

const testHookToken = "hook-token-Vb81qA"

// hookProxy stands between the registry's notifications and serve, whose
// address is known only once it listens: it drops what comes before
// serve is set, and tells when the last request came.
type hookProxy struct {
	srv    *httptest.Server
	target atomic.Pointer[httputil.ReverseProxy]
	mu     sync.Mutex
	last   time.Time
}

func newHookProxy(t *testing.T) *hookProxy {
	p := &hookProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.last = time.Now()
		p.mu.Unlock()
		if rp := p.target.Load(); rp != nil {
			rp.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusOK) // dropped: before serve started
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// quiet waits until no notification came for d.
func (p *hookProxy) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(d / 4) {
		p.mu.Lock()
		idle := time.Since(p.last)
		p.mu.Unlock()
		if idle >= d {
			return
		}
	}
	t.Fatal("notifications never stopped")
}

// servedRefresh is a running regcat serve --refresh.
type servedRefresh struct {
	url, snap, out string
	stderr         *lockedBuffer
}

// startServeRefresh runs regcat serve --refresh against reg in-process
// until the test ends, with extra flags, and waits for its first refresh.
func startServeRefresh(t *testing.T, reg *regtest.Registry, extra ...string) *servedRefresh {
	t.Helper()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(testHookToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &servedRefresh{snap: filepath.Join(dir, "snap"), out: filepath.Join(dir, "site"), stderr: &lockedBuffer{}}
	args := append([]string{"serve", "--refresh", reg.Host, "--hook-token-file", tokenFile,
		"--snapshot", s.snap, "--out", s.out, "--addr", "127.0.0.1:0", "--debounce", "200ms"}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, strings.NewReader(""), stdout, s.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("serve --refresh exited %d after cancel:\n%s", code, s.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve --refresh did not stop within 10 s of its context")
		}
	})
	for deadline := time.Now().Add(10 * time.Second); s.url == ""; time.Sleep(10 * time.Millisecond) {
		if _, u, ok := strings.Cut(stdout.String(), " at "); ok {
			s.url, _, _ = strings.Cut(u, " ")
		}
		select {
		case code := <-done:
			t.Fatalf("serve --refresh exited %d:\n%s", code, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve --refresh did not listen:\n%s", s.stderr)
		}
	}
	s.waitIdle(t, 1)
	return s
}

// status fetches the refresher's status.
func (s *servedRefresh) status(t *testing.T) refresh.Status {
	t.Helper()
	resp, err := http.Get(s.url + "-/hooks/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st refresh.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// waitIdle waits until at least n refreshes ended and none is queued or
// running, and fails the test if the last one failed.
func (s *servedRefresh) waitIdle(t *testing.T, n int) refresh.Status {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st := s.status(t)
		if st.Refreshes >= n && st.Running == nil && st.Queue.Since.IsZero() {
			if st.Last.Result != "ok" {
				t.Fatalf("last refresh %+v\n%s", st.Last, s.stderr)
			}
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("refreshes did not settle: %+v\n%s", st, s.stderr)
		}
	}
}

// waitFor polls the site until cond holds for path's existence.
func (s *servedRefresh) waitFor(t *testing.T, path string, exists bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, err := os.Stat(filepath.Join(s.out, path))
		if (err == nil) == exists {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s exists=%v after 60 s: %+v\n%s", path, !exists, s.status(t), s.stderr)
		}
	}
}

// get fetches path from the served site.
func (s *servedRefresh) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// imagePage is the site path of repo's page of digest d.
func imagePage(repo, d string) string {
	return "r/" + strings.ReplaceAll(repo, "/", "~") + "/" + strings.Replace(d, ":", "-", 1) + ".html"
}

// TestServeRefreshFromRegistryNotifications: a real distribution registry
// notifies a running serve --refresh; a new repository, a moved tag and
// a deleted manifest each show on the served site, and each refresh
// requests only the repository the events named.
func TestServeRefreshFromRegistryNotifications(t *testing.T) {
	hermetic(t)
	proxy := newHookProxy(t)
	reg, _ := startRegistry(t, regtest.WithNotifications(regtest.Endpoint{
		URL:     proxy.srv.URL + refresh.PathRegistry,
		Headers: http.Header{"Authorization": {"Bearer " + testHookToken}},
	}))
	proxy.quiet(t, 500*time.Millisecond)
	rec, hook := newHookRecorder(t, http.StatusOK)
	s := startServeRefresh(t, reg, "--notify", hook)
	target, _ := url.Parse(s.url)
	proxy.target.Store(httputil.NewSingleHostReverseProxy(target))
	if code, body := s.get(t, "r/base~os/"); code != 200 || !strings.Contains(body, "base/os") {
		t.Fatalf("first refresh: GET r/base~os/ = %d", code)
	}
	refreshes := s.status(t).Refreshes
	feedEntries := len(s.feed(t, "feed.xml").Items)
	// A reader during the refreshes gets whole pages only.
	readerCtx, stopReader := context.WithCancel(context.Background())
	readerDone := make(chan string, 1)
	go func() { readerDone <- readWhileRefreshing(readerCtx, s.url+"r/base~os/") }()
	defer func() {
		stopReader()
		if bad := <-readerDone; bad != "" {
			t.Errorf("a reader during the refreshes got %s", bad)
		}
	}()

	fresh := regtest.Large(t, 3, 1).Repos
	steps := []struct {
		name string
		repo string
		act  func() error
		page string // a site path that shows the change
		gone bool   // the change removes page
	}{
		{"push a new repository", "team-c/new", func() error {
			r := fresh[0]
			r.Name = "team-c/new"
			return reg.Populate(context.Background(), &regtest.Fixture{Repos: []regtest.Repo{r}})
		}, imagePage("team-c/new", fresh[0].Tags[0].Digest.String()), false},
		{"move a tag", "base/os", func() error {
			tg := fresh[1].Tags[0]
			tg.Name = "3.18"
			return reg.Populate(context.Background(), &regtest.Fixture{Repos: []regtest.Repo{{Name: "base/os", Tags: []regtest.Tag{tg}}}})
		}, imagePage("base/os", fresh[1].Tags[0].Digest.String()), false},
		{"delete a manifest", "team-a/worker", func() error {
			return reg.Delete(context.Background(), "team-a/worker", workerDigest(t, s))
		}, imagePage("team-a/worker", workerDigest(t, s)), true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			proxy.quiet(t, 300*time.Millisecond) // the pulls of the last refresh
			untouched := fileInfos(t, filepath.Join(s.out, "r", "team-a~api"), filepath.Join(s.snap, "repos", "team-a~api.json"))
			reg.Counter.Reset()
			if err := st.act(); err != nil {
				t.Fatal(err)
			}
			s.waitFor(t, st.page, !st.gone)
			status := s.waitIdle(t, refreshes+1)
			refreshes = status.Refreshes
			if got := reg.Counter.Repos(); !slices.Equal(got, []string{st.repo}) {
				t.Errorf("the refresh requested %v, want only %s (%s)", got, st.repo, reg.Counter)
			}
			if n := reg.Counter.Get(regtest.RouteCatalog); n != 0 {
				t.Errorf("%d catalog requests, want none", n)
			}
			// A repository no event named is neither re-crawled nor
			// re-rendered: its pages and snapshot file are the same files.
			for p, fi := range untouched {
				if now, err := os.Stat(p); err != nil || !os.SameFile(fi, now) {
					t.Errorf("%s was rewritten by a refresh of %s (%v)", p, st.repo, err)
				}
			}
			t.Logf("refreshes %d; requests %s; last refresh %s", status.Refreshes, reg.Counter, status.Last.Finished.Sub(status.Last.Started))
			want := 200
			if st.gone {
				want = 404
			}
			if code, _ := s.get(t, st.page); code != want {
				t.Errorf("GET %s = %d, want %d", st.page, code, want)
			}
			if !slices.Contains(status.Last.Repositories, st.repo) {
				t.Errorf("status names %v, want %s", status.Last.Repositories, st.repo)
			}
			// The change is in the snapshot's change log, in the status
			// and in one notification.
			log := newestChangeLog(t, s.snap)
			if !strings.Contains(log, `"name": "`+st.repo+`"`) {
				t.Errorf("the newest change-log file does not name %s:\n%s", st.repo, log)
			}
			// (A late event of the same push may have made one more
			// refresh, which found nothing left to change.)
			if status.Last.Changes == "" {
				t.Errorf("the status of the last refresh has no change summary: %+v", status.Last)
			}
			// The served feeds gain the change: the site's, and the
			// repository's own.
			site := s.feed(t, "feed.xml")
			if len(site.Items) <= feedEntries || !strings.HasPrefix(site.Items[0].Title, st.repo+": ") {
				t.Errorf("feed.xml: %d entries (was %d), the newest %q; want one for %s", len(site.Items), feedEntries, firstTitle(site), st.repo)
			}
			feedEntries = len(site.Items)
			repoFeed := s.feed(t, "r/"+strings.ReplaceAll(st.repo, "/", "~")+"/feed.xml")
			if len(repoFeed.Items) == 0 || !strings.Contains(repoFeed.Items[0].Description+repoFeed.Items[0].Content, st.repo) {
				t.Errorf("the feed of %s: newest entry %q", st.repo, firstTitle(repoFeed))
			}
			bodies, _ := rec.got()
			if len(bodies) == 0 || !strings.Contains(string(bodies[len(bodies)-1]), `"name": "`+st.repo+`"`) {
				t.Errorf("no notification names %s (%d sent)", st.repo, len(bodies))
			}
		})
	}
}

// workerDigest is the digest team-a/worker:2.0 points at in the served
// snapshot.
func workerDigest(t *testing.T, s *servedRefresh) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.snap, "repos", "team-a~worker.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Tags []struct{ Name, Digest string }
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	for _, tg := range r.Tags {
		if tg.Name == "2.0" {
			return tg.Digest
		}
	}
	t.Fatal("team-a/worker:2.0 not in the snapshot")
	return ""
}

// TestServeRefreshRejects: hook requests without the token, with a wrong
// one, oversized or malformed get 401, 413 or 400 and refresh nothing;
// the right token in the header or the query refreshes.
func TestServeRefreshRejects(t *testing.T) {
	hermetic(t)
	reg, _ := startRegistry(t)
	published := filepath.Join(t.TempDir(), "published")
	s := startServeRefresh(t, reg, "--on-publish", `printf '[%s] %s\n' "$REGCAT_REPOSITORIES" "$(cat "$REGCAT_SITE/index.html" | wc -c)" >> `+published+`; exit 3`)
	reg.Counter.Reset()
	big := strings.Repeat(" ", refresh.MaxBody+1)
	tests := []struct {
		name, path, auth, body string
		status                 int
	}{
		{"no token", refresh.PathRefresh + "?repo=base/os", "", "", 401},
		{"wrong token", refresh.PathRefresh + "?repo=base/os", "Bearer x" + testHookToken, "", 401},
		{"token as basic", refresh.PathRefresh, "Basic " + testHookToken, "", 401},
		{"wrong query token", refresh.PathRefresh + "?token=nope", "", "", 401},
		{"registry, no token", refresh.PathRegistry, "", `{"events":[{"action":"push","target":{"repository":"base/os"}}]}`, 401},
		{"oversized", refresh.PathRegistry, "Bearer " + testHookToken, big, 413},
		{"malformed envelope", refresh.PathRegistry, "Bearer " + testHookToken, `{"events":[`, 400},
		{"not an envelope", refresh.PathRegistry, "Bearer " + testHookToken, `{}`, 400},
		{"trailing data", refresh.PathRegistry, "Bearer " + testHookToken, `{"events":[]} {}`, 400},
		{"invalid repository", refresh.PathRegistry, "Bearer " + testHookToken, `{"events":[{"action":"push","target":{"repository":"../etc"}}]}`, 400},
		{"malformed Docker Hub body", refresh.PathRefresh, "Bearer " + testHookToken, `{"repository":`, 400},
		{"invalid ?repo", refresh.PathRefresh + "?repo=UPPER", "Bearer " + testHookToken, "", 400},
		{"only pulls", refresh.PathRegistry, "Bearer " + testHookToken, `{"events":[{"action":"pull","target":{"repository":"base/os"}}]}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.url+strings.TrimPrefix(tt.path, "/"), strings.NewReader(tt.body))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
	time.Sleep(600 * time.Millisecond) // three debounce windows
	if st := s.status(t); st.Refreshes != 1 || !st.Queue.Since.IsZero() || st.Running != nil {
		t.Errorf("after rejected hooks: %+v, want only the first refresh", st)
	}
	if n := reg.Counter.Total(); n != 0 {
		t.Errorf("rejected hooks made %d registry requests (%s)", n, reg.Counter)
	}

	// The token in the query with ?repo=, then a Docker Hub body, within
	// one debounce window: one refresh of both.
	for _, req := range []struct{ query, body string }{
		{"?repo=base/os&token=" + testHookToken, ""},
		{"?token=" + testHookToken, `{"push_data":{"tag":"latest"},"repository":{"repo_name":"team-a/api","name":"api","namespace":"team-a"}}`},
	} {
		resp, err := http.Post(s.url+"-/hooks/refresh"+req.query, "application/json", strings.NewReader(req.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status %d, want 202", resp.StatusCode)
		}
	}
	st := s.waitIdle(t, 2)
	if st.Refreshes != 2 {
		t.Errorf("%d refreshes, want the first and one for both requests", st.Refreshes)
	}
	if want := []string{"base/os", "team-a/api"}; !slices.Equal(st.Last.Repositories, want) || st.Last.All {
		t.Errorf("refreshed %+v, want %v", st.Last.Batch, want)
	}
	if got := reg.Counter.Repos(); !slices.Equal(got, []string{"base/os", "team-a/api"}) {
		t.Errorf("requests were about %v", got)
	}
	// --on-publish ran after each refresh, with the site in place; its
	// exit status is reported.
	b, err := os.ReadFile(published)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "[] ") || !strings.HasPrefix(lines[1], "[base/os team-a/api] ") || strings.HasSuffix(lines[1], " 0") {
		t.Errorf("--on-publish wrote %q", lines)
	}
	if st.Last.Publish != "exit status 3" || !strings.Contains(s.stderr.String(), "on-publish command failed") {
		t.Errorf("publish outcome %q; log:\n%s", st.Last.Publish, s.stderr)
	}
	if strings.Contains(s.stderr.String(), testHookToken) {
		t.Error("the hook token appears in the log")
	}
}

func TestServeRefreshUsage(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"refresh flag without --refresh", []string{"serve", "--debounce", "1s"}, "--debounce: only with --refresh"},
		{"crawl flag without --refresh", []string{"serve", "--base-url", "https://x/"}, "--base-url: only with --refresh"},
		{"no token file", []string{"serve", "--refresh", "127.0.0.1:9"}, "--refresh needs --hook-token-file"},
		{"empty token file", []string{"serve", "--refresh", "127.0.0.1:9", "--hook-token-file", empty}, "empty"},
		{"missing token file", []string{"serve", "--refresh", "127.0.0.1:9", "--hook-token-file", filepath.Join(dir, "none")}, "no such file"},
		{"full", []string{"serve", "--refresh", "127.0.0.1:9", "--hook-token-file", "serve_refresh_test.go", "--full"}, "cannot be full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := runCLI(t, "", tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tt.msg)
			}
		})
	}
}

// readWhileRefreshing GETs u until ctx is done and returns what was
// wrong with the first bad answer: a status other than 200 or a page that
// does not end with </html>; "" when every answer was whole.
func readWhileRefreshing(ctx context.Context, u string) string {
	for n := 0; ctx.Err() == nil; n++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return err.Error()
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case err != nil && ctx.Err() != nil:
		case err != nil:
			return err.Error()
		case resp.StatusCode != http.StatusOK:
			return fmt.Sprintf("status %d at request %d", resp.StatusCode, n)
		case !strings.HasSuffix(strings.TrimSpace(string(b)), "</html>"):
			return fmt.Sprintf("a partial page at request %d", n)
		}
	}
	return ""
}

// newestChangeLog returns the newest file of the snapshot's change log.
func newestChangeLog(t *testing.T, snap string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(snap, changes.Dir))
	if err != nil || len(entries) == 0 {
		t.Fatalf("change log: %v (%d files)", err, len(entries))
	}
	b, err := os.ReadFile(filepath.Join(snap, changes.Dir, entries[len(entries)-1].Name()))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServeRefreshSIGTERM: SIGTERM during a refresh stops serve --refresh
// promptly with 143, and the refresh it abandoned replaces neither the
// site nor the snapshot.
func TestServeRefreshSIGTERM(t *testing.T) {
	hermetic(t)
	reg, _ := startRegistry(t)
	dir := t.TempDir()
	snap, site := filepath.Join(dir, "snap"), filepath.Join(dir, "site")
	if code, stderr := runCLI(t, "", "build", reg.Host, "--snapshot", snap, "--out", site, "-q"); code != exitOK {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	before := map[string]map[string]string{snap: hashTree(t, snap), site: hashTree(t, site)}
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(testHookToken), 0o600); err != nil {
		t.Fatal(err)
	}
	// Slow HEADs keep the first refresh crawling unless stopped.
	reg.Faults.Set(regtest.Rule{Fault: regtest.FaultStall, Delay: 300 * time.Millisecond, Times: -1,
		Routes: []regtest.Route{regtest.RouteManifestHead}})
	reg.Counter.Reset()
	p := startRegcat(t, "serve", "--refresh", reg.Host, "--hook-token-file", tokenFile, "--snapshot", snap, "--out", site,
		"--addr", "127.0.0.1:0", "--debounce", "10ms")
	p.waitFor("the first refresh's HEADs", func() bool { return reg.Counter.Get(regtest.RouteManifestHead) > 2 })
	p.signal(syscall.SIGTERM)
	code, took := p.wait(exitBound)
	if code != 143 {
		t.Errorf("exit %d after SIGTERM, want 143; stderr:\n%s", code, p.stderr.String())
	}
	t.Logf("exited %s after SIGTERM during a refresh", took)
	for d, want := range before {
		checkTree(t, d, want)
		if left := leftovers(t, d); len(left) > 0 {
			t.Errorf("left beside %s: %v", d, left)
		}
	}
}

// TestServeRefreshFailureKeepsSite: a refresh that fails (the registry
// answers 500 to everything) reports it and leaves the last good site and
// snapshot; the next refresh, once the registry is back, succeeds.
func TestServeRefreshFailureKeepsSite(t *testing.T) {
	hermetic(t)
	reg, _ := startRegistry(t)
	s := startServeRefresh(t, reg, "--request-deadline", "2s", "--timeout", "1s")
	before := map[string]map[string]string{s.snap: hashTree(t, s.snap), s.out: hashTree(t, s.out)}
	reg.Faults.Set(regtest.Rule{Fault: regtest.FaultStatus, Status: 500, Times: -1})
	post := func() {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.url+"-/hooks/refresh?repo=base/os", nil)
		req.Header.Set("Authorization", "Bearer "+testHookToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	post()
	var st refresh.Status
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if st = s.status(t); st.Refreshes >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the refresh did not end: %+v", st)
		}
	}
	if st.Last.Result != "failed" || st.Last.Error == "" || st.Failed != 1 {
		t.Errorf("last refresh %+v, failed %d: want a failure reported", st.Last, st.Failed)
	}
	for d, want := range before {
		checkTree(t, d, want)
	}
	if code, _ := s.get(t, "r/base~os/"); code != http.StatusOK {
		t.Errorf("GET r/base~os/ = %d after a failed refresh", code)
	}

	reg.Faults.Set()
	post()
	s.waitIdle(t, 3)
}

// feed fetches and parses a served Atom feed with a real feed parser.
func (s *servedRefresh) feed(t *testing.T, path string) *gofeed.Feed {
	t.Helper()
	code, body := s.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d", path, code)
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if f.FeedType != "atom" {
		t.Errorf("%s is %s, want atom", path, f.FeedType)
	}
	return f
}

func firstTitle(f *gofeed.Feed) string {
	if len(f.Items) == 0 {
		return ""
	}
	return f.Items[0].Title
}

// fileInfos stats every file under the directory dir and the file file.
func fileInfos(t *testing.T, dir, file string) map[string]os.FileInfo {
	t.Helper()
	out := map[string]os.FileInfo{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			out[filepath.Join(dir, e.Name())] = nil
		}
	}
	out[file] = nil
	for p := range out {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = fi
	}
	if len(out) < 3 {
		t.Fatalf("only %d files to compare", len(out))
	}
	return out
}
