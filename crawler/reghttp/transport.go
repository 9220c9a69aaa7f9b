package reghttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// Transport is an http.RoundTripper that retries, caps and buffers; see the
// package documentation. It is safe for concurrent use.
type Transport struct {
	inner   http.RoundTripper
	cfg     Config
	limit   *limiter // nil without a QPS limit
	stats   counters
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	backoff func(ceiling time.Duration) time.Duration
}

var _ http.RoundTripper = (*Transport)(nil)

// New returns a Transport that sends attempts through inner
// (http.DefaultTransport when nil). inner must abort a request, including
// its body read, when the request's context is cancelled, as
// *http.Transport does. New fails when cfg.Validate does.
func New(inner http.RoundTripper, cfg Config) (*Transport, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if inner == nil {
		inner = http.DefaultTransport
	}
	t := &Transport{inner: inner, cfg: cfg.withDefaults(), now: time.Now, sleep: sleep, backoff: jitter}
	if cfg.QPS > 0 {
		t.limit = newLimiter(cfg.QPS, t.cfg.Burst)
	}
	return t, nil
}

// RoundTrip sends req, retrying as the package documentation describes,
// and returns a response whose Body is in memory (a HEAD response keeps its
// announced ContentLength and an empty body).
//
// Only GET and HEAD requests without a body are retried. Other methods get
// one attempt: go-containerregistry's only POST is the OAuth2 refresh-token
// grant, and replaying it after a lost response may present a refresh token
// that the server has already rotated (it falls back to GET on 404 anyway).
//
// When the attempts run out on a retryable status, the last response is
// returned with a nil error, so that transport.CheckError builds a
// *transport.Error carrying the status. When they run out on an error, the
// error names the attempt count and wraps the last cause. Errors never
// contain the request URL: net/http's Client adds it, query included, so
// callers must redact messages (the crawler does, for its logs and
// snapshot) before showing them.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	attempts := 1
	if replayable(req) {
		attempts = t.cfg.MaxAttempts
	}
	for n := 1; ; n++ {
		if err := t.wait(ctx); err != nil {
			closeBody(req)
			return nil, err
		}
		t.stats.requests.Add(1)
		resp, err := t.attempt(ctx, req)
		switch {
		case err == nil && !retryableStatus(resp.StatusCode):
			return resp, nil
		case ctx.Err() != nil:
			// Ctrl-C or the caller's own deadline: stop now, never retry.
			return nil, ctx.Err()
		case err != nil && !retryableError(err):
			return nil, err
		case n >= attempts:
			t.stats.failures.Add(1)
			if err != nil {
				if attempts == 1 {
					return nil, err
				}
				return nil, fmt.Errorf("gave up after %d attempts: %w", n, err)
			}
			return resp, nil
		}
		delay := t.delay(n, resp)
		attrs := []slog.Attr{
			slog.String("method", req.Method),
			slog.String("url", RedactURL(req.URL)),
			slog.Int("attempt", n),
			slog.Duration("delay", delay),
		}
		if resp != nil {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		} else {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		t.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "retrying request", attrs...)
		t.stats.retries.Add(1)
		if err := t.sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// wait blocks for the rate limit, if any.
func (t *Transport) wait(ctx context.Context) error {
	if t.limit == nil {
		return ctx.Err()
	}
	return t.sleep(ctx, t.limit.reserve(t.now()))
}

// delay is the pause after failed attempt n: full-jitter backoff, raised to
// the server's Retry-After on 429 and 503.
func (t *Transport) delay(n int, resp *http.Response) time.Duration {
	d := t.backoff(backoffCeiling(n, t.cfg.BaseDelay, t.cfg.MaxDelay))
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), t.now(), t.cfg.MaxRetryAfter); ok {
			d = max(d, ra)
		}
	}
	return d
}

// attempt sends one try of req under its own header and stall timers and
// its deadline, and buffers the body. A timer that fires cancels only this
// attempt's context, with ErrHeaderTimeout, ErrStalled or ErrDeadline as
// the cause.
func (t *Transport) attempt(ctx context.Context, req *http.Request) (*http.Response, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	deadline := time.AfterFunc(t.cfg.Deadline, func() { cancel(ErrDeadline) })
	defer deadline.Stop()
	out := req.Clone(actx)
	if carriesForeignCredential(req) {
		out.Header.Del("Authorization")
	}
	headers := time.AfterFunc(t.cfg.HeaderTimeout, func() { cancel(ErrHeaderTimeout) })
	resp, err := t.inner.RoundTrip(out)
	headers.Stop()
	if err != nil {
		return nil, timerCause(actx, err)
	}
	body, err := t.readBody(req.Method, resp, cancel)
	if err != nil {
		return nil, timerCause(actx, err)
	}
	resp.Body = body
	// Callers (transport.CheckError, Ping, redirects) look at the request
	// they sent, not at this attempt's clone.
	resp.Request = req
	return resp, nil
}

// readBody reads resp.Body into memory under the size cap and stall timer
// and closes it.
func (t *Transport) readBody(method string, resp *http.Response, cancel context.CancelCauseFunc) (io.ReadCloser, error) {
	defer resp.Body.Close()
	if method == http.MethodHead {
		return http.NoBody, nil
	}
	limit := t.cfg.MaxBody
	if resp.ContentLength > limit {
		return nil, &TooLargeError{Limit: limit, Length: resp.ContentLength}
	}
	stall := time.AfterFunc(t.cfg.StallTimeout, func() { cancel(ErrStalled) })
	defer stall.Stop()
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	src := &progressReader{r: resp.Body, timer: stall, stall: t.cfg.StallTimeout}
	n, err := buf.ReadFrom(io.LimitReader(src, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", err)
	}
	if n > limit {
		return nil, &TooLargeError{Limit: limit, Length: -1}
	}
	resp.ContentLength = n
	return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
}

// progressReader re-arms the stall timer on every byte received.
type progressReader struct {
	r     io.Reader
	timer *time.Timer
	stall time.Duration
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.timer.Reset(p.stall)
	}
	return n, err
}

// timerCause replaces the error that an expired attempt timer provokes
// (a cancelled context) with the timer's own error, so that
// errors.Is(err, context.Canceled) stays reserved for the caller's cancel.
func timerCause(actx context.Context, err error) error {
	if cause := context.Cause(actx); cause == ErrHeaderTimeout || cause == ErrStalled || cause == ErrDeadline {
		return cause
	}
	return err
}

// replayable reports whether req may be sent again: idempotent and without
// a body to rewind.
func replayable(req *http.Request) bool {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false
	}
	return req.Body == nil || req.Body == http.NoBody
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// sleep waits d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// counters backs [Stats].
type counters struct {
	requests, retries, failures atomic.Int64
}

// Stats counts a Transport's work since New. A progress display may read
// it at any time from any goroutine.
type Stats struct {
	// Requests is the number of attempts sent, retries included.
	Requests int64
	// Retries is the number of attempts that failed and were tried again.
	Retries int64
	// Failures is the number of RoundTrip calls that ran out of attempts on
	// a retryable failure and returned it (an error, or the last 429/5xx
	// response). Permanent errors and cancellations are the caller's to
	// count: go-containerregistry's handshake, for one, expects its https
	// probe of a plain-HTTP registry to fail.
	Failures int64
}

// Stats returns the current counts.
func (t *Transport) Stats() Stats {
	return Stats{
		Requests: t.stats.requests.Load(),
		Retries:  t.stats.retries.Load(),
		Failures: t.stats.failures.Load(),
	}
}
