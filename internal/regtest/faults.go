package regtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is a kind of failure that Faults injects.
type Fault int

// The faults a Rule can inject.
const (
	// FaultStatus answers with Rule.Status (default 503) and a distribution
	// style JSON error body, plus a Retry-After header when Rule.RetryAfter
	// is set. The real registry never sees the request.
	FaultStatus Fault = iota + 1
	// FaultTruncate sends the real response's headers with a Content-Length
	// of the full body, then only the first half of the body, then closes the
	// connection: the client reads io.ErrUnexpectedEOF. Only successful GET
	// responses with a body are truncated.
	FaultTruncate
	// FaultReset closes the connection with a TCP RST (SO_LINGER 0) before any
	// response byte. Go's http.Transport silently retries a GET once when this
	// happens on a reused keep-alive connection, so use Times >= 2 when a test
	// must see the client's own retry.
	FaultReset
	// FaultDrip sends the real response's headers at once, then the body one
	// byte per Rule.Delay (default 100ms), stopping when the client goes away.
	// Set Delay above the client's no-progress timeout, or let
	// len(body)×Delay exceed its per-request timeout. Only successful GET
	// responses with a body are dripped.
	FaultDrip
	// FaultStall waits Rule.Delay (default 100ms), or until the client goes
	// away, before the real registry sees the request: a slow response header.
	FaultStall
	// FaultSelfLink adds `Link: <this very URL>; rel="next"` to the last page
	// of a catalog or tag list (a 200 without Link), so a client that does
	// not detect the loop asks for the same page again and again.
	FaultSelfLink
	// FaultForeignLink adds a Link to the same path on another host
	// (localhost on another port: the Decoy) to the last page of a catalog or
	// tag list. A client must not follow it, and never send it credentials;
	// if it does, the decoy answers with a repository and a tag named
	// "regtest-decoy" so the snapshot shows it.
	FaultForeignLink
	// FaultRepeatPage adds a Link to a new URL (the same query plus a
	// regtest-page=K parameter) to the last page of a catalog or tag list;
	// that URL serves the same page again, with a Link to K+1, up to
	// maxPageFaults times. A client must notice that pages repeat.
	FaultRepeatPage
	// FaultEndlessPages adds a Link to the last page of a catalog or tag
	// list that starts an endless chain: page K (a new URL, the same query
	// plus a regtest-endless=K parameter) lists EndlessPageSize new names
	// and links to page K+1, forever; no URL and no name repeats. Tags are
	// named EndlessTag(i), repositories EndlessRepo(i), numbered from 0 in
	// page order, so their byte order is their page order. A manifest GET
	// or HEAD for an endless tag is answered with the manifest of the
	// repository's first real tag (in tags/list order), so every endless
	// tag crawls as an alias of it; endless repositories do not exist (404).
	// Each synthetic page served counts as one injection.
	FaultEndlessPages
	// FaultEndlessDrip sends the real response's headers at once, without a
	// Content-Length, then the body one byte per Rule.Delay (default 100ms),
	// then a space per Delay without end, until the client goes away: a
	// body that never stalls and never ends. Only successful GET responses
	// with a body are dripped.
	FaultEndlessDrip
)

// EndlessPageSize is the number of names on each synthetic page of a
// FaultEndlessPages chain.
const EndlessPageSize = 100

// EndlessTag returns the name of the i-th tag that FaultEndlessPages
// invents, "zz-endless-0000042" for 42: after every lower-case tag in byte
// order.
func EndlessTag(i int) string { return fmt.Sprintf("%s%07d", endlessTagPrefix, i) }

// EndlessRepo returns the name of the i-th repository that
// FaultEndlessPages invents, "zz-endless/r0000042" for 42.
func EndlessRepo(i int) string { return fmt.Sprintf("zz-endless/r%07d", i) }

const endlessTagPrefix = "zz-endless-"

var faultNames = [...]string{
	FaultStatus:      "status",
	FaultTruncate:    "truncate",
	FaultReset:       "reset",
	FaultDrip:        "drip",
	FaultStall:       "stall",
	FaultSelfLink:    "self-link",
	FaultForeignLink: "foreign-link",
	FaultRepeatPage:  "repeat-page",

	FaultEndlessPages: "endless-pages",
	FaultEndlessDrip:  "endless-drip",
}

// String returns the fault's short name, e.g. "truncate".
func (f Fault) String() string {
	if f <= 0 || int(f) >= len(faultNames) {
		return "invalid"
	}
	return faultNames[f]
}

func (f Fault) paging() bool {
	return f == FaultSelfLink || f == FaultForeignLink || f == FaultRepeatPage || f == FaultEndlessPages
}

// body reports whether f breaks the body of a successful GET.
func (f Fault) body() bool {
	return f == FaultTruncate || f == FaultDrip || f == FaultEndlessDrip
}

