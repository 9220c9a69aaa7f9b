package regtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// SyntheticConfig says what NewSynthetic serves.
type SyntheticConfig struct {
	// Repos is the number of repositories; it must be positive.
	Repos int
	// TagsPerRepo is the number of tags of each repository; it must be
	// positive.
	TagsPerRepo int
	// PageSize is the largest catalog and tag list page (default 1000): a
	// larger n is lowered to it, and a request without n gets it.
	PageSize int
}

// defaultSyntheticPage is SyntheticConfig.PageSize's default, the
// distribution registry's.
const defaultSyntheticPage = 1000

// NewSynthetic serves Large(cfg.Repos, cfg.TagsPerRepo) read-only on
// 127.0.0.1 without storing it: every answer is generated from the
// request, so the registry's memory stays flat whatever the size, and a
// million tags cost no push. It serves the same repositories, tags,
// manifests and blobs (same bytes, same digests) as a registry populated
// with Large, through the OCI Distribution API: /v2/, _catalog and
// tags/list (sorted, n and last honoured, Link rel="next" while more
// follow), manifests by tag or digest and blobs (configs and the shared
// layer) with GET and HEAD, and 404 for the referrers API, which it lacks.
// Writes are refused (405), so Populate fails. Its Counter and Faults work
// as NewGGCR's.
func NewSynthetic(tb testing.TB, cfg SyntheticConfig) *Registry {
	tb.Helper()
	if cfg.Repos <= 0 || cfg.TagsPerRepo <= 0 || cfg.PageSize < 0 {
		tb.Fatalf("regtest: synthetic registry of %d repositories × %d tags, pages of %d", cfg.Repos, cfg.TagsPerRepo, cfg.PageSize)
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = defaultSyntheticPage
	}
	g := newLargeGen(cfg.Repos, cfg.TagsPerRepo)
	s := &synthetic{gen: g, page: cfg.PageSize, seen: newDigestCache(4096)}
	return newRegistry(tb, s, options{})
}

// largeGen generates Large's names and images one at a time. Large uses
// only its names and times (repos, tags, width); the rest is
// NewSynthetic's.
type largeGen struct {
	repos, tags int
	width       int   // digits of a repository number
	order       []int // tag numbers in tag name order
	layer       v1.Descriptor
	layerBytes  []byte
	diffID      v1.Hash
}

// largeStart is the created time of Large's first image; each next image
// (repository by repository, tag by tag) is a minute younger.
var largeStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func newLargeGen(repos, tags int) *largeGen {
	g := &largeGen{repos: repos, tags: tags, width: largeWidth(repos)}
	g.order = make([]int, tags)
	for j := range g.order {
		g.order[j] = j
	}
	slices.SortFunc(g.order, func(a, b int) int { return strings.Compare(tagName(a), tagName(b)) })
	g.layerBytes = gzipTar(largeFiles...)
	g.diffID = sha256Hash(plainTar(largeFiles...))
	g.layer = v1.Descriptor{MediaType: types.OCILayer, Size: int64(len(g.layerBytes)), Digest: sha256Hash(g.layerBytes)}
	return g
}

// largeFiles are the files of the layer every image of Large shares.
var largeFiles = []file{{"bench", "shared layer\n"}}

// largeWidth is the digits of Large's repository numbers: at least four,
// enough for repos-1.
func largeWidth(repos int) int {
	return max(4, len(strconv.Itoa(repos-1)))
}

// repoName is the name of repository i, "bench/rNNNN": numbers are
// zero-padded to the same width so that byte order is number order.
func (g *largeGen) repoName(i int) string {
	return fmt.Sprintf("bench/r%0*d", g.width, i)
}

// repoIndex is the number of the repository named name, if there is one.
func (g *largeGen) repoIndex(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "bench/r")
	if !ok || len(s) != g.width {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= g.repos || g.repoName(i) != name {
		return 0, false
	}
	return i, true
}

// tagName is the name of tag j, "1.0.j".
func tagName(j int) string {
	return "1.0." + strconv.Itoa(j)
}

// tagIndex is the number of the tag named name, if there is one.
func (g *largeGen) tagIndex(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "1.0.")
	if !ok {
		return 0, false
	}
	j, err := strconv.Atoi(s)
	if err != nil || j < 0 || j >= g.tags || tagName(j) != name {
		return 0, false
	}
	return j, true
}

