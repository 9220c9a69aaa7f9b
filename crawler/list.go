package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
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

// list reads every page of a catalog or tag list at path (for example
// "/v2/_catalog") and returns the names in first-seen order, without
// duplicates. It follows Link rel="next" on the same host only; without a
// Link, a full page is followed by a request with last= (for registries
// that paginate without Link). loop is non-nil when pagination stopped on a
// repeat: the names are still complete as far as the registry tells. err
// is non-nil when a page could not be read or a Link was refused; names
// then holds what was read before.
func (s *session) list(ctx context.Context, path string, decode func([]byte) ([]string, error)) (names []string, loop, err error) {
	u, err := url.Parse(s.url(path))
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", path, err)
	}
	first := *u
	q := u.Query()
	q.Set("n", strconv.Itoa(pageSize))
	u.RawQuery = q.Encode()
	sentN := true

	seenURL := map[string]bool{}
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		if pages >= MaxPages {
			return names, nil, fmt.Errorf("list %s: stopped after %d pages", path, MaxPages)
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
			return names, nil, fmt.Errorf("list %s: %w", path, err)
		}
		entries, err := decode(resp.body)
		if err != nil {
			return names, nil, fmt.Errorf("list %s: %w", path, err)
		}
		fresh := 0
		for _, e := range entries {
			if !seen[e] {
				seen[e] = true
				names = append(names, e)
				fresh++
			}
		}
		next, err := nextLink(resp.url, resp.header.Values("Link"))
		if err != nil {
			return names, nil, fmt.Errorf("list %s: %w", path, err)
		}
		if next == nil && sentN && len(entries) >= pageSize {
			next = withLast(resp.url, entries[len(entries)-1])
		}
		switch {
		case next == nil || len(entries) == 0:
			return names, nil, nil
		case fresh == 0:
			return names, fmt.Errorf("list %s: %w: page %d repeats earlier names", path, errPageLoop, pages+1), nil
		case seenURL[next.String()]:
			return names, fmt.Errorf("list %s: %w: page %d links to a page already read", path, errPageLoop, pages+1), nil
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
