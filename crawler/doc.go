// Package crawler walks a container registry over the OCI Distribution API
// and produces a [snapshot.Snapshot]: every repository, tag, manifest,
// platform and image config, without pulling a single layer.
//
// [Crawl] lists repositories (the _catalog, or [Config.Repos]), lists the
// tags of each, fetches each tag's manifest and, for indexes, every platform
// manifest, and each image config blob. Manifests and configs are fetched
// at most once per crawl by digest, across repositories, and every fetched
// byte is checked against its digest. Reads are capped in size; requests go
// through the [reghttp] transport (backoff, Retry-After, stall timeouts, a
// deadline per attempt) beneath go-containerregistry's authentication
// (basic and bearer token).
//
// A full crawl costs the list pages, one manifest GET per tag, one GET per
// platform manifest and per config not already fetched, and the
// authentication handshakes. A tag's digest is known only once its
// manifest is fetched, so a tag that aliases another costs its own GET by
// tag; its bytes are verified and the image record already built is
// reused.
//
// One repository or tag failing is recorded in the snapshot and the crawl
// goes on; only an unreachable registry, credentials that the registry
// rejects outright, or a cancelled context end it with an error.
//
// # Bounds
//
// A crawl is bounded in requests, memory and time whatever the registry
// sends:
//
//   - Lists are capped while they are read. Listing a repository's tags
//     stops at the page that brings it past [Config.MaxTags] (default
//     [DefaultMaxTags]) distinct tags; of the tags read, the first
//     MaxTags in byte order are crawled, which for a registry that lists in
//     lexical order (as the Distribution Spec asks) are the first MaxTags of
//     the whole list. The repository then records a [snapshot.Truncation]
//     (limit and how many were listed), the crawl logs a warning with repo,
//     limit and listed, and [Stats.Truncated] counts it; it is not a
//     failure. The catalog is capped the same way by [Config.MaxRepos]
//     (default [DefaultMaxRepos]), recorded in the index. So a tag list
//     that never ends costs floor(MaxTags / page size) + 1 list requests and
//     at most MaxTags tags' worth of manifest and config requests. Invalid
//     names among those kept are skipped as usual.
//   - Each request attempt has three timers: the wait for headers and the
//     longest gap between body bytes ([Config.Timeout], default 30 s), and a
//     deadline for the whole attempt, connecting to last byte
//     ([Config.RequestDeadline], default 60 s), which ends a body that
//     drips just fast enough to keep the gap timer alive. An attempt that
//     expires is retried within the usual bounded attempts (default 5), so
//     one request lasts at most about attempts × deadline plus the backoff
//     between attempts: with the defaults 5 × 60 s + at most 3 s, about 5
//     minutes.
//   - Once a request of a repository has timed out after every attempt,
//     the repository's further requests fail at once (recorded as failures
//     of their tags) instead of each waiting out its own attempts. Its
//     requests already in flight, at most [Config.Concurrency], end within
//     the same bound. So with the defaults one hanging or dripping
//     repository adds about attempts × deadline (5 minutes; at worst twice
//     that, when a request started just before the first one timed out) to
//     the run, and never blocks the other repositories: their listing
//     goes on beside it, and their tags wait only for the tag workers the
//     hanging repository holds.
//   - Every loop checks ctx: cancelling it (SIGINT, SIGTERM) ends the
//     requests in flight, the backoff sleeps and the listing at once, and
//     Crawl returns ctx's error.
//
// With [Config.Previous], tags whose digest did not change (one manifest
// HEAD each) reuse the previous records, so a re-crawl of an unchanged
// registry costs the list calls, one HEAD per tag and the referrers
// requests below.
//
// # Referrers
//
// Signatures, SBOMs and attestations are manifests whose subject is an
// image. For every top-level digest and every platform digest of an index
// the crawler finds them, once per repository and digest:
//
//   - With the OCI 1.1 referrers API (GET /v2/<name>/referrers/<digest>,
//     [Config.ReferrersArtifactType] sent as its artifactType filter and
//     applied again when the registry does not say it filtered), one
//     request per digest: the first one of the crawl also tells whether
//     the registry has the API (a 404, 400, 405, 406 or a 200 that is not
//     an image index means it has not, which the Distribution Spec forbids
//     a registry that has it to answer), and the answer is kept for the
//     whole crawl; an error that tells nothing (a 5xx after the retries) is
//     recorded as a failure and the next lookup asks again. Pages follow
//     Link rel="next" on the same host, stop at a page already read and
//     after [MaxReferrerPages]. A referrer listed without an artifactType,
//     or with the empty config's (go-containerregistry's registry gives
//     the config media type), is read once (capped, verified) unless the
//     previous snapshot named its digest.
//   - Without it, the referrers tag schema: one GET of each "sha256-<hex>"
//     tag whose digest is an image or platform of the repository (the tag
//     list already says which exist), and on every registry cosign's
//     "sha256-<hex>.sig", ".att" and ".sbom" tags, one GET each. Those tags
//     are not releases: they are left out of the repository's tags and
//     recorded in [snapshot.Repository.ReferrerTags]; a tag of a digest
//     that is not an image of the repository (an untagged digest, another
//     repository's image, a referrer of a referrer) is recorded unread, and
//     so is a "sha256-<hex>" tag on a registry with the API, which answers
//     for it.
//
// A referrer is attributed to the image whose digest (or platform digest)
// the API was asked about or the tag names, in that repository only; its
// own subject field is not fetched to check. At most [MaxReferrers] are
// kept per image, the first in digest order, and the image records a
// [snapshot.Truncation] when there were more. buildx attestation manifests
// inside an index are read once (capped, verified; reused on re-crawls with
// the image record) for the in-toto predicate types their layers announce,
// and a statement without that annotation is read when it is at most
// [MaxStatement] bytes.
//
// Request budget of a re-crawl of an unchanged registry: the list pages,
// one HEAD per release tag, the handshakes, and either one referrers API
// request per image and platform digest, or one probe per crawl plus one
// GET per referrers or cosign tag of an image of the repository. Nothing
// else: no manifest, config or referrer manifest is fetched again.
// [Stats.Referrers] counts the referrers requests.
package crawler
