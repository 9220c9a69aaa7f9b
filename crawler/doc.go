// Package crawler walks a container registry over the OCI Distribution API
// and produces a [snapshot.Snapshot]: every repository, tag, manifest,
// platform and image config, without pulling a single layer.
//
// [Crawl] lists repositories (the _catalog, or [Config.Repos]), lists the
// tags of each, fetches each tag's manifest and, for indexes, every platform
// manifest, and each image config blob. Manifests and configs are fetched
// at most once per crawl by digest, across repositories, and every fetched
// byte is checked against its digest. Reads are capped in size; requests go
// through the [retry] transport (backoff, Retry-After, stall timeouts)
// beneath go-containerregistry's authentication (basic and bearer token).
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
// With [Config.Previous], tags whose digest did not change (one manifest
// HEAD each) reuse the previous records, so a re-crawl of an unchanged
// registry costs the list calls and one HEAD per tag.
package crawler
