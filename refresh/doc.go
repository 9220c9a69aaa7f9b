// Package refresh owns the webhook-driven refresh of a served site
// (regcat serve --refresh): the hook endpoints under [HookPrefix] (their
// authentication, body caps and the payloads of the CNCF distribution
// registry and of Docker Hub), the queue that coalesces the repositories
// they name, and the refreshes themselves.
//
// A [Refresher] runs one refresh at a time in the background ([Refresher.Run]).
// Hooks only queue: they answer 202 at once. The first request that finds
// the queue empty starts a debounce window ([Config.Debounce]); what
// arrives until it ends, and while a refresh runs, is coalesced into the
// next refresh. A refresh is one [pipeline.Run] with crawler.Config.Only
// set to the named repositories (or the whole registry when a request
// named none): the previous snapshot's other repositories are carried
// over without a request, the named ones are re-crawled incrementally
// (one HEAD per unchanged tag), the site is rendered and swapped in
// atomically, then the snapshot. A failed refresh leaves the last good
// site and snapshot. After a successful one, [Config.OnPublish] runs.
package refresh
