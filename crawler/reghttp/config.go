package reghttp

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// Defaults applied by [New] to zero fields of [Config].
const (
	DefaultMaxAttempts   = 5
	DefaultBaseDelay     = 200 * time.Millisecond
	DefaultMaxDelay      = 10 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
	DefaultMaxBody       = 8 << 20 // the distribution registry caps manifests at 4 MiB
	DefaultHeaderTimeout = 30 * time.Second
	DefaultStallTimeout  = 30 * time.Second
	DefaultDeadline      = 60 * time.Second
)

// Config tunes a [Transport]. The zero value is usable: every zero field
// means the documented default.
type Config struct {
	// MaxAttempts bounds the attempts per request, the first included.
	// 0 means DefaultMaxAttempts; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff ceiling after the first failed attempt; it
	// doubles per attempt up to MaxDelay, and the actual delay is drawn
	// uniformly from [0, ceiling] (full jitter). 0 means DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps the backoff ceiling. 0 means DefaultMaxDelay.
	MaxDelay time.Duration
	// MaxRetryAfter caps an honoured Retry-After header; a longer request
	// from the server is shortened to MaxRetryAfter.
	// 0 means DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// MaxBody caps, in bytes, any response body buffered by the transport.
	// A longer body is an error that satisfies errors.Is(err, ErrTooLarge)
	// and is not retried. 0 means DefaultMaxBody.
	MaxBody int64
	// HeaderTimeout bounds the wait for response headers of one attempt;
	// expiry is retried. 0 means DefaultHeaderTimeout.
	HeaderTimeout time.Duration
	// StallTimeout is the longest gap without a body byte; a body that
	// drips slower fails the attempt with ErrStalled, which is retried.
	// 0 means DefaultStallTimeout.
	StallTimeout time.Duration
	// Deadline bounds one whole attempt: connecting, the wait for headers
	// and reading the entire body. It is separate from StallTimeout: a body
	// that drips a byte just often enough to keep the stall timer alive
	// still ends here, with ErrDeadline, which is retried. 0 means
	// DefaultDeadline.
	Deadline time.Duration
	// QPS limits attempts per second across all requests of the transport,
	// retries included. 0 means no limit.
	QPS float64
	// Burst is the number of attempts the rate limit lets through at once.
	// 0 means 1. Ignored when QPS is 0.
	Burst int
	// Logger receives one Debug record per retry. nil discards.
	Logger *slog.Logger
}

// Validate reports the first field that holds an impossible value. Zero
// values are valid: they mean defaults.
func (c Config) Validate() error {
	var errs []error
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("max attempts %d is negative", c.MaxAttempts))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"base delay", c.BaseDelay},
		{"max delay", c.MaxDelay},
		{"max retry-after", c.MaxRetryAfter},
		{"header timeout", c.HeaderTimeout},
		{"stall timeout", c.StallTimeout},
		{"deadline", c.Deadline},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %s is negative", d.name, d.v))
		}
	}
	if c.BaseDelay > 0 && c.MaxDelay > 0 && c.BaseDelay > c.MaxDelay {
		errs = append(errs, fmt.Errorf("base delay %s exceeds max delay %s", c.BaseDelay, c.MaxDelay))
	}
	if c.MaxBody < 0 {
		errs = append(errs, fmt.Errorf("max body %d is negative", c.MaxBody))
	}
	if c.QPS < 0 || math.IsNaN(c.QPS) || math.IsInf(c.QPS, 0) {
		errs = append(errs, fmt.Errorf("qps %v is not a finite non-negative number", c.QPS))
	}
	if c.Burst < 0 {
		errs = append(errs, fmt.Errorf("burst %d is negative", c.Burst))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("retry config: %w", err)
	}
	return nil
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.BaseDelay == 0 {
		c.BaseDelay = DefaultBaseDelay
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = max(DefaultMaxDelay, c.BaseDelay)
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if c.MaxBody == 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.HeaderTimeout == 0 {
		c.HeaderTimeout = DefaultHeaderTimeout
	}
	if c.StallTimeout == 0 {
		c.StallTimeout = DefaultStallTimeout
	}
	if c.Deadline == 0 {
		c.Deadline = DefaultDeadline
	}
	if c.Burst == 0 {
		c.Burst = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
