package memlimit

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestLimit(t *testing.T) {
	for _, tc := range []struct {
		floor int64
		live  uint64
		want  int64
	}{
		{Floor, 0, Floor},
		{Floor, 100 << 20, Floor},
		{Floor, 213 << 20, Floor},          // 1.5 × 213 MiB is below 320 MiB
		{Floor, 300 << 20, 450 << 20},      // above it, the limit follows
		{Floor, 1 << 30, 3 << 29},          // 1.5 GiB
		{0, math.MaxUint64, math.MaxInt64}, // no overflow
	} {
		if got := Limit(tc.floor, tc.live); got != tc.want {
			t.Errorf("Limit(%d, %d) = %d, want %d", tc.floor, tc.live, got, tc.want)
		}
	}
}

// current is the soft memory limit now.
func current() int64 { return debug.SetMemoryLimit(-1) }

func TestStartSetsAndRestores(t *testing.T) {
	t.Run("unset", func(t *testing.T) {
		t.Setenv("GOMEMLIMIT", "") // as unset; restored after the test
		before := current()
		stop := Start(context.Background(), 123<<20)
		if got := current(); got != 123<<20 {
			t.Errorf("limit after Start = %d, want %d", got, 123<<20)
		}
		stop()
		if got := current(); got != before {
			t.Errorf("limit after stop = %d, want %d as before", got, before)
		}
	})
	t.Run("user's GOMEMLIMIT", func(t *testing.T) {
		t.Setenv("GOMEMLIMIT", "1GiB")
		before := current()
		stop := Start(context.Background(), 123<<20)
		defer stop()
		if got := current(); got != before {
			t.Errorf("limit = %d with GOMEMLIMIT set, want it left at %d", got, before)
		}
	})
}

// TestAdjustFollowsLiveHeap keeps 32 MiB live under a floor of 8 MiB: the
// limit rises to at least 1.5 times that, where a fixed 8 MiB would keep
// the collector running without end.
func TestAdjustFollowsLiveHeap(t *testing.T) {
	before := current()
	defer debug.SetMemoryLimit(before)
	live := make([][]byte, 32)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	runtime.GC()
	got := Adjust(8 << 20)
	runtime.KeepAlive(live)
	if got < 48<<20 {
		t.Errorf("Adjust = %d with 32 MiB live, want at least %d", got, 48<<20)
	}
	if cur := current(); cur != got {
		t.Errorf("limit = %d, want Adjust's %d", cur, got)
	}
}
