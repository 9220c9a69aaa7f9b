package crawler

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/regcat/regcat/snapshot"
)

// Caps on referrers. A longer list is cut, and the image records a
// [snapshot.Truncation]; the pages of one listing are capped separately.
const (
	// MaxReferrers caps the referrers kept per image (all its subjects).
	MaxReferrers = 100
	// MaxReferrerPages caps the pages of one referrers API listing.
	MaxReferrerPages = 10
	// MaxStatement caps an in-toto statement blob read to learn its
	// predicate type; a bigger statement is named by its annotation only.
	MaxStatement = 64 << 10
)

// mtEmpty is the OCI 1.1 empty config. A referrers index that gives it as
// an artifactType (go-containerregistry's registry gives the config media
// type, not the manifest's artifactType) says nothing: the manifest is
// read to learn what the referrer is.
const mtEmpty = "application/vnd.oci.empty.v1+json"

// API support, learned once per crawl.
const (
	apiUnknown int32 = iota
	apiYes
	apiNo
)

// referrersAPI remembers whether the registry has the referrers API. The
// first lookup probes while later ones wait for its answer on sem.
type referrersAPI struct {
	state atomic.Int32
	sem   chan struct{}
}

func newReferrersAPI() *referrersAPI {
	return &referrersAPI{sem: make(chan struct{}, 1)}
}

// refTag is a referrers tag schema or cosign tag of a repository.
type refTag struct {
	name, subject, scheme string
	hint                  snapshot.ReferrerKind // for cosign tags
}

// parseRefTag tells a referrers tag from a release: "sha256-<64 hex>" is
// the referrers tag schema (distribution-spec, "Referrers Tag Schema"),
// the same with ".sig", ".att" or ".sbom" cosign's tags. Only sha256
// fits: a sha512 tag would be longer than a tag may be.
func parseRefTag(tag string) (refTag, bool) {
	rest, ok := strings.CutPrefix(tag, "sha256-")
	if !ok || len(rest) < 64 || !isLowerHex(rest[:64]) {
		return refTag{}, false
	}
	t := refTag{name: tag, subject: "sha256:" + rest[:64], scheme: snapshot.SourceTagSchema}
	switch rest[64:] {
	case "":
	case ".sig":
		t.scheme, t.hint = snapshot.SourceCosign, snapshot.KindSignature
	case ".att":
		t.scheme, t.hint = snapshot.SourceCosign, snapshot.KindAttestation
	case ".sbom":
		t.scheme, t.hint = snapshot.SourceCosign, snapshot.KindSBOM
	default:
		return refTag{}, false
	}
	return t, true
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// subjectRefs is what the referrers API listed for one subject digest.
// A failure is a value too, so that a digest is asked once per crawl.
type subjectRefs struct {
	refs    []snapshot.Referrer
	listed  int
	failure *snapshot.Failure
}

// apiReferrers asks the referrers API for the referrers of im and of each
// of its platforms, once per digest and repository, unless the registry
// is known to lack the API.
func (c *crawl) apiReferrers(ctx context.Context, r *repoState, im *snapshot.Image) {
	for _, s := range subjectsOf(im) {
		if c.api.state.Load() == apiNo || ctx.Err() != nil {
			return
		}
		_, _, _ = r.refs.get(ctx, s, func() (subjectRefs, error) {
			return c.listAPI(ctx, r, s), nil
		})
	}
}

// subjectsOf returns the digests referrers may name for im: its own and
// its platforms'.
func subjectsOf(im *snapshot.Image) []string {
	out := []string{im.Digest}
	for _, p := range im.Platforms {
		if p.Digest != im.Digest {
			out = append(out, p.Digest)
		}
	}
	return out
}

// listAPI lists the referrers of subject, probing for the API first when
// no earlier lookup told whether the registry has it.
func (c *crawl) listAPI(ctx context.Context, r *repoState, subject string) subjectRefs {
	if c.api.state.Load() == apiUnknown {
		select {
		case c.api.sem <- struct{}{}:
		case <-ctx.Done():
			return subjectRefs{}
		}
		defer func() { <-c.api.sem }()
	}
	switch c.api.state.Load() {
	case apiNo:
		return subjectRefs{}
	case apiYes:
		return c.readAPI(ctx, r, subject, false)
	}
	return c.readAPI(ctx, r, subject, true)
}

// readAPI reads the referrers API pages for subject, following Link
// rel="next" on the same host, at most MaxReferrerPages pages, stopping at
// a page already read and once more than MaxReferrers were listed. With
// probe set, the first answer decides whether the registry has the API:
// the Distribution Spec forbids a registry that has it to answer 404, so a
// 404 (or 400, 405, 406, or a 200 that is not an image index) means it has
// not; any other error leaves the question open for the next lookup.
func (c *crawl) readAPI(ctx context.Context, r *repoState, subject string, probe bool) subjectRefs {
	u, err := url.Parse(r.sess.url("/v2/" + r.name + "/referrers/" + subject))
	if err != nil {
		return subjectRefs{failure: c.refFailure(r, "", subject, err)}
	}
	if at := c.cfg.ReferrersArtifactType; at != "" {
		u.RawQuery = url.Values{"artifactType": {at}}.Encode()
	}
	var all []descriptor
	seenURL := map[string]bool{}
	// done describes the first MaxReferrers descriptors in digest order:
	// at most that many manifest reads, however long the listing.
	done := func() subjectRefs {
		descs, listed := firstReferrers(all, func(*descriptor) bool { return true })
		out := subjectRefs{listed: listed}
		for i := range descs {
			ref := c.describe(ctx, r, subject, &descs[i], snapshot.SourceAPI, "")
			if c.wantArtifact(ref.ArtifactType, false) {
				out.refs = append(out.refs, ref)
			} else {
				out.listed--
			}
		}
		return out
	}
	for page := 0; page < MaxReferrerPages; page++ {
		seenURL[u.String()] = true
		c.counts.referrers.Add(1)
		resp, err := r.sess.do(ctx, http.MethodGet, u.String(), []string{mtOCIIndex}, MaxManifest)
		if probe && page == 0 {
			switch supported, decided := apiAnswer(resp, err); {
			case !decided && err != nil:
				return subjectRefs{failure: c.refFailure(r, "", subject, err)}
			case !supported:
				c.api.state.Store(apiNo)
				c.log.Info("the registry has no referrers API; reading referrers tags", "repo", r.name)
				return subjectRefs{}
			}
			c.api.state.Store(apiYes)
			c.log.Info("the registry has the referrers API", "repo", r.name)
		}
		if err != nil {
			return subjectRefs{failure: c.refFailure(r, "", subject, err)}
		}
		descs, err := decodeReferrersIndex(resp.body)
		if err != nil {
			return subjectRefs{failure: c.refFailure(r, "", subject, err)}
		}
		filtered := strings.Contains(resp.header.Get("OCI-Filters-Applied"), "artifactType")
		for _, d := range descs {
			// A descriptor without a usable artifactType is kept until
			// its manifest tells.
			if filtered || d.ArtifactType == "" || d.ArtifactType == mtEmpty || c.wantArtifact(d.ArtifactType, false) {
				all = append(all, d)
			}
		}
		next, err := nextLink(resp.url, resp.header.Values("Link"))
		switch {
		case err != nil:
			return subjectRefs{failure: c.refFailure(r, "", subject, err)}
		case next == nil || len(all) > MaxReferrers || len(descs) == 0:
			return done()
		case seenURL[next.String()]:
			c.log.Warn("referrers pagination stopped: a Link to a page already read", "repo", r.name, "digest", subject)
			return done()
		}
		u = next
	}
	c.log.Warn("referrers pagination stopped at the page cap", "repo", r.name, "digest", subject, "pages", MaxReferrerPages)
	return done()
}

// firstReferrers returns the distinct descriptors of ds that keep admits,
// the first MaxReferrers in digest order, and how many there were.
func firstReferrers(ds []descriptor, keep func(*descriptor) bool) ([]descriptor, int) {
	seen := map[string]bool{}
	var out []descriptor
	for i := range ds {
		d := &ds[i]
		if seen[d.Digest] || !keep(d) {
			continue
		}
		seen[d.Digest] = true
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b descriptor) int { return cmp.Compare(a.Digest, b.Digest) })
	return out[:min(len(out), MaxReferrers)], len(out)
}

