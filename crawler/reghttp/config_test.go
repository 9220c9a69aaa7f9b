package reghttp

import (
	"math"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"no retries", Config{MaxAttempts: 1}, true},
		{"base above default max", Config{BaseDelay: time.Minute}, true},
		{"negative attempts", Config{MaxAttempts: -1}, false},
		{"negative stall", Config{StallTimeout: -time.Second}, false},
		{"negative header timeout", Config{HeaderTimeout: -time.Second}, false},
		{"negative deadline", Config{Deadline: -time.Second}, false},
		{"base above max", Config{BaseDelay: 2 * time.Second, MaxDelay: time.Second}, false},
		{"negative body cap", Config{MaxBody: -1}, false},
		{"NaN qps", Config{QPS: math.NaN()}, false},
		{"infinite qps", Config{QPS: math.Inf(1)}, false},
		{"negative burst", Config{Burst: -2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if _, nerr := New(nil, tt.cfg); (nerr == nil) != tt.ok {
				t.Fatalf("New() error = %v, want ok=%v", nerr, tt.ok)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c := Config{BaseDelay: time.Minute}.withDefaults()
	if c.MaxAttempts != DefaultMaxAttempts || c.MaxBody != DefaultMaxBody || c.StallTimeout != DefaultStallTimeout ||
		c.HeaderTimeout != DefaultHeaderTimeout || c.Deadline != DefaultDeadline || c.MaxRetryAfter != DefaultMaxRetryAfter || c.Burst != 1 || c.Logger == nil {
		t.Errorf("defaults not applied: %+v", c)
	}
	if c.MaxDelay < c.BaseDelay {
		t.Errorf("MaxDelay %v below BaseDelay %v", c.MaxDelay, c.BaseDelay)
	}
}

func TestLimiter(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		qps   float64
		burst int
		at    []time.Duration // offsets from start of successive reservations
		want  []time.Duration
	}{
		{"spacing", 10, 1, []time.Duration{0, 0, 0}, []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond}},
		{"burst then spacing", 2, 3, []time.Duration{0, 0, 0, 0}, []time.Duration{0, 0, 0, 500 * time.Millisecond}},
		{"refills", 4, 1, []time.Duration{0, time.Second, time.Second}, []time.Duration{0, 0, 250 * time.Millisecond}},
		{"refill capped by burst", 10, 2, []time.Duration{0, time.Hour, time.Hour, time.Hour}, []time.Duration{0, 0, 0, 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(tt.qps, tt.burst)
			for i, off := range tt.at {
				if got := l.reserve(start.Add(off)); got.Round(time.Microsecond) != tt.want[i] {
					t.Fatalf("reservation %d waits %v, want %v", i, got, tt.want[i])
				}
			}
		})
	}
}

// TestQPSLimitsAttempts drives the limiter through RoundTrip: three
// requests at 5 QPS ask the (recorded) sleep for 0, 200ms and 400ms.
func TestQPSLimitsAttempts(t *testing.T) {
	srv := newFaultServer(t, payload)
	rt := newTestTransport(t, Config{QPS: 5})
	delays := recordSleeps(rt, time.Now())
	for range 3 {
		if _, err := get(t, t.Context(), rt, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond}
	for i, d := range *delays {
		if d.Round(time.Microsecond) != want[i] {
			t.Fatalf("limiter waits %v, want %v", *delays, want)
		}
	}
	if len(*delays) != 3 {
		t.Fatalf("limiter waits %v, want %v", *delays, want)
	}
}
