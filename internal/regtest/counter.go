package regtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// setupHeader marks the requests of Registry.Populate; the Counter and the
// Faults let them through unseen.
const setupHeader = "X-Regtest-Setup"

// Counter counts the requests a registry (and its token server) received,
// in total, per Route and per repository, so benchmarks can report requests per tag. It
// counts every attempt, faulted ones included, and none of Populate's. It is
// safe for concurrent use.
type Counter struct {
	mu      sync.Mutex
	byRoute map[Route]int
	byRepo  map[string]int
	total   int
}

func newCounter() *Counter {
	return &Counter{byRoute: make(map[Route]int), byRepo: make(map[string]int)}
}

// Total returns the number of requests counted since the start or the last
// Reset.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// Get returns the number of requests of route r counted since the start or
// the last Reset.
func (c *Counter) Get(r Route) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byRoute[r]
}

// Repos returns the repositories that requests were about (tag lists,
// manifests, blobs, referrers) since the start or the last Reset, sorted.
func (c *Counter) Repos() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.byRepo))
	for n := range c.byRepo {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// GetRepo returns the number of requests about repository name counted
// since the start or the last Reset.
func (c *Counter) GetRepo(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byRepo[name]
}

// Reset sets every count to zero.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = 0
	clear(c.byRoute)
	clear(c.byRepo)
}

// String lists the non-zero counts, e.g. "total=5 catalog=1 tags=2
// manifest-get=2", for test failure messages.
func (c *Counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "total=%d", c.total)
	for r := range Route(len(routeNames)) {
		if n := c.byRoute[r]; n > 0 {
			fmt.Fprintf(&b, " %s=%d", r, n)
		}
	}
	return b.String()
}

func (c *Counter) add(r Route, repo string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	c.byRoute[r]++
	if repo != "" {
		c.byRepo[repo]++
	}
}

// wrap counts each request to next under the route route tells.
func (c *Counter) wrap(next http.Handler, route func(*http.Request) Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(setupHeader) == "" {
			c.add(route(r), repoOf(r))
		}
		next.ServeHTTP(w, r)
	})
}
