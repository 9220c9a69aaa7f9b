package reghttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

var payload = bytes.Repeat([]byte("0123456789abcdef"), 64) // 1 KiB

func get(t *testing.T, ctx context.Context, rt http.RoundTripper, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rt.RoundTrip(req)
}

func TestRecovers(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		fault fault
	}{
		{"429", Config{}, status(http.StatusTooManyRequests, "Retry-After", "0")},
		{"500", Config{}, status(http.StatusInternalServerError)},
		{"502", Config{}, status(http.StatusBadGateway)},
		{"503", Config{}, status(http.StatusServiceUnavailable)},
		{"504", Config{}, status(http.StatusGatewayTimeout)},
		{"truncated body", Config{}, truncated(len(payload))},
		{"reset before headers", Config{}, reset("")},
		{"reset mid-body", Config{}, reset("HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\npartial")},
		{"slow drip", Config{StallTimeout: 400 * time.Millisecond}, drip(len(payload))},
		{"no headers", Config{HeaderTimeout: 400 * time.Millisecond}, hang},
		{"endless trickle", Config{Deadline: 400 * time.Millisecond}, trickle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, payload, tt.fault)
			rt := newTestTransport(t, tt.cfg)
			// A generous bound that turns an undetected stall into a
			// failure instead of a hung test.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			resp, err := get(t, ctx, rt, srv.URL+"/v2/")
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, payload) {
				t.Fatalf("got status %d and %d bytes, want 200 and the %d-byte payload", resp.StatusCode, len(got), len(payload))
			}
			if resp.ContentLength != int64(len(payload)) {
				t.Errorf("ContentLength = %d, want %d", resp.ContentLength, len(payload))
			}
			want := Stats{Requests: 2, Retries: 1}
			if s := rt.Stats(); s != want {
				t.Errorf("Stats = %+v, want %+v", s, want)
			}
		})
	}
}

// recordSleeps replaces the transport's clock and sleep so tests can read
// the delays it chose without waiting them out.
func recordSleeps(rt *Transport, now time.Time) *[]time.Duration {
	var (
		mu     sync.Mutex
		delays []time.Duration
	)
	rt.now = func() time.Time { return now }
	rt.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		delays = append(delays, d)
		return ctx.Err()
	}
	return &delays
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		status int
		value  string
		want   time.Duration // exact: backoff is pinned to 0 below
	}{
		{"429 delta-seconds", http.StatusTooManyRequests, "1", time.Second},
		{"503 delta-seconds", http.StatusServiceUnavailable, "7", 7 * time.Second},
		{"429 http-date", http.StatusTooManyRequests, now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second},
		{"http-date in the past", http.StatusTooManyRequests, now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"capped", http.StatusServiceUnavailable, "3600", 20 * time.Second},
		{"http-date capped", http.StatusServiceUnavailable, now.Add(time.Hour).Format(http.TimeFormat), 20 * time.Second},
		{"garbage ignored", http.StatusTooManyRequests, "soon", 0},
		{"ignored on 500", http.StatusInternalServerError, "9", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, payload, status(tt.status, "Retry-After", tt.value))
			rt := newTestTransport(t, Config{MaxRetryAfter: 20 * time.Second})
			rt.backoff = func(time.Duration) time.Duration { return 0 }
			delays := recordSleeps(rt, now)
			resp, err := get(t, t.Context(), rt, srv.URL)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("RoundTrip = %v, %v; want 200", resp, err)
			}
			if len(*delays) != 1 || (*delays)[0] != tt.want {
				t.Fatalf("slept %v, want [%v]", *delays, tt.want)
			}
		})
	}
}

// TestRetryAfterWaitsForReal checks the real sleep against the wall clock:
// a lower bound only, which a slow machine cannot break.
func TestRetryAfterWaitsForReal(t *testing.T) {
	srv := newFaultServer(t, payload, status(http.StatusTooManyRequests, "Retry-After", "1"))
	rt := newTestTransport(t, Config{})
	start := time.Now()
	resp, err := get(t, t.Context(), rt, srv.URL)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("RoundTrip = %v, %v; want 200", resp, err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %v, before the 1s Retry-After", waited)
	}
}

