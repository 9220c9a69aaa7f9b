package regtest

import (
	"net/http"
	"strings"
)

// Route is the kind of a registry request, as the Counter and the Faults see
// it.
type Route int

// The routes of the OCI distribution API that a crawler uses, plus the token
// endpoint and the writes a push makes.
const (
	// RouteOther is any request that fits no other route.
	RouteOther Route = iota
	// RouteBase is the API version check GET/HEAD /v2/.
	RouteBase
	// RouteCatalog is GET /v2/_catalog.
	RouteCatalog
	// RouteTags is GET /v2/<name>/tags/list.
	RouteTags
	// RouteManifestGet is GET /v2/<name>/manifests/<reference>.
	RouteManifestGet
	// RouteManifestHead is HEAD /v2/<name>/manifests/<reference>.
	RouteManifestHead
	// RouteBlobGet is GET /v2/<name>/blobs/<digest>.
	RouteBlobGet
	// RouteBlobHead is HEAD /v2/<name>/blobs/<digest>.
	RouteBlobHead
	// RouteReferrers is GET /v2/<name>/referrers/<digest> (OCI 1.1).
	RouteReferrers
	// RouteToken is any request to the bearer token server.
	RouteToken
	// RouteWrite is a push: POST, PUT, PATCH or DELETE under /v2/.
	RouteWrite
)

var routeNames = [...]string{
	RouteOther:        "other",
	RouteBase:         "base",
	RouteCatalog:      "catalog",
	RouteTags:         "tags",
	RouteManifestGet:  "manifest-get",
	RouteManifestHead: "manifest-head",
	RouteBlobGet:      "blob-get",
	RouteBlobHead:     "blob-head",
	RouteReferrers:    "referrers",
	RouteToken:        "token",
	RouteWrite:        "write",
}

// String returns the route's short name, e.g. "manifest-get".
func (r Route) String() string {
	if r < 0 || int(r) >= len(routeNames) {
		return "invalid"
	}
	return routeNames[r]
}

// readRoutes are the routes a rule with no Routes matches: everything a
// crawler does, nothing a push does.
var readRoutes = []Route{RouteBase, RouteCatalog, RouteTags, RouteManifestGet, RouteManifestHead, RouteBlobGet, RouteBlobHead, RouteReferrers, RouteToken}

// classify tells the route of a request to the registry (never RouteToken:
// the token server marks its own requests).
func classify(r *http.Request) Route {
	p := r.URL.Path
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	if p == "/v2/" || p == "/v2" {
		return RouteBase
	}
	rest, ok := strings.CutPrefix(p, "/v2/")
	if !ok {
		return RouteOther
	}
	if !read {
		return RouteWrite
	}
	if rest == "_catalog" {
		if r.Method == http.MethodGet {
			return RouteCatalog
		}
		return RouteOther
	}
	elems := strings.Split(rest, "/")
	n := len(elems)
	if n < 3 {
		return RouteOther
	}
	switch {
	case elems[n-2] == "tags" && elems[n-1] == "list" && r.Method == http.MethodGet:
		return RouteTags
	case elems[n-2] == "referrers" && r.Method == http.MethodGet:
		return RouteReferrers
	case elems[n-2] == "manifests" && r.Method == http.MethodGet:
		return RouteManifestGet
	case elems[n-2] == "manifests":
		return RouteManifestHead
	case elems[n-2] == "blobs" && elems[n-1] != "uploads" && r.Method == http.MethodGet:
		return RouteBlobGet
	case elems[n-2] == "blobs" && elems[n-1] != "uploads":
		return RouteBlobHead
	}
	return RouteOther
}

// repoOf returns the repository name a request is about, or "" for the
// catalog, the base route, the token server and unknown paths.
func repoOf(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, "/v2/")
	if !ok {
		return ""
	}
	elems := strings.Split(rest, "/")
	n := len(elems)
	if n < 3 {
		return ""
	}
	switch elems[n-2] {
	case "tags", "manifests", "blobs", "referrers":
		return strings.Join(elems[:n-2], "/")
	}
	return ""
}