// maxPageFaults caps the pagination faults served per request URL, whatever
// Rule.Times says, so a client without loop protection ends (with wrong
// results and a high count) instead of hanging the test.
const maxPageFaults = 100

// repeatParam is the query parameter of the URLs FaultRepeatPage links to.
const repeatParam = "regtest-page"

// endlessParam is the query parameter of the pages FaultEndlessPages
// invents.
const endlessParam = "regtest-endless"

// Rule says which requests Faults breaks, how and how often. Rules are
// deterministic: a request is identified by method and request URI (path
// and query), and the first Times attempts of each identified request that
// the rule applies to are faulted; later attempts reach the real registry.
// So a client that retries each request more than Times times ends with what
// a fault-free client sees.
type Rule struct {
	// Fault is what to inject.
	Fault Fault
	// Routes limits the rule to these routes. Empty means every read route
	// (never RouteWrite or RouteOther) for FaultStatus, FaultReset and
	// FaultStall, GET routes with a body for FaultTruncate, FaultDrip and
	// FaultEndlessDrip, and RouteCatalog and RouteTags for the pagination
	// faults.
	Routes []Route
	// Repo, when set, limits the rule to requests about this repository
	// (tags list, manifests, blobs).
	Repo string
	// Times is the number of faulted attempts per request: 0 means 1, a
	// negative value means every attempt (a permanent failure).
	Times int
	// Status is the status code of FaultStatus; 0 means 503.
	Status int
	// RetryAfter is the Retry-After header value of FaultStatus, sent
	// verbatim (seconds such as "0" or "1", or an HTTP date); empty means no
	// header.
	RetryAfter string
	// Delay is the pause of FaultDrip and FaultEndlessDrip (per byte) and
	// FaultStall (before the response); 0 means 100ms.
	Delay time.Duration
}

func (r Rule) times() int {
	switch {
	case r.Times == 0:
		return 1
	case r.Times < 0:
		return -1
	}
	return r.Times
}

func (r Rule) delay() time.Duration {
	if r.Delay <= 0 {
		return 100 * time.Millisecond
	}
	return r.Delay
}

func (r Rule) matches(req *http.Request, route Route) bool {
	routes := r.Routes
	if len(routes) == 0 {
		routes = readRoutes
		if r.Fault.paging() {
			routes = []Route{RouteCatalog, RouteTags}
		}
	}
	if !slices.Contains(routes, route) {
		return false
	}
	if (r.Fault.body() || r.Fault.paging()) && req.Method != http.MethodGet {
		return false
	}
	return r.Repo == "" || r.Repo == repoOf(req)
}

// Faults is an http.Handler wrapper around a real registry (and its token
// server) that injects the failures its rules describe, and counts them.
// Every Registry has one with no rules, which lets every request through.
// It is safe for concurrent use.
type Faults struct {
	mu       sync.Mutex
	rules    []Rule
	attempts map[attempt]int
	injected map[Fault]int

	firstTag map[string]string // repository → first real tag, for endless aliases

	decoy     *httptest.Server
	decoyHost string
	decoyHits int
	decoyAuth int
}

// attempt identifies one request under one rule.
type attempt struct {
	rule    int
	request string
}

func newFaults(tb testing.TB) *Faults {
	f := &Faults{attempts: make(map[attempt]int), injected: make(map[Fault]int), firstTag: make(map[string]string)}
	f.decoy = serve(tb, http.HandlerFunc(f.serveDecoy))
	_, port, _ := net.SplitHostPort(f.decoy.Listener.Addr().String())
	f.decoyHost = "localhost:" + port
	return f
}

// Set replaces the rules (none: no faults) and zeroes the attempt and
// injection counts. The first rule that applies to a request and has
// attempts left for it decides; later rules apply once it is spent.
func (f *Faults) Set(rules ...Rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = slices.Clone(rules)
	clear(f.attempts)
	clear(f.injected)
	clear(f.firstTag)
	f.decoyHits, f.decoyAuth = 0, 0
}

// Injected returns how many faults of kind k were injected since the last
// Set. Each page a FaultRepeatPage chain serves counts once.
func (f *Faults) Injected(k Fault) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected[k]
}

// InjectedTotal returns how many faults of any kind were injected since the
// last Set.
func (f *Faults) InjectedTotal() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.injected {
		n += c
	}
	return n
}

// Decoy returns the host ("localhost:PORT") that FaultForeignLink points
// to, and how many requests it received since the last Set, and how many of
// those carried credentials (an Authorization or Cookie header). A client
// that is right never reaches it.
func (f *Faults) Decoy() (host string, requests, withCredentials int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.decoyHost, f.decoyHits, f.decoyAuth
}