// created is the created time of tag j of repository i, in whole
// seconds (no time.Duration, which overflows after 292 years).
func (g *largeGen) created(i, j int) time.Time {
	return time.Unix(largeStart.Unix()+int64(i*g.tags+j)*60, 0).UTC()
}

// configFile is the config of tag j of repository i, as Large builds it.
func (g *largeGen) configFile(i, j int) *v1.ConfigFile {
	created := g.created(i, j)
	amd64 := archs["amd64"]
	return &v1.ConfigFile{
		Architecture: amd64.Architecture,
		OS:           amd64.OS,
		Created:      v1.Time{Time: created},
		Config: v1.Config{Labels: map[string]string{
			"org.opencontainers.image.title":   g.repoName(i),
			"org.opencontainers.image.version": tagName(j),
		}},
		History: []v1.History{{Created: v1.Time{Time: created}, CreatedBy: "COPY bench /bench # buildkit"}},
		RootFS:  v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{g.diffID}},
	}
}

// image returns the manifest and config bytes of tag j of repository i,
// marshalled as go-containerregistry marshals them.
func (g *largeGen) image(i, j int) (manifest, config []byte) {
	config, err := json.Marshal(g.configFile(i, j))
	if err != nil {
		panic(err) // a ConfigFile always marshals
	}
	manifest, err = json.Marshal(&v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(config)), Digest: sha256Hash(config)},
		Layers:        []v1.Descriptor{g.layer},
	})
	if err != nil {
		panic(err)
	}
	return manifest, config
}

func sha256Hash(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// synthetic is NewSynthetic's handler.
type synthetic struct {
	gen  *largeGen
	page int
	seen *digestCache
}

// blob kinds a digest may name.
const (
	kindManifest = iota
	kindConfig
)

// imageRef locates a generated manifest or config.
type imageRef struct {
	repo, tag, kind int
}

func (s *synthetic) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		ociError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "the synthetic registry is read-only")
		return
	}
	p := r.URL.Path
	if p == "/v2/" || p == "/v2" {
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		s.write(w, r, "application/json", []byte("{}"), "")
		return
	}
	rest, _ := strings.CutPrefix(p, "/v2/")
	if rest == "_catalog" {
		s.catalog(w, r)
		return
	}
	elems := strings.Split(rest, "/")
	n := len(elems)
	if n < 3 {
		ociError(w, http.StatusNotFound, "NOT_FOUND", "no such route")
		return
	}
	name, kind, ref := strings.Join(elems[:n-2], "/"), elems[n-2], elems[n-1]
	i, ok := s.gen.repoIndex(name)
	switch {
	case kind == "referrers":
		// No referrers API: a registry that had it must not answer 404
		// (Distribution Spec, "Listing Referrers").
		ociError(w, http.StatusNotFound, "NOT_FOUND", "no referrers API")
	case !ok:
		ociError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
	case kind == "tags" && ref == "list":
		s.tags(w, r, name)
	case kind == "manifests":
		s.manifest(w, r, i, ref)
	case kind == "blobs":
		s.blob(w, r, i, ref)
	default:
		ociError(w, http.StatusNotFound, "NOT_FOUND", "no such route")
	}
}

// catalog serves a page of repository names.
func (s *synthetic) catalog(w http.ResponseWriter, r *http.Request) {
	n, ok := s.pageSize(w, r)
	if !ok {
		return
	}
	last := r.URL.Query().Get("last")
	from := sort.Search(s.gen.repos, func(i int) bool { return s.gen.repoName(i) > last })
	to := min(from+n, s.gen.repos)
	names := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		names = append(names, s.gen.repoName(i))
	}
	s.list(w, r, to < s.gen.repos, n, names, struct {
		Repositories []string `json:"repositories"`
	}{names})
}

// tags serves a page of the tags of repository name.
func (s *synthetic) tags(w http.ResponseWriter, r *http.Request, name string) {
	n, ok := s.pageSize(w, r)
	if !ok {
		return
	}
	last := r.URL.Query().Get("last")
	order := s.gen.order
	from := sort.Search(len(order), func(k int) bool { return tagName(order[k]) > last })
	to := min(from+n, len(order))
	names := make([]string, 0, to-from)
	for _, j := range order[from:to] {
		names = append(names, tagName(j))
	}
	s.list(w, r, to < len(order), n, names, struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}{name, names})
}

