// Package memwatch measures a process's memory for benchmarks: its heap,
// sampled for the peak, and its resident set's high-water mark.
package memwatch

import (
	"bufio"
	"bytes"
	"os"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"
)

// heapMetric is the heap's objects, live and not yet swept.
const heapMetric = "/memory/classes/heap/objects:bytes"

// Heap returns the bytes of the heap's objects now (live and not yet
// swept, so up to about twice the live data between collections).
func Heap() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// Live returns the bytes of the heap's objects that the last garbage
// collection found live: what a heap profile's in-use figures count.
func Live() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// A Sampler reads Heap every few milliseconds and keeps the peak.
type Sampler struct {
	mu   sync.Mutex
	peak uint64
	each func(now uint64)
	done chan struct{}
	wg   sync.WaitGroup
}

// Start starts sampling. each, when not nil, is called with every
// sample, from the sampling goroutine.
func Start(each func(now uint64)) *Sampler {
	s := &Sampler{peak: Heap(), each: each, done: make(chan struct{})}
	s.wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.sample()
			}
		}
	})
	return s
}

func (s *Sampler) sample() {
	now := Heap()
	s.mu.Lock()
	s.peak = max(s.peak, now)
	s.mu.Unlock()
	if s.each != nil {
		s.each(now)
	}
}

// Cut returns the peak since Start or the last Cut, and starts a new one.
func (s *Sampler) Cut() uint64 {
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.peak
	s.peak = 0
	return p
}

// Stop ends the sampling and returns the peak since the last Cut.
func (s *Sampler) Stop() uint64 {
	close(s.done)
	s.wg.Wait()
	return s.Cut()
}

// ResetRSS resets the process's resident set high-water mark (Linux,
// /proc/self/clear_refs: see proc(5)), and reports whether it could.
func ResetRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// PeakRSS returns the process's resident set high-water mark in bytes
// (VmHWM of /proc/self/status), and false where there is none.
func PeakRSS() (int64, bool) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if v, found := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); found {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
