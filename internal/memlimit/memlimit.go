// Package memlimit sets the soft memory limit regcat runs under, so that
// a run's memory stays near what it holds rather than twice that.
//
// Go's garbage collector lets the heap grow to twice the live data
// (GOGC=100) before it collects. A render of a large registry holds a
// compact record of every image (about 0.6 KB per tag): at 200,000 tags
// the heap reached about 400 MiB and the process over 490 MB. Under a soft limit the collector runs more often instead,
// once the heap nears the limit. A fixed limit below the live data would
// make it collect without end, so the limit follows the live heap up:
// never below Floor, and at least Headroom times the live heap of the
// last collection. A GOMEMLIMIT set in the environment is the user's
// choice and is left alone.
package memlimit

import (
	"context"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Floor is the default soft limit: 320 MiB. Under it a 200,000-tag crawl
// and render in one process (about 200 MiB live) stayed under 360 MB of
// resident memory; runs of 20,000 tags never reach it.
const Floor = 320 << 20

// Headroom is how many times the live heap the limit is at least.
const Headroom = 1.5

// every is how often Start reads the live heap.
const every = 100 * time.Millisecond

// Start sets the soft memory limit to floor, unless GOMEMLIMIT is set
// (then it does nothing), and raises it, until ctx is done or stop is
// called, to Headroom times the live heap whenever that is higher. stop
// restores the limit there was before Start and waits for the watcher
// to end.
func Start(ctx context.Context, floor int64) (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(floor)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				Adjust(floor)
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
		debug.SetMemoryLimit(prev)
	}
}

// Adjust sets the soft memory limit to Limit(floor, the live heap of the
// last collection), when it is not that already, and returns it.
func Adjust(floor int64) int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	limit := Limit(floor, s[0].Value.Uint64())
	if debug.SetMemoryLimit(-1) != limit {
		debug.SetMemoryLimit(limit)
	}
	return limit
}

// Limit is the soft limit for a live heap of live bytes: Headroom times
// it, and at least floor.
func Limit(floor int64, live uint64) int64 {
	want := Headroom * float64(live)
	if want >= math.MaxInt64 {
		return math.MaxInt64
	}
	return max(floor, int64(want))
}