func TestBackoffGrowsWithinCeiling(t *testing.T) {
	faults := make([]fault, 5)
	for i := range faults {
		faults[i] = status(http.StatusBadGateway)
	}
	srv := newFaultServer(t, payload, faults...)
	rt := newTestTransport(t, Config{MaxAttempts: 6, BaseDelay: 100 * time.Millisecond, MaxDelay: 300 * time.Millisecond})
	var ceilings []time.Duration
	rt.backoff = func(c time.Duration) time.Duration { ceilings = append(ceilings, c); return c }
	delays := recordSleeps(rt, time.Now())
	if _, err := get(t, t.Context(), rt, srv.URL); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{100, 200, 300, 300, 300}
	for i := range want {
		want[i] *= time.Millisecond
	}
	if !slices.Equal(ceilings, want) || !slices.Equal(*delays, want) {
		t.Fatalf("ceilings %v, delays %v; want %v", ceilings, *delays, want)
	}
	for range 1000 {
		if d := jitter(300 * time.Millisecond); d < 0 || d > 300*time.Millisecond {
			t.Fatalf("jitter drew %v outside [0, 300ms]", d)
		}
	}
}

func TestAttemptsBounded(t *testing.T) {
	t.Run("status", func(t *testing.T) {
		faults := make([]fault, 10)
		for i := range faults {
			faults[i] = status(http.StatusServiceUnavailable)
		}
		srv := newFaultServer(t, payload, faults...)
		rt := newTestTransport(t, Config{MaxAttempts: 3})
		resp, err := get(t, t.Context(), rt, srv.URL+"/v2/")
		if err != nil {
			t.Fatalf("RoundTrip: %v; want the last response", err)
		}
		if hits := srv.hits.Load(); hits != 3 {
			t.Errorf("server saw %d attempts, want 3", hits)
		}
		var terr *transport.Error
		if err := transport.CheckError(resp, http.StatusOK); !errors.As(err, &terr) || terr.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("CheckError = %v, want a *transport.Error with status 503", err)
		}
		if s, want := rt.Stats(), (Stats{Requests: 3, Retries: 2, Failures: 1}); s != want {
			t.Errorf("Stats = %+v, want %+v", s, want)
		}
	})
	t.Run("error", func(t *testing.T) {
		faults := make([]fault, 10)
		for i := range faults {
			faults[i] = truncated(100)
		}
		srv := newFaultServer(t, payload, faults...)
		rt := newTestTransport(t, Config{MaxAttempts: 3})
		_, err := get(t, t.Context(), rt, srv.URL)
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "3 attempts") {
			t.Fatalf("RoundTrip error = %v; want io.ErrUnexpectedEOF after 3 attempts", err)
		}
		if s, want := rt.Stats(), (Stats{Requests: 3, Retries: 2, Failures: 1}); s != want {
			t.Errorf("Stats = %+v, want %+v", s, want)
		}
	})
}

func TestNotRetried(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 4096)
	tests := []struct {
		name   string
		method string
		fault  fault
		check  func(*http.Response, error) bool
		want   string
	}{
		{
			name:   "announced body over cap",
			method: http.MethodGet,
			fault:  func(w http.ResponseWriter, r *http.Request) { w.Write(big) },
			check:  func(_ *http.Response, err error) bool { return errors.Is(err, ErrTooLarge) },
			want:   "ErrTooLarge",
		},
		{
			name:   "chunked body over cap",
			method: http.MethodGet,
			fault: func(w http.ResponseWriter, r *http.Request) {
				for range 8 {
					w.Write(big[:512])
					http.NewResponseController(w).Flush()
				}
			},
			check: func(_ *http.Response, err error) bool {
				var tl *TooLargeError
				return errors.As(err, &tl) && tl.Limit == 1024 && tl.Length == -1
			},
			want: "*TooLargeError{Limit: 1024, Length: -1}",
		},
		{
			name:   "404",
			method: http.MethodGet,
			fault:  status(http.StatusNotFound),
			check:  func(r *http.Response, err error) bool { return err == nil && r.StatusCode == http.StatusNotFound },
			want:   "the 404 response",
		},
		{
			name:   "POST 503",
			method: http.MethodPost,
			fault:  status(http.StatusServiceUnavailable),
			check: func(r *http.Response, err error) bool {
				return err == nil && r.StatusCode == http.StatusServiceUnavailable
			},
			want: "the 503 response",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, payload, tt.fault)
			rt := newTestTransport(t, Config{MaxBody: 1024})
			var body io.Reader
			if tt.method == http.MethodPost {
				body = strings.NewReader("grant_type=refresh_token")
			}
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := rt.RoundTrip(req)
			if !tt.check(resp, err) {
				t.Fatalf("RoundTrip = %v, %v; want %s", resp, err, tt.want)
			}
			if hits := srv.hits.Load(); hits != 1 {
				t.Errorf("server saw %d attempts, want 1", hits)
			}
		})
	}
}