// pageSize reads n (Distribution Spec, "Listing Tags"), lowered to the
// page size, or answers 400.
func (s *synthetic) pageSize(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("n")
	if v == "" {
		return s.page, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		ociError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested")
		return 0, false
	}
	return min(n, s.page), true
}

// list writes a listing page, with a Link to the next one when more
// names follow the page's last.
func (s *synthetic) list(w http.ResponseWriter, r *http.Request, more bool, n int, names []string, page any) {
	if more && len(names) > 0 {
		q := url.Values{"n": {strconv.Itoa(n)}, "last": {names[len(names)-1]}}
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
	}
	b, err := json.Marshal(page)
	if err != nil {
		panic(err) // string slices always marshal
	}
	s.write(w, r, "application/json", b, "")
}

// manifest serves the manifest of repository i named by ref, a tag or a
// digest.
func (s *synthetic) manifest(w http.ResponseWriter, r *http.Request, i int, ref string) {
	j, ok := s.gen.tagIndex(ref)
	if !ok {
		loc, found := s.find(i, ref)
		if !found || loc.kind != kindManifest {
			ociError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown to registry")
			return
		}
		j = loc.tag
	}
	m, c := s.gen.image(i, j)
	d := sha256Hash(m).String()
	s.seen.put(d, imageRef{repo: i, tag: j, kind: kindManifest})
	s.seen.put(sha256Hash(c).String(), imageRef{repo: i, tag: j, kind: kindConfig})
	s.write(w, r, string(types.OCIManifestSchema1), m, d)
}

// blob serves a config of repository i, or the shared layer.
func (s *synthetic) blob(w http.ResponseWriter, r *http.Request, i int, digest string) {
	if digest == s.gen.layer.Digest.String() {
		s.write(w, r, "application/octet-stream", s.gen.layerBytes, digest)
		return
	}
	loc, found := s.find(i, digest)
	if !found || loc.kind != kindConfig {
		ociError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
		return
	}
	_, c := s.gen.image(i, loc.tag)
	s.write(w, r, "application/octet-stream", c, digest)
}

// find locates digest in repository i: in the cache of recently served
// manifests' digests, else by generating each of the repository's images.
func (s *synthetic) find(i int, digest string) (imageRef, bool) {
	if loc, ok := s.seen.get(digest); ok && loc.repo == i {
		return loc, true
	}
	if _, err := v1.NewHash(digest); err != nil {
		return imageRef{}, false
	}
	for j := range s.gen.tags {
		m, c := s.gen.image(i, j)
		switch digest {
		case sha256Hash(m).String():
			return imageRef{repo: i, tag: j, kind: kindManifest}, true
		case sha256Hash(c).String():
			return imageRef{repo: i, tag: j, kind: kindConfig}, true
		}
	}
	return imageRef{}, false
}

// write answers with body (headers only for HEAD).
func (s *synthetic) write(w http.ResponseWriter, r *http.Request, contentType string, body []byte, digest string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if digest != "" {
		h.Set("Docker-Content-Digest", digest)
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// ociError writes an error body of the Distribution Spec ("Error Codes").
func ociError(w http.ResponseWriter, status int, code, message string) {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": message}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// digestCache remembers where recently generated digests come from, in
// two generations of at most size entries: memory stays bounded, and a
// config fetched soon after its manifest is found at once.
type digestCache struct {
	mu        sync.Mutex
	size      int
	cur, prev map[string]imageRef
}

func newDigestCache(size int) *digestCache {
	return &digestCache{size: size, cur: map[string]imageRef{}}
}

func (c *digestCache) put(digest string, loc imageRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.size {
		c.prev, c.cur = c.cur, make(map[string]imageRef, c.size)
	}
	c.cur[digest] = loc
}

func (c *digestCache) get(digest string) (imageRef, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if loc, ok := c.cur[digest]; ok {
		return loc, true
	}
	loc, ok := c.prev[digest]
	return loc, ok
}
