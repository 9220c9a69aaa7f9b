package retry

import (
	"net"
	"net/url"
	"regexp"
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

// urlInText finds http(s) URLs in free text, up to whitespace or a quote.
var urlInText = regexp.MustCompile(`(?i)\bhttps?://[^\s"'<>` + "`" + `]+`)

// Redact rewrites every http(s) URL inside s as [RedactURL] does. Use it on
// error messages from layers above this transport (net/http's *url.Error and
// go-containerregistry's *transport.Error print the full request URL) before
// they reach a log, a snapshot or a page. Text that does not parse as a URL
// loses everything after its host. Punctuation that ends a URL in prose
// ("GET http://reg/token?scope=x: UNAUTHORIZED") is kept.
func Redact(s string) string {
	return urlInText.ReplaceAllStringFunc(s, func(m string) string {
		trimmed := strings.TrimRight(m, ":;,.)]")
		return redactRaw(trimmed) + m[len(trimmed):]
	})
}

// redactRaw redacts one URL found in text.
func redactRaw(m string) string {
	u, err := url.Parse(m)
	if err != nil || u.Host == "" {
		// Keep only what follows the last '@' anywhere: userinfo may hold
		// '/', '?' or '@' unescaped, and a wrong host beats a leaked password.
		scheme, rest, _ := strings.Cut(m, "://")
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			rest = rest[i+1:]
		}
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		return strings.ToLower(scheme) + "://" + rest
	}
	return RedactURL(u)
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
