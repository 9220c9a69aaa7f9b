// Package notify owns change notifications: after a run that changed
// something, one JSON document ([Message], documented in
// docs/notifications.md) is POSTed to each configured URL, signed with
// an HMAC-SHA256 of the body when a secret is set ([SignatureHeader]),
// and retried with backoff.
//
// Notifications never fail a run: [Send] logs what could not be
// delivered and returns counts, never an error. They use an HTTP client
// of their own, so nothing of the registry's credentials or transport
// can reach a notification URL; and a URL's path and query (where
// incoming-webhook services keep their secret) never appear in a log.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
)

// Defaults applied to zero fields of [Config], and fixed limits.
const (
	// MaxAttempts is the number of attempts per URL at most.
	MaxAttempts = 5
	// DefaultTimeout bounds one attempt: connecting, sending, and reading
	// the response headers and up to maxResponse bytes of its body.
	DefaultTimeout = 10 * time.Second
	// DefaultBackoff is the delay before the second attempt; each further
	// one doubles it (with full jitter), up to maxBackoff.
	DefaultBackoff = time.Second
	// DefaultMaxRetryAfter caps the wait a Retry-After header may ask for.
	DefaultMaxRetryAfter = 30 * time.Second
)

const (
	// maxBackoff caps one backoff delay.
	maxBackoff = 30 * time.Second
	// maxResponse caps the response bytes read (and discarded), so that
	// the connection can be reused.
	maxResponse = 64 << 10
	// concurrency bounds the URLs notified at once.
	concurrency = 4
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
// keyed with Config.Secret.
const SignatureHeader = "X-Regcat-Signature"

// DeliveryHeader carries an id of the message, the same for every
// attempt and URL, so that a receiver can drop repeats.
const DeliveryHeader = "X-Regcat-Delivery"

// Config says where and how to notify. Its zero value notifies nobody.
type Config struct {
	// URLs are the http(s) URLs to POST to, each once per run.
	URLs []string
	// Secret, when set, signs each body (see SignatureHeader).
	Secret []byte
	// Timeout bounds one attempt. 0 means DefaultTimeout.
	Timeout time.Duration
	// Backoff is the delay before the second attempt. 0 means
	// DefaultBackoff.
	Backoff time.Duration
	// MaxRetryAfter caps the delay a Retry-After header may ask for. 0
	// means DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// Transport sends the requests. nil means a clone of
	// http.DefaultTransport's settings, never the crawler's.
	Transport http.RoundTripper
	// Logger receives one record per delivery and per failed attempt.
	// nil discards them.
	Logger *slog.Logger
}

// Validate reports every URL that is not absolute http(s) without
// userinfo, and negative durations.
func (c *Config) Validate() error {
	var errs []error
	for _, s := range c.URLs {
		u, err := url.Parse(s)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("notify URL %s: not a URL", redact(s)))
		case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
			errs = append(errs, fmt.Errorf("notify URL %s: want an absolute http or https URL", redact(s)))
		case u.User != nil:
			errs = append(errs, fmt.Errorf("notify URL %s: credentials in the URL are not supported", redact(s)))
		}
	}
	for name, d := range map[string]time.Duration{"timeout": c.Timeout, "backoff": c.Backoff, "max Retry-After": c.MaxRetryAfter} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("notify %s %s is negative", name, d))
		}
	}
	if len(c.Secret) > 0 && len(c.URLs) == 0 {
		errs = append(errs, errors.New("notify: a secret without URLs"))
	}
	return errors.Join(errs...)
}

// Stats counts the outcome of one Send.
type Stats struct {
	// Delivered and Failed count URLs; Attempts counts requests.
	Delivered, Failed, Attempts int
}

