package reghttp

import "net/http"

// carriesForeignCredential reports whether req is a redirect hop whose
// Authorization header was sent by an earlier hop of the same chain to a
// different host.
//
// go-containerregistry's auth transports add credentials only when the
// request's host is the registry's, and net/http's Client drops an explicit
// Authorization on redirects to another domain, but the Client compares host
// names without ports: a header set on the first request travels from
// 127.0.0.1:5000 to 127.0.0.1:9000. This check closes that gap while keeping
// a credential that the redirect target issued for itself (go-containerregistry
// fetches one when the target answers with its own Bearer challenge).
func carriesForeignCredential(req *http.Request) bool {
	auth := req.Header.Get("Authorization")
	if auth == "" || req.Response == nil {
		return false
	}
	host := canonicalHost(req.URL)
	for prev := req.Response.Request; prev != nil; {
		if canonicalHost(prev.URL) != host && prev.Header.Get("Authorization") == auth {
			return true
		}
		if prev.Response == nil {
			break
		}
		prev = prev.Response.Request
	}
	return false
}
