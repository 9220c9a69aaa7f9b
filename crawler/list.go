package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/regcat/regcat/snapshot"
)

// pageSize is the n sent with the first catalog and tags/list request: the
// distribution registry's default maximum, above which it answers 400.
const pageSize = 1000

// errPageLoop is wrapped by the warning returned when pagination stops
// because the registry repeated itself: a Link to a page already read, or
// a page with no new name. Every name the registry offered was kept.
var errPageLoop = errors.New("pagination loop")

// catalogPage is GET /v2/_catalog (Distribution Spec, "Listing
// Repositories").
type catalogPage struct {
	Repositories []string `json:"repositories"`
}

// tagsPage is GET /v2/<name>/tags/list (Distribution Spec, "Listing Tags").
type tagsPage struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

// decodeCatalog parses one catalog page.
func decodeCatalog(b []byte) ([]string, error) {
	var p catalogPage
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("catalog page: %w", err)
	}
	return p.Repositories, nil
}

// decodeTags parses one tags/list page.
func decodeTags(b []byte) ([]string, error) {
	var p tagsPage
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("tags page: %w", err)
	}
	return p.Tags, nil
}

// listing is what [session.list] read.
type listing struct {
	// names are distinct, in first-seen order; when truncated is set, the
	// first limit of all names read in byte order, sorted.
	names []string
	// truncated is set when listing stopped at the cap.
	truncated *snapshot.Truncation
	// loop is non-nil when pagination stopped on a repeat: the names are
	// still complete as far as the registry tells.
	loop error
}

// list reads the pages of a catalog or tag list at path (for example
// "/v2/_catalog") and returns the names without duplicates. It follows
// Link rel="next" on the same host only; without a Link, a full page is
// followed by a request with last= (for registries that paginate without
// Link). With limit >= 0 it stops paginating as soon as more than limit
// distinct names were read, and keeps the first limit in byte order (see
// [Config.MaxTags]).
// err is non-nil when a page could not be read, a Link was refused or ctx
// ended; the listing then holds what was read before, capped the same way.
func (s *session) list(ctx context.Context, path string, limit int, decode func([]byte) ([]string, error)) (listing, error) {
	var l listing
	u, err := url.Parse(s.url(path))
	if err != nil {
		return l, fmt.Errorf("list %s: %w", path, err)
	}
	first := *u
	q := u.Query()
	q.Set("n", strconv.Itoa(pageSize))
	u.RawQuery = q.Encode()
	sentN := true

	seenURL := map[string]bool{}
	seen := map[string]bool{}
	// done caps the names and returns the listing.
	done := func(err error) (listing, error) {
		if limit >= 0 && len(l.names) > limit {
			l.truncated = &snapshot.Truncation{Limit: limit, Listed: len(l.names)}
			slices.Sort(l.names)
			l.names = slices.Clip(l.names[:limit])
		}
		return l, err
	}
	for pages := 0; ; pages++ {
		if err := ctx.Err(); err != nil {
			return done(err)
		}
		if pages >= MaxPages {
			return done(fmt.Errorf("list %s: stopped after %d pages", path, MaxPages))
		}
		seenURL[u.String()] = true
		resp, err := s.do(ctx, http.MethodGet, u.String(), []string{"application/json"}, MaxListPage)
		s.c.counts.listPages.Add(1)
		var terr *transport.Error
		if pages == 0 && sentN && errors.As(err, &terr) && terr.StatusCode == http.StatusBadRequest {
			// The registry's page cap is below ours (distribution answers
			// 400 PAGINATION_NUMBER_INVALID): let it choose the size.
			u, sentN = &first, false
			pages--
			continue
		}
		if err != nil {
			return done(fmt.Errorf("list %s: %w", path, err))
		}
		entries, err := decode(resp.body)
		if err != nil {
			return done(fmt.Errorf("list %s: %w", path, err))
		}
		fresh := 0
		for _, e := range entries {
			if !seen[e] {
				seen[e] = true
				l.names = append(l.names, e)
				fresh++
			}
		}
		next, err := nextLink(resp.url, resp.header.Values("Link"))
		if err != nil {
			return done(fmt.Errorf("list %s: %w", path, err))
		}
		if next == nil && sentN && len(entries) >= pageSize {
			next = withLast(resp.url, entries[len(entries)-1])
		}
		switch {
		case next == nil || len(entries) == 0:
			return done(nil)
		case limit >= 0 && len(l.names) > limit:
			// More names than the cap: stop here. A list of exactly limit
			// names reads one more page, to tell a longer list from a
			// registry whose last full page invites a last= request that
			// brings nothing new (go-containerregistry's registry).
			return done(nil)
		case fresh == 0:
			l.loop = fmt.Errorf("list %s: %w: page %d repeats earlier names", path, errPageLoop, pages+1)
			return done(nil)
		case seenURL[next.String()]:
			l.loop = fmt.Errorf("list %s: %w: page %d links to a page already read", path, errPageLoop, pages+1)
			return done(nil)
		}
		u = next
	}
}

// withLast returns u with the query parameter last set.
func withLast(u *url.URL, last string) *url.URL {
	next := *u
	q := next.Query()
	q.Set("last", last)
	next.RawQuery = q.Encode()
	return &next
}
