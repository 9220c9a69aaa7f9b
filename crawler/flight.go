package crawler

import (
	"context"
	"sync"
)

// flight is a content-addressed cache with duplicate suppression: the
// first caller for a key runs fn, concurrent callers for the same key wait
// for its result, and later callers get the stored value. Errors are handed
// to the waiting callers but not stored, so a digest that failed in one
// repository is tried again from the next.
//
// A flight with a limit stores at most that many values and forgets the
// oldest stored first, so that a crawl's caches cost the memory of the
// last few thousand digests, not of every digest of the registry: an
// image shared between repositories is mostly pushed to them at about
// the same time, and the catalog lists them near one another. A
// forgotten digest is fetched again when asked for; keys in flight are
// never forgotten.
type flight[V any] struct {
	mu    sync.Mutex
	limit int // 0 for none
	done  map[string]V
	busy  map[string]*call[V]
	// order holds the keys of done in the order stored, from next on
	// once it is full (a ring of limit keys).
	order []string
	next  int
}

type call[V any] struct {
	ready chan struct{}
	val   V
	err   error
}

// newFlight returns a flight that stores at most limit values, or any
// number when limit is 0.
func newFlight[V any](limit int) *flight[V] {
	return &flight[V]{limit: limit, done: map[string]V{}, busy: map[string]*call[V]{}}
}

// get returns the value for key, running fn at most once at a time per
// key. ran reports whether this caller's fn produced the value.
func (f *flight[V]) get(ctx context.Context, key string, fn func() (V, error)) (v V, ran bool, err error) {
	f.mu.Lock()
	if v, ok := f.done[key]; ok {
		f.mu.Unlock()
		return v, false, nil
	}
	if c, ok := f.busy[key]; ok {
		f.mu.Unlock()
		select {
		case <-c.ready:
			return c.val, false, c.err
		case <-ctx.Done():
			return v, false, ctx.Err()
		}
	}
	c := &call[V]{ready: make(chan struct{})}
	f.busy[key] = c
	f.mu.Unlock()

	c.val, c.err = fn()
	f.mu.Lock()
	delete(f.busy, key)
	if _, ok := f.done[key]; c.err == nil && !ok {
		f.store(key, c.val)
	}
	f.mu.Unlock()
	close(c.ready)
	return c.val, true, c.err
}

// peek returns the stored value for key, if any.
func (f *flight[V]) peek(key string) (V, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.done[key]
	return v, ok
}

// put stores v for key unless a value is there already, and reports
// whether it stored v.
func (f *flight[V]) put(key string, v V) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.done[key]; ok {
		return false
	}
	f.store(key, v)
	return true
}

// store adds key, which done lacks, forgetting the oldest key when the
// flight is full. f.mu is held.
func (f *flight[V]) store(key string, v V) {
	switch {
	case f.limit == 0:
	case len(f.order) < f.limit:
		f.order = append(f.order, key)
	default:
		delete(f.done, f.order[f.next])
		f.order[f.next] = key
		f.next = (f.next + 1) % f.limit
	}
	f.done[key] = v
}
