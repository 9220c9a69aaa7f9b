package reghttp

import (
	"sync"
	"time"
)

// limiter is a token bucket: qps tokens per second, at most burst stored.
// Callers reserve a token and wait out the returned delay, so concurrent
// callers queue fairly without a goroutine per bucket.
type limiter struct {
	mu     sync.Mutex
	qps    float64
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(qps float64, burst int) *limiter {
	return &limiter{qps: qps, burst: float64(burst), tokens: float64(burst)}
}

// reserve takes one token at time now and returns how long the caller must
// wait before using it. A token reserved by a caller who then gives up is
// lost, which only makes the limit stricter.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.qps)
	}
	l.last = now
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens / l.qps * float64(time.Second))
}
