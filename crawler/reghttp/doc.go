// Package reghttp is the crawler's HTTP layer to a registry: a retrying,
// rate-limited, deadline-bound, redirect-guarding and redacting
// http.RoundTripper that sits beneath go-containerregistry's auth transport
// and makes every request survive a flaky registry without losing data,
// hanging, or leaking credentials.
//
// For each request the Transport
//   - waits for the optional QPS rate limit,
//   - retries idempotent requests (GET, HEAD) with exponential backoff and
//     full jitter on 429, 500, 502, 503 and 504, on per-attempt timeouts, on
//     connection resets and early EOFs, on truncated and on stalled bodies,
//     honouring Retry-After (capped) on 429 and 503,
//   - bounds each attempt three ways: the wait for headers
//     (Config.HeaderTimeout), the longest gap between body bytes
//     (Config.StallTimeout) and the whole attempt, connecting to last body
//     byte (Config.Deadline), so a body that drips just fast enough to keep
//     the stall timer alive still ends; so one request lasts at most about
//     MaxAttempts × Deadline plus the backoff between attempts,
//   - reads the whole response body into memory inside RoundTrip, capped by
//     Config.MaxBody, so truncation, resets mid-body and stalls are seen and
//     retried here rather than surfacing later in a JSON decoder,
//   - drops an Authorization header that a redirect would carry to another
//     host (see [Transport.RoundTrip]),
//   - never writes Authorization headers, URL userinfo or query strings to
//     its logs or errors.
//
// Wire it as the inner transport of transport.NewWithContext so that every
// attempt passes through authentication again:
//
//	rt, err := reghttp.New(base, cfg)
//	auth, err := transport.NewWithContext(ctx, reg, authenticator, rt, scopes)
//	client := &http.Client{Transport: auth}
//
// A cancelled parent context (Ctrl-C) stops at once and is never retried;
// the returned error satisfies errors.Is(err, context.Canceled).
package reghttp
