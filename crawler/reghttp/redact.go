package reghttp

import (
	"net"
	"net/url"
	"strings"
)

// RedactURL returns u as scheme://host/path: no userinfo, query or
// fragment, since token endpoints carry scope and service in the query and
// URLs may embed passwords.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}

// canonicalHost is u's host:port with the scheme's default port filled in,
// lower-cased, so that registry.example and registry.example:443 compare
// equal over https.
func canonicalHost(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "http":
			port = "80"
		default:
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
