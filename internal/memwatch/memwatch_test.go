package memwatch

import (
	"runtime"
	"sync/atomic"
	"testing"
)

var sink [][]byte

// TestSampler holds 64 MiB while sampling: the peak must see it, and the
// peak after a Cut made once it is released must not.
func TestSampler(t *testing.T) {
	runtime.GC()
	before := Heap()
	var samples atomic.Int32
	s := Start(func(uint64) { samples.Add(1) })
	for range 64 {
		sink = append(sink, make([]byte, 1<<20))
	}
	if p := s.Cut(); p < before+64<<20 {
		t.Errorf("peak %d while holding 64 MiB above %d", p, before)
	}
	sink = nil
	runtime.GC()
	s.Cut() // samples between the last Cut and the GC saw the 64 MiB
	if p := s.Stop(); p >= before+64<<20 {
		t.Errorf("peak after the cut %d: still the 64 MiB released before it", p)
	}
	if samples.Load() == 0 {
		t.Error("each was never called")
	}
}

func TestPeakRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is Linux's")
	}
	rss, ok := PeakRSS()
	if !ok || rss < 1<<20 {
		t.Errorf("PeakRSS = %d, %v; want a few megabytes at least", rss, ok)
	}
}
