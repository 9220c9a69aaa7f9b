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
type flight[V any] struct {
	mu   sync.Mutex
	done map[string]V
	busy map[string]*call[V]
}

type call[V any] struct {
	ready chan struct{}
	val   V
	err   error
}

func newFlight[V any]() *flight[V] {
	return &flight[V]{done: map[string]V{}, busy: map[string]*call[V]{}}
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
	if c.err == nil {
		f.done[key] = c.val
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
	f.done[key] = v
	return true
}
