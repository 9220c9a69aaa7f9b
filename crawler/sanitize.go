package crawler

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/snapshot"
)

// maxErrorText caps the error text, in runes, kept in a failure record or
// log line; registries answer errors with whole HTML pages.
const maxErrorText = 400

// sanitizedError replaces the message of err by one without URL userinfo,
// query strings or overlong bodies, keeping err for errors.Is and As.
type sanitizedError struct {
	msg string
	err error
}

func (e *sanitizedError) Error() string { return e.msg }
func (e *sanitizedError) Unwrap() error { return e.err }

// sanitize makes err safe to show: net/http's *url.Error and
// go-containerregistry's *transport.Error print request URLs, and token
// endpoints carry scope and service (and for OAuth2, refresh tokens) in
// the query.
func sanitize(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*sanitizedError); ok {
		return err
	}
	return &sanitizedError{msg: errorText(err), err: err}
}

// errorText is the text kept for err in a snapshot or a log: no
// credentials, no URL queries, at most maxErrorText runes.
func errorText(err error) string {
	return snapshot.Truncate(redact(err.Error()), maxErrorText)
}

// urlInText finds http(s) URLs in free text, up to whitespace or a quote.
var urlInText = regexp.MustCompile(`(?i)\bhttps?://[^\s"'<>` + "`" + `]+`)

// redact rewrites every http(s) URL inside s as [reghttp.RedactURL] does:
// net/http's *url.Error and go-containerregistry's *transport.Error print
// the full request URL. Text that does not parse as a URL loses everything
// after its host. Punctuation that ends a URL in prose
// ("GET http://reg/token?scope=x: UNAUTHORIZED") is kept.
func redact(s string) string {
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
	return reghttp.RedactURL(u)
}