func (f *Faults) serveDecoy(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.decoyHits++
	if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
		f.decoyAuth++
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintln(w, `{"name":"regtest-decoy","repositories":["regtest-decoy"],"tags":["regtest-decoy"]}`)
}

// pick returns the first rule that applies to r and has attempts left,
// without spending one.
func (f *Faults) pick(r *http.Request, route Route) (int, Rule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, rule := range f.rules {
		if !rule.matches(r, route) {
			continue
		}
		if f.left(i, rule, r) {
			return i, rule, true
		}
	}
	return 0, Rule{}, false
}

// spend uses one attempt of rule i on r and counts the injection; it
// reports false when another request spent the last attempt meanwhile.
func (f *Faults) spend(i int, rule Rule, r *http.Request) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.rules) || !f.left(i, rule, r) {
		return false
	}
	f.attempts[attempt{i, requestKey(r)}]++
	f.injected[rule.Fault]++
	return true
}

func (f *Faults) left(i int, rule Rule, r *http.Request) bool {
	n := f.attempts[attempt{i, requestKey(r)}]
	if rule.Fault.paging() && n >= maxPageFaults {
		return false
	}
	t := rule.times()
	return t < 0 || n < t
}

func (f *Faults) count(k Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.injected[k]++
}

func requestKey(r *http.Request) string {
	return r.Method + " " + r.URL.RequestURI()
}

// wrap puts the faults in front of next; route tells the Route of a request.
func (f *Faults) wrap(next http.Handler, route func(*http.Request) Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(setupHeader) != "" {
			next.ServeHTTP(w, r)
			return
		}
		if r.URL.Query().Has(repeatParam) {
			f.serveRepeat(w, r, next)
			return
		}
		if r.URL.Query().Has(endlessParam) {
			f.serveEndless(w, r, route(r))
			return
		}
		rt := route(r)
		if (rt == RouteManifestGet || rt == RouteManifestHead) && strings.HasPrefix(path.Base(r.URL.Path), endlessTagPrefix) {
			f.serveEndlessAlias(w, r, next)
			return
		}
		i, rule, ok := f.pick(r, rt)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		switch rule.Fault {
		case FaultStatus, FaultReset, FaultStall:
			if !f.spend(i, rule, r) {
				next.ServeHTTP(w, r)
				return
			}
			switch rule.Fault {
			case FaultStatus:
				writeStatus(w, rule)
			case FaultReset:
				reset(w)
			case FaultStall:
				stall(w, r, next, rule.delay())
			}
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if !applies(rule.Fault, rec) || !f.spend(i, rule, r) {
			replay(w, rec, len(rec.Body.Bytes()))
			return
		}
		switch rule.Fault {
		case FaultTruncate:
			truncate(w, rec)
		case FaultDrip:
			drip(w, r, rec, rule.delay())
		case FaultEndlessDrip:
			dripForever(w, r, rec, rule.delay())
		case FaultSelfLink:
			rec.Header().Set("Link", link(r.URL.RequestURI()))
			replay(w, rec, len(rec.Body.Bytes()))
		case FaultForeignLink:
			f.mu.Lock()
			host := f.decoyHost
			f.mu.Unlock()
			rec.Header().Set("Link", link("http://"+host+r.URL.RequestURI()))
			replay(w, rec, len(rec.Body.Bytes()))
		case FaultRepeatPage:
			rec.Header().Set("Link", link(withPage(r.URL, 1)))
			replay(w, rec, len(rec.Body.Bytes()))
		case FaultEndlessPages:
			rec.Header().Set("Link", link(withParam(r.URL, endlessParam, 1)))
			replay(w, rec, len(rec.Body.Bytes()))
		}
	})
}

// applies tells whether a body fault has something to break in rec.
func applies(k Fault, rec *httptest.ResponseRecorder) bool {
	if k.paging() {
		return rec.Code == http.StatusOK && rec.Header().Get("Link") == ""
	}
	return rec.Code >= 200 && rec.Code < 300 && rec.Body.Len() > 0
}

// serveRepeat serves page K of a FaultRepeatPage chain: the page without
// the parameter, linking to page K+1 until maxPageFaults.
func (f *Faults) serveRepeat(w http.ResponseWriter, r *http.Request, next http.Handler) {
	q := r.URL.Query()
	k, _ := strconv.Atoi(q.Get(repeatParam))
	q.Del(repeatParam)
	orig := r.Clone(r.Context())
	orig.URL.RawQuery = q.Encode()
	orig.RequestURI = orig.URL.RequestURI()
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, orig)
	rec.Header().Del("Link")
	if k >= 1 && k < maxPageFaults {
		rec.Header().Set("Link", link(withPage(orig.URL, k+1)))
	}
	f.count(FaultRepeatPage)
	replay(w, rec, len(rec.Body.Bytes()))
}