// apiAnswer reads the first referrers API answer: whether the registry
// has the API, and whether the answer decides it.
func apiAnswer(resp *response, err error) (supported, decided bool) {
	switch s := statusOf(err); {
	case s == http.StatusNotFound, s == http.StatusBadRequest, s == http.StatusMethodNotAllowed, s == http.StatusNotAcceptable:
		return false, true
	case err != nil:
		return false, false
	}
	if mediaTypeOnly(resp.header.Get("Content-Type")) == mtOCIIndex {
		return true, true
	}
	var probe struct {
		MediaType string `json:"mediaType"`
	}
	return json.Unmarshal(resp.body, &probe) == nil && probe.MediaType == mtOCIIndex, true
}

// wantArtifact applies Config.ReferrersArtifactType when the registry did
// not say it filtered.
func (c *crawl) wantArtifact(at string, filtered bool) bool {
	return filtered || c.cfg.ReferrersArtifactType == "" || at == c.cfg.ReferrersArtifactType
}

// decodeReferrersIndex parses a referrers index (an OCI image index) and
// keeps the descriptors with a canonical digest and a sane size.
func decodeReferrersIndex(b []byte) ([]descriptor, error) {
	var idx struct {
		Manifests []descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("referrers index: %w", err)
	}
	return slices.DeleteFunc(idx.Manifests, func(d descriptor) bool {
		return snapshot.ValidateDigest(d.Digest) != nil || d.Size < 0
	}), nil
}