func TestHeadKeepsContentLength(t *testing.T) {
	srv := newFaultServer(t, bytes.Repeat([]byte("m"), 5000))
	rt := newTestTransport(t, Config{MaxBody: 1024})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodHead, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("HEAD of a body over MaxBody: %v", err)
	}
	if resp.ContentLength != 5000 || resp.Body != http.NoBody {
		t.Fatalf("HEAD gave ContentLength %d, body %T; want 5000 and http.NoBody", resp.ContentLength, resp.Body)
	}
}

func TestCancelStopsWithoutRetry(t *testing.T) {
	tests := []struct {
		name  string
		fault fault
	}{
		{"during Retry-After sleep", status(http.StatusTooManyRequests, "Retry-After", "60")},
		{"while waiting for headers", hang},
		{"while reading the body", drip(len(payload))},
		{"while a body trickles", trickle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := make(chan struct{})
			srv := newFaultServer(t, payload, func(w http.ResponseWriter, r *http.Request) {
				close(seen)
				tt.fault(w, r)
			})
			rt := newTestTransport(t, Config{})
			ctx, cancel := context.WithCancel(t.Context())
			errc := make(chan error, 1)
			go func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
				_, err := rt.RoundTrip(req)
				errc <- err
			}()
			<-seen
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("RoundTrip error = %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("RoundTrip still running 10s after cancel")
			}
			if hits := srv.hits.Load(); hits != 1 {
				t.Errorf("server saw %d attempts, want 1", hits)
			}
			if s := rt.Stats(); s.Retries > 1 || s.Requests != 1 {
				t.Errorf("Stats = %+v, want one request", s)
			}
		})
	}
}

// TestDeadlineEndsTrickle: a body that never ends but never stalls fails
// each attempt at the deadline, MaxAttempts times, then gives up with
// ErrDeadline; the stall timer alone would wait forever.
func TestDeadlineEndsTrickle(t *testing.T) {
	faults := make([]fault, 10)
	for i := range faults {
		faults[i] = trickle
	}
	srv := newFaultServer(t, payload, faults...)
	rt := newTestTransport(t, Config{MaxAttempts: 3, Deadline: 200 * time.Millisecond, StallTimeout: 5 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a broken deadline fails, not hangs
	defer cancel()
	_, err := get(t, ctx, rt, srv.URL)
	if !errors.Is(err, ErrDeadline) || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("RoundTrip error = %v; want ErrDeadline after 3 attempts, not a context error", err)
	}
	if hits := srv.hits.Load(); hits != 3 {
		t.Errorf("server saw %d attempts, want 3", hits)
	}
	if s, want := rt.Stats(), (Stats{Requests: 3, Retries: 2, Failures: 1}); s != want {
		t.Errorf("Stats = %+v, want %+v", s, want)
	}
}

func TestTimersAreNotCancel(t *testing.T) {
	srv := newFaultServer(t, payload, hang, drip(100), hang)
	rt := newTestTransport(t, Config{MaxAttempts: 3, HeaderTimeout: 30 * time.Millisecond, StallTimeout: 30 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // a broken timer fails, not hangs
	defer cancel()
	_, err := get(t, ctx, rt, srv.URL)
	if !errors.Is(err, ErrHeaderTimeout) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RoundTrip error = %v; want ErrHeaderTimeout and not a context error", err)
	}
}