func withPage(u *url.URL, k int) string {
	return withParam(u, repeatParam, k)
}

// withParam returns u's path and query with param set to k.
func withParam(u *url.URL, param string, k int) string {
	q := u.Query()
	q.Set(param, strconv.Itoa(k))
	v := url.URL{Path: u.Path, RawQuery: q.Encode()}
	return v.String()
}

// serveEndless serves page K >= 1 of a FaultEndlessPages chain: names
// (K-1)·EndlessPageSize up to K·EndlessPageSize-1, and a Link to page K+1.
func (f *Faults) serveEndless(w http.ResponseWriter, r *http.Request, rt Route) {
	k, err := strconv.Atoi(r.URL.Query().Get(endlessParam))
	if err != nil || k < 1 || (rt != RouteCatalog && rt != RouteTags) {
		http.NotFound(w, r)
		return
	}
	f.count(FaultEndlessPages)
	names := make([]string, EndlessPageSize)
	for i := range names {
		n := (k-1)*EndlessPageSize + i
		if rt == RouteCatalog {
			names[i] = EndlessRepo(n)
		} else {
			names[i] = EndlessTag(n)
		}
	}
	var page any = map[string]any{"repositories": names}
	if rt == RouteTags {
		page = map[string]any{"name": repoOf(r), "tags": names}
	}
	body, _ := json.Marshal(page)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Link", link(withParam(r.URL, endlessParam, k+1)))
	_, _ = w.Write(body)
}

// serveEndlessAlias answers a manifest request for an endless tag with
// the manifest of the repository's first real tag.
func (f *Faults) serveEndlessAlias(w http.ResponseWriter, r *http.Request, next http.Handler) {
	repo := repoOf(r)
	f.mu.Lock()
	tag, ok := f.firstTag[repo]
	f.mu.Unlock()
	if !ok {
		list := r.Clone(r.Context())
		list.Method = http.MethodGet
		list.URL.Path, list.URL.RawQuery = "/v2/"+repo+"/tags/list", ""
		list.RequestURI = list.URL.RequestURI()
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, list)
		var page struct{ Tags []string }
		if json.Unmarshal(rec.Body.Bytes(), &page) != nil || len(page.Tags) == 0 {
			http.NotFound(w, r)
			return
		}
		tag = page.Tags[0]
		f.mu.Lock()
		f.firstTag[repo] = tag
		f.mu.Unlock()
	}
	alias := r.Clone(r.Context())
	alias.URL.Path = path.Dir(r.URL.Path) + "/" + tag
	alias.RequestURI = alias.URL.RequestURI()
	next.ServeHTTP(w, alias)
}

func link(target string) string {
	return "<" + target + `>; rel="next"`
}

func writeStatus(w http.ResponseWriter, rule Rule) {
	status := rule.Status
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	code := "UNKNOWN"
	switch status {
	case http.StatusTooManyRequests:
		code = "TOOMANYREQUESTS"
	case http.StatusServiceUnavailable:
		code = "UNAVAILABLE"
	}
	if rule.RetryAfter != "" {
		w.Header().Set("Retry-After", rule.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"message":"regtest: injected status %d"}]}`+"\n", code, status)
}

// reset closes the client's connection with an RST and no response.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): abort the response instead.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func stall(w http.ResponseWriter, r *http.Request, next http.Handler, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return
	case <-t.C:
	}
	next.ServeHTTP(w, r)
}

// replay writes rec's status, headers and the first n bytes of its body,
// with a Content-Length of the whole body.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder, n int) {
	for k, v := range rec.Header() {
		w.Header()[k] = slices.Clone(v)
	}
	body := rec.Body.Bytes()
	if len(body) > 0 || w.Header().Get("Content-Length") == "" {
		// A HEAD response keeps the registry's Content-Length.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body[:n])
}

// truncate sends half the body, then closes the connection although the
// Content-Length promised more.
func truncate(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	replay(w, rec, rec.Body.Len()/2)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// dripForever sends rec's headers without a Content-Length, then its body
// one byte per d, then a space per d, until the client leaves.
func dripForever(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder, d time.Duration) {
	for k, v := range rec.Header() {
		w.Header()[k] = slices.Clone(v)
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	t := time.NewTicker(d)
	defer t.Stop()
	body := rec.Body.Bytes()
	for i := 0; ; i++ {
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
		b := byte(' ')
		if i < len(body) {
			b = body[i]
		}
		if _, err := w.Write([]byte{b}); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// drip sends the body one byte per d until done or the client leaves.
func drip(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder, d time.Duration) {
	replay(w, rec, 0)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	t := time.NewTicker(d)
	defer t.Stop()
	for _, b := range rec.Body.Bytes() {
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
		if _, err := w.Write([]byte{b}); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