// describe makes the referrer record of descriptor d of subject. When the
// descriptor gives no artifactType, or the empty config's media type, the
// referrer manifest is read (once per crawl, verified, capped), unless
// the previous snapshot already named that digest.
func (c *crawl) describe(ctx context.Context, r *repoState, subject string, d *descriptor, source, tag string) snapshot.Referrer {
	ref := snapshot.Referrer{
		Subject: subject, Digest: d.Digest, MediaType: d.MediaType, Size: d.Size,
		ArtifactType: d.ArtifactType, Annotations: d.Annotations,
		Created: parseTime(d.Annotations[snapshot.KeyCreated]),
		Source:  source, Tag: tag,
	}
	preds := annotatedPredicates(d.Annotations)
	var layers []string
	if ref.ArtifactType == "" || ref.ArtifactType == mtEmpty {
		if prev := r.prev.referrer(d.Digest); prev != nil {
			ref.ArtifactType, ref.Kind, ref.Format, ref.PredicateTypes = prev.ArtifactType, prev.Kind, prev.Format, prev.PredicateTypes
			return ref
		}
		if m, err := c.manifest(ctx, r.sess, d); err == nil && m.doc.Config != nil {
			ref.ArtifactType = cmp.Or(m.doc.ArtifactType, m.doc.Config.MediaType)
			layers, preds = layerFacts(m, preds)
		} else if err != nil {
			c.log.Warn("referrer manifest unreadable; kept as listed", "repo", r.name, "digest", d.Digest, "error", errorText(err))
		}
	}
	ref.PredicateTypes = distinct(preds)
	ref.Kind, ref.Format = snapshot.ClassifyReferrer(ref.ArtifactType, layers, ref.PredicateTypes, "")
	return ref
}

// annotatedPredicates returns the predicate types that annotations name:
// in-toto's, cosign's and sigstore bundles'.
func annotatedPredicates(a map[string]string) []string {
	var out []string
	for _, k := range []string{snapshot.KeyPredicateType, snapshot.KeyCosignPredicateType, snapshot.KeySigstorePredicateType} {
		if v := a[k]; v != "" {
			out = append(out, snapshot.Truncate(v, 200))
		}
	}
	return out
}

// layerFacts returns the media types of m's layers and preds plus the
// predicate types their annotations name.
func layerFacts(m *manifest, preds []string) ([]string, []string) {
	layers := make([]string, 0, len(m.doc.Layers))
	for _, l := range m.doc.Layers {
		layers = append(layers, l.MediaType)
		preds = append(preds, annotatedPredicates(l.Annotations)...)
	}
	return layers, preds
}

func distinct(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// refFailure records a referrers failure of r (of tag, when a referrers
// tag failed, and of the subject digest) and returns it.
func (c *crawl) refFailure(r *repoState, tag, subject string, err error) *snapshot.Failure {
	f := &snapshot.Failure{Repo: r.name, Tag: tag, Digest: subject, Op: "referrers", Status: statusOf(err), Error: errorText(err)}
	c.counts.failures.Add(1)
	c.log.Warn("referrers failed", "repo", f.Repo, "tag", f.Tag, "digest", f.Digest, "status", f.Status, "error", f.Error)
	return f
}

// attestationPredicates names the statements of a buildx attestation
// manifest (index entry desc): the in-toto.io/predicate-type annotation of
// each layer, else, for an in-toto statement of at most MaxStatement
// bytes, its predicateType, read and verified. A manifest or statement
// that cannot be read leaves the entry unnamed (logged, not a failure: the
// image itself is complete).
func (c *crawl) attestationPredicates(ctx context.Context, sess *session, desc *descriptor) []string {
	if !isImageManifest(desc.MediaType) {
		return nil
	}
	m, err := c.manifest(ctx, sess, desc)
	if err != nil {
		c.log.Warn("attestation manifest unreadable", "repo", sess.repo, "digest", desc.Digest, "error", errorText(err))
		return nil
	}
	var preds []string
	for i := range m.doc.Layers {
		l := &m.doc.Layers[i]
		if p := annotatedPredicates(l.Annotations); len(p) > 0 {
			preds = append(preds, p...)
			continue
		}
		if l.MediaType != snapshot.MediaInToto || l.Size > MaxStatement {
			continue
		}
		p, err := c.statementPredicate(ctx, sess, l)
		if err != nil {
			c.log.Warn("in-toto statement unreadable", "repo", sess.repo, "digest", l.Digest, "error", errorText(err))
			continue
		}
		if p != "" {
			preds = append(preds, p)
		}
	}
	return distinct(preds)
}

// statementPredicate reads the in-toto statement blob l (at most
// MaxStatement bytes, verified) and returns its predicateType.
func (c *crawl) statementPredicate(ctx context.Context, sess *session, l *descriptor) (string, error) {
	c.counts.referrers.Add(1)
	resp, err := fetchByDigest(ctx, sess, "statement", "/blobs/", l, nil, MaxStatement, verifyBlob)
	if err != nil {
		return "", err
	}
	var st struct {
		PredicateType string `json:"predicateType"`
	}
	if err := json.Unmarshal(resp.body, &st); err != nil {
		return "", fmt.Errorf("in-toto statement: %w", err)
	}
	return snapshot.Truncate(st.PredicateType, 200), nil
}

// errNotIndex is wrapped by the error for a referrers tag that holds
// something else than an image index.
var errNotIndex = errors.New("referrers tag does not hold an image index")
