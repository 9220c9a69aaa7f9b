package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/regcat/regcat/crawler/reghttp"
)

// client talks to one registry. It pings once per crawl and then hands out
// a session per token scope, so a repository costs one token request (with
// bearer auth) rather than a full ping and token handshake.
type client struct {
	reg       name.Registry
	base      string // scheme://host, the scheme chosen by the ping
	auth      authn.Authenticator
	rt        http.RoundTripper // the retry transport
	challenge *transport.Challenge
	counts    *counters
	log       *slog.Logger
}

// newClient pings the registry (GET /v2/) to learn its scheme and its
// authentication challenge. An error here is fatal for the crawl.
func newClient(ctx context.Context, reg name.Registry, auth authn.Authenticator, rt http.RoundTripper, counts *counters, log *slog.Logger) (*client, error) {
	pr, err := transport.Ping(ctx, reg, &countingRT{inner: rt, n: &counts.handshakes})
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", reg.RegistryStr(), sanitize(err))
	}
	scheme := "https"
	if pr.Insecure {
		scheme = "http"
	}
	return &client{
		reg:       reg,
		base:      scheme + "://" + reg.RegistryStr(),
		auth:      auth,
		rt:        rt,
		challenge: pr,
		counts:    counts,
		log:       log,
	}, nil
}

// bearer reports whether the registry wants bearer tokens.
func (c *client) bearer() bool {
	return strings.EqualFold(c.challenge.Scheme, "bearer")
}

// session returns a session for pulling from repository repo, or for
// reading the catalog when repo is "". With bearer auth it exchanges the
// credentials once for a token of scope "repository:REPO:pull" (or
// "registry:catalog:*"); the session's transport refreshes the token by
// itself when the registry challenges it again.
func (c *client) session(ctx context.Context, repo string) (*session, error) {
	scope := "registry:catalog:*"
	if repo != "" {
		scope = "repository:" + repo + ":pull"
	}
	var tok *transport.Token
	if c.bearer() {
		var err error
		tok, err = transport.Exchange(ctx, c.reg, c.auth, &countingRT{inner: c.rt, n: &c.counts.handshakes}, []string{scope}, c.challenge)
		if err != nil {
			return nil, fmt.Errorf("token for %s: %w", scope, sanitize(err))
		}
	}
	rt, err := transport.FromToken(c.reg, c.auth, c.rt, c.challenge, tok)
	if err != nil {
		return nil, fmt.Errorf("token for %s: %w", scope, sanitize(err))
	}
	return &session{c: c, repo: repo, hc: &http.Client{Transport: rt, CheckRedirect: checkRedirect}}, nil
}

// checkRedirect allows a few redirects (blob storage behind a registry is
// often on another host); the retry transport drops an Authorization
// header that would follow one to another host.
func checkRedirect(_ *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	return nil
}

// session sends requests with one token scope.
type session struct {
	c    *client
	repo string // "" for the catalog session
	hc   *http.Client
	// stopped is set once a request of the session ran out of attempts on
	// the transport's timers; every later request then fails at once with
	// errStopped, so a registry that hangs on one repository costs about
	// one request's attempts × deadline, not that for each of its tags.
	stopped atomic.Bool
}

// errStopped fails the requests of a session that stopped responding.
var errStopped = errors.New("not sent: an earlier request of this repository timed out after every attempt")

// timedOut reports whether err is a request that ran out of attempts on
// the transport's timers: no headers, a stalled body or the deadline.
func timedOut(err error) bool {
	return errors.Is(err, reghttp.ErrHeaderTimeout) || errors.Is(err, reghttp.ErrStalled) || errors.Is(err, reghttp.ErrDeadline)
}

// response is a successful response read into memory.
type response struct {
	header http.Header
	body   []byte
	url    *url.URL // the final URL, after redirects
}

// do sends method to u (absolute, on the registry) with the Accept header
// accept and returns the body read up to limit bytes; a longer body is an
// error. Statuses other than 200 give a *transport.Error.
func (s *session) do(ctx context.Context, method, u string, accept []string, limit int64) (*response, error) {
	if s.stopped.Load() {
		return nil, errStopped
	}
	resp, err := s.send(ctx, method, u, accept, limit)
	if timedOut(err) && ctx.Err() == nil && !s.stopped.Swap(true) {
		s.c.log.Warn("repository stopped responding; its further requests fail at once", "repo", s.repo, "error", errorText(err))
	}
	return resp, err
}

// send is do without the stop.
func (s *session) send(ctx context.Context, method, u string, accept []string, limit int64) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, fmt.Errorf("request: %w", sanitize(err))
	}
	if len(accept) > 0 {
		req.Header.Set("Accept", strings.Join(accept, ", "))
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, sanitize(err)
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		return nil, sanitize(err)
	}
	if method == http.MethodHead {
		return &response{header: resp.Header, url: resp.Request.URL}, nil
	}
	if resp.ContentLength > limit {
		return nil, &tooLargeError{limit: limit}
	}
	body, err := readCapped(resp.Body, limit)
	if err != nil {
		return nil, err
	}
	return &response{header: resp.Header, body: body, url: resp.Request.URL}, nil
}

// url returns the absolute URL of a registry API path.
func (s *session) url(p string) string {
	return s.c.base + p
}

// errTooLarge is matched by errors.Is for a response over its cap.
var errTooLarge = errors.New("response too large")

type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("response exceeds the %d-byte cap", e.limit)
}

func (e *tooLargeError) Is(target error) bool {
	return target == errTooLarge || target == reghttp.ErrTooLarge
}

// readCapped reads r to the end, failing with a *tooLargeError rather than
// truncating when it holds more than limit bytes.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", sanitize(err))
	}
	if int64(len(b)) > limit {
		return nil, &tooLargeError{limit: limit}
	}
	return b, nil
}

// countingRT counts the requests sent through it.
type countingRT struct {
	inner http.RoundTripper
	n     *atomic.Int64
}

func (t *countingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.inner.RoundTrip(req)
}
