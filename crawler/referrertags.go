package crawler

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/regcat/regcat/snapshot"
)

// tagRefs is what one referrers or cosign tag held.
type tagRefs struct {
	refs    []snapshot.Referrer
	listed  int
	failure *snapshot.Failure
}

// finishReferrers runs once all of r's tags are resolved: it reads the
// referrers tags whose digest is an image (or platform) of r, the
// tag-schema ones only when the registry has no referrers API, and puts
// every referrer found, by API or tag, on its image. Tags of other digests
// are recorded unread.
func (c *crawl) finishReferrers(ctx context.Context, r *repoState) {
	owner := map[string]string{} // subject digest → top-level image digest
	for _, res := range r.results {
		if res.image == nil {
			continue
		}
		for _, s := range subjectsOf(res.image) {
			if _, ok := owner[s]; !ok {
				owner[s] = res.image.Digest
			}
		}
	}
	api := c.api.state.Load() == apiYes
	got := make([]tagRefs, len(r.refTags))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.cfg.concurrency())
	for i, t := range r.refTags {
		rt := snapshot.ReferrerTag{Name: t.name, Subject: t.subject, Scheme: t.scheme}
		switch _, ok := owner[t.subject]; {
		case !ok:
			rt.Note = "names a digest that is not an image of this repository: not read"
		case api && t.scheme == snapshot.SourceTagSchema:
			rt.Note = "not read: the registry's referrers API lists the same referrers"
		default:
			rt.Attached = true
			g.Go(func() error {
				got[i] = c.readRefTag(gctx, r, t)
				return nil
			})
		}
		r.referrerTags = append(r.referrerTags, rt)
	}
	_ = g.Wait() // workers return nil; ctx is checked by the caller
	byImage := map[string][]snapshot.Referrer{}
	dropped := map[string]int{} // listed beyond a source's cap, by image
	for s, img := range owner {
		if v, ok := r.refs.peek(s); ok {
			byImage[img] = append(byImage[img], v.refs...)
			dropped[img] += v.listed - len(v.refs)
			if v.failure != nil {
				r.failures = append(r.failures, *v.failure)
			}
		}
	}
	for i, t := range got {
		if t.failure != nil {
			r.failures = append(r.failures, *t.failure)
		}
		if len(t.refs) > 0 {
			img := owner[r.refTags[i].subject]
			byImage[img] = append(byImage[img], t.refs...)
			dropped[img] += t.listed - len(t.refs)
		}
	}
	r.referrers = map[string][]snapshot.Referrer{}
	r.refTrunc = map[string]*snapshot.Truncation{}
	for img, refs := range byImage {
		refs = dedupeReferrers(refs)
		if n := len(refs) + dropped[img]; n > MaxReferrers {
			r.refTrunc[img] = &snapshot.Truncation{Limit: MaxReferrers, Listed: n}
			c.log.Warn("referrers truncated at the cap", "repo", r.name, "digest", img, "limit", MaxReferrers, "listed", n)
			refs = slices.Clip(refs[:min(len(refs), MaxReferrers)])
		}
		r.referrers[img] = refs
	}
}

// dedupeReferrers sorts refs by subject, digest, source order (api, then
// tag schema, then cosign) and keeps the first of each subject and digest.
func dedupeReferrers(refs []snapshot.Referrer) []snapshot.Referrer {
	rank := map[string]int{snapshot.SourceAPI: 0, snapshot.SourceTagSchema: 1, snapshot.SourceCosign: 2}
	slices.SortStableFunc(refs, func(a, b snapshot.Referrer) int {
		return cmp.Or(cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Digest, b.Digest), cmp.Compare(rank[a.Source], rank[b.Source]), cmp.Compare(a.Tag, b.Tag))
	})
	return slices.CompactFunc(refs, func(a, b snapshot.Referrer) bool { return a.Subject == b.Subject && a.Digest == b.Digest })
}

// readRefTag GETs a referrers tag (one request, capped, its
// Docker-Content-Digest verified): a tag-schema index lists referrers, a
// cosign tag is one.
func (c *crawl) readRefTag(ctx context.Context, r *repoState, t refTag) tagRefs {
	accept := manifestAccept
	if t.scheme == snapshot.SourceTagSchema {
		accept = []string{mtOCIIndex}
	}
	c.counts.referrers.Add(1)
	resp, err := r.sess.do(ctx, http.MethodGet, r.sess.url("/v2/"+r.name+"/manifests/"+t.name), accept, MaxManifest)
	if err != nil {
		return tagRefs{failure: c.refFailure(r, t.name, t.subject, err)}
	}
	d, err := manifestDigest(resp.header.Get("Docker-Content-Digest"), resp.body)
	if err != nil {
		return tagRefs{failure: c.refFailure(r, t.name, t.subject, err)}
	}
	if t.scheme == snapshot.SourceTagSchema {
		return c.tagSchemaRefs(ctx, r, t, resp)
	}
	m, err := parseManifest(resp.header.Get("Content-Type"), resp.body)
	if err != nil {
		return tagRefs{failure: c.refFailure(r, t.name, t.subject, err)}
	}
	ref := snapshot.Referrer{
		Subject: t.subject, Digest: d, MediaType: m.mediaType, Size: int64(len(resp.body)),
		Annotations: m.doc.Annotations, Created: parseTime(m.doc.Annotations[snapshot.KeyCreated]),
		Source: snapshot.SourceCosign, Tag: t.name,
	}
	if m.doc.Config != nil {
		ref.ArtifactType = cmp.Or(m.doc.ArtifactType, m.doc.Config.MediaType)
	}
	layers, preds := layerFacts(m, annotatedPredicates(m.doc.Annotations))
	ref.PredicateTypes = distinct(preds)
	ref.Kind, ref.Format = snapshot.ClassifyReferrer(ref.ArtifactType, layers, ref.PredicateTypes, t.hint)
	if !c.wantArtifact(ref.ArtifactType, false) {
		return tagRefs{}
	}
	return tagRefs{refs: []snapshot.Referrer{ref}, listed: 1}
}

// tagSchemaRefs reads the index a referrers tag holds.
func (c *crawl) tagSchemaRefs(ctx context.Context, r *repoState, t refTag, resp *response) tagRefs {
	m, err := parseManifest(resp.header.Get("Content-Type"), resp.body)
	if err == nil && m.kind != snapshot.KindIndex {
		err = fmt.Errorf("%w (%s)", errNotIndex, snapshot.Truncate(m.mediaType, 100))
	}
	if err != nil {
		return tagRefs{failure: c.refFailure(r, t.name, t.subject, err)}
	}
	descs, listed := firstReferrers(m.doc.Manifests, func(d *descriptor) bool {
		return d.ArtifactType == "" || d.ArtifactType == mtEmpty || c.wantArtifact(d.ArtifactType, false)
	})
	out := tagRefs{listed: listed}
	for i := range descs {
		ref := c.describe(ctx, r, t.subject, &descs[i], snapshot.SourceTagSchema, t.name)
		if c.wantArtifact(ref.ArtifactType, false) {
			out.refs = append(out.refs, ref)
		} else {
			out.listed--
		}
	}
	return out
}
