package reghttp

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// parseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3): either
// delta-seconds or an HTTP-date, the latter relative to now. The result lies
// in [0, ceiling]; ok is false when the value is neither form.
func parseRetryAfter(v string, now time.Time, ceiling time.Duration) (d time.Duration, ok bool) {
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		// Compare in seconds first: a huge value must not overflow Duration.
		const maxSeconds = int64(1<<63-1) / int64(time.Second)
		var secs int64
		for _, c := range []byte(v) {
			secs = secs*10 + int64(c-'0')
			if secs > maxSeconds {
				return ceiling, true
			}
		}
		return min(time.Duration(secs)*time.Second, ceiling), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now) // Sub saturates instead of overflowing
	return min(max(d, 0), ceiling), true
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// backoffCeiling is the full-jitter ceiling after failed attempt n (1-based):
// base·2^(n-1), capped by maxDelay.
func backoffCeiling(n int, base, maxDelay time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// jitter draws uniformly from [0, ceiling].
func jitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}
