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
// registry costs the list calls and one HEAD per tag.
package crawler