// Send POSTs m to every URL of cfg, at most [MaxAttempts] times each,
// and returns the counts. Attempts that fail with a network error, 408,
// 429 or a 5xx are retried with backoff, or after the Retry-After the
// response asks for (capped); other statuses of 300 and more are final.
// A URL that still fails is logged as a warning. ctx bounds the whole
// Send: once it is done no further attempt starts.
func Send(ctx context.Context, cfg Config, m *Message) Stats {
	var st Stats
	if len(cfg.URLs) == 0 {
		return st
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	body, err := m.Marshal()
	if err != nil {
		log.Error("notification not sent", "error", err)
		st.Failed = len(cfg.URLs)
		return st
	}
	s := &sender{cfg: cfg, log: log, body: body, client: cfg.client(), delivery: delivery(body)}
	if len(cfg.Secret) > 0 {
		s.signature = Sign(cfg.Secret, body)
	}
	results := make([]result, len(cfg.URLs))
	var g errgroup.Group
	g.SetLimit(concurrency)
	for i, u := range cfg.URLs {
		g.Go(func() error {
			results[i] = s.deliver(ctx, u)
			return nil
		})
	}
	_ = g.Wait() // deliver never fails the group
	for _, r := range results {
		st.Attempts += r.attempts
		if r.ok {
			st.Delivered++
		} else {
			st.Failed++
		}
	}
	return st
}

// Sign returns the value of SignatureHeader for body signed with secret:
// "sha256=" and the lower-case hex HMAC-SHA256.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// delivery is the DeliveryHeader of body: the first 16 bytes of its
// SHA-256, in hex.
func delivery(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:16])
}

func (c *Config) client() *http.Client {
	t := c.Transport
	if t == nil {
		t = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &http.Client{
		Transport: t,
		// A webhook that redirects is misconfigured: the status is final.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (c *Config) timeout() time.Duration { return orDefault(c.Timeout, DefaultTimeout) }
func (c *Config) backoff() time.Duration { return orDefault(c.Backoff, DefaultBackoff) }
func (c *Config) maxRetryAfter() time.Duration {
	return orDefault(c.MaxRetryAfter, DefaultMaxRetryAfter)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// sender holds what every delivery of one message shares.
type sender struct {
	cfg       Config
	log       *slog.Logger
	client    *http.Client
	body      []byte
	signature string
	delivery  string
}

type result struct {
	ok       bool
	attempts int
}

// deliver POSTs the body to u until it is accepted, the failure is
// final, MaxAttempts were made or ctx is done.
func (s *sender) deliver(ctx context.Context, u string) result {
	var r result
	where := redact(u)
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		r.attempts = attempt
		status, wait, err := s.attempt(ctx, u)
		if err == nil {
			s.log.Info("notification delivered", "url", where, "status", status, "attempt", attempt)
			r.ok = true
			return r
		}
		if wait < 0 || attempt == MaxAttempts || ctx.Err() != nil {
			s.log.Warn("notification failed", "url", where, "status", status, "attempt", attempt, "error", err)
			return r
		}
		if wait == 0 {
			wait = jitter(s.cfg.backoff(), attempt)
		}
		s.log.Debug("notification attempt failed; retrying", "url", where, "status", status, "attempt", attempt, "error", err, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			s.log.Warn("notification failed", "url", where, "attempt", attempt, "error", ctx.Err())
			return r
		case <-t.C:
		}
	}
	return r
}

// attempt makes one request. On failure it returns how long to wait
// before the next attempt: 0 for the backoff, a Retry-After delay, or
// -1 when the failure is final.
func (s *sender) attempt(ctx context.Context, u string) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(s.body))
	if err != nil {
		return 0, -1, errors.New("invalid URL")
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "regcat")
	h.Set(DeliveryHeader, s.delivery)
	if s.signature != "" {
		h.Set(SignatureHeader, s.signature)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its text holds the whole URL
			err = ue.Err
		}
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return code, 0, nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return code, s.retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("status %d", code)
	}
	return code, -1, fmt.Errorf("status %d", code)
}

// retryAfter is the delay a Retry-After value asks for, capped; 0 when
// there is none (the backoff applies). Retry-After: 0 waits not at all.
func (s *sender) retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	} else {
		return 0
	}
	d = min(max(d, time.Nanosecond), s.cfg.maxRetryAfter())
	return d
}

// jitter is the backoff before attempt+1: full jitter over base·2^(attempt-1),
// capped at maxBackoff, never below a tenth of base.
func jitter(base time.Duration, attempt int) time.Duration {
	d := min(base<<(attempt-1), maxBackoff)
	return max(time.Duration(rand.Int64N(int64(d)+1)), base/10)
}

// redact is a URL for logs and errors: scheme and host only, since
// incoming-webhook URLs keep their secret in the path or query.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
