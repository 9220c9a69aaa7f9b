package pipeline

import (
	"context"
	"sync"

	"github.com/regcat/regcat/snapshot"
)

// handoff shares the reads of the previous snapshot between the crawler
// and the Differ, which both read each repository the crawl puts: the
// crawler when the repository's crawl starts (the reader from give), the
// Differ when it is put (the reader from take). A repository given is
// kept until taken, so that it is decoded once; the crawler changes its
// records only as normalising does, which the Differ does not see.
type handoff struct {
	src     snapshot.Source
	mu      sync.Mutex
	kept    map[int]*snapshot.Repository
	stopped bool
}

func newHandoff(src snapshot.Source) *handoff {
	return &handoff{src: src, kept: map[int]*snapshot.Repository{}}
}

// give returns the Source that keeps what it reads for take, until stop.
func (h *handoff) give() snapshot.Source { return &handoffReader{h: h, give: true} }

// take returns the Source that reads what give kept, or else src.
func (h *handoff) take() snapshot.Source { return &handoffReader{h: h} }

// stop drops what was kept and keeps nothing more: nothing will take
// it. It does nothing on nil.
func (h *handoff) stop() {
	if h == nil {
		return
	}
	h.mu.Lock()
	h.kept, h.stopped = nil, true
	h.mu.Unlock()
}

// handoffReader is one side of a handoff.
type handoffReader struct {
	h    *handoff
	give bool
}

func (r *handoffReader) Head() *snapshot.Index { return r.h.src.Head() }

func (r *handoffReader) Len() int { return r.h.src.Len() }

func (r *handoffReader) Repository(ctx context.Context, i int) (*snapshot.Repository, error) {
	h := r.h
	if !r.give {
		h.mu.Lock()
		repo, ok := h.kept[i]
		delete(h.kept, i)
		h.mu.Unlock()
		if ok {
			return repo, ctx.Err()
		}
	}
	repo, err := h.src.Repository(ctx, i)
	if err == nil && r.give {
		h.mu.Lock()
		if !h.stopped {
			h.kept[i] = repo
		}
		h.mu.Unlock()
	}
	return repo, err
}
