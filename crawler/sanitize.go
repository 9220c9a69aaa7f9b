package crawler

import (
	"unicode/utf8"

	"github.com/regcat/regcat/crawler/retry"
)

// maxErrorText caps the error text kept in a failure record or log line;
// registries answer errors with whole HTML pages.
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
	return &sanitizedError{msg: clip(retry.Redact(err.Error()), maxErrorText), err: err}
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
