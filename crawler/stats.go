package crawler

import (
	"sync/atomic"
	"time"
)

// Stats counts a crawl's work. [Crawl] returns the final counts;
// Config.Progress sees running ones.
type Stats struct {
	// Repos is the number of repositories to crawl, known once the catalog
	// is read; ReposDone of them are finished.
	Repos, ReposDone int
	// Tags is the number of tags listed so far; TagsDone of them are
	// finished.
	Tags, TagsDone int
	// Manifests and Configs are the distinct manifests and config blobs
	// fetched (each digest once while the crawl's caches hold it; see
	// the package documentation).
	Manifests, Configs int
	// Reused is the number of tags whose previous record was reused after
	// a HEAD showed an unchanged digest.
	Reused int
	// ListPages, ManifestGets, ManifestHeads and ConfigGets count the
	// crawler's own requests; Handshakes counts ping and token requests.
	// Retries are not included in these.
	ListPages, ManifestGets, ManifestHeads, ConfigGets, Handshakes int
	// Referrers counts the requests that look for referrers: referrers
	// API pages (the probe included), GETs of referrers and cosign tags,
	// and in-toto statement blobs read. Referrer and attestation manifests
	// read by digest count as ManifestGets.
	Referrers int
	// Requests is every request attempt sent, retries and handshakes
	// included; Retries is how many attempts were repeats.
	Requests, Retries int
	// Failures is the number of failure records in the snapshot; Skipped
	// is the number of invalid names skipped.
	Failures, Skipped int
	// Truncated is the number of lists cut at their cap
	// ([Config.MaxTags], [Config.MaxRepos]): repositories whose tags were
	// truncated, plus one when the catalog was. A truncation is a warning,
	// not a failure.
	Truncated int
	// Elapsed is the time since the crawl started.
	Elapsed time.Duration
}

// counters back Stats while a crawl runs.
type counters struct {
	repos, reposDone, tags, tagsDone                               atomic.Int64
	manifests, configs, reused                                     atomic.Int64
	listPages, manifestGets, manifestHeads, configGets, handshakes atomic.Int64
	referrers                                                      atomic.Int64
	failures, skipped, truncated                                   atomic.Int64
}

func (c *counters) stats() Stats {
	return Stats{
		Repos:         int(c.repos.Load()),
		ReposDone:     int(c.reposDone.Load()),
		Tags:          int(c.tags.Load()),
		TagsDone:      int(c.tagsDone.Load()),
		Manifests:     int(c.manifests.Load()),
		Configs:       int(c.configs.Load()),
		Reused:        int(c.reused.Load()),
		ListPages:     int(c.listPages.Load()),
		ManifestGets:  int(c.manifestGets.Load()),
		ManifestHeads: int(c.manifestHeads.Load()),
		ConfigGets:    int(c.configGets.Load()),
		Handshakes:    int(c.handshakes.Load()),
		Referrers:     int(c.referrers.Load()),
		Failures:      int(c.failures.Load()),
		Skipped:       int(c.skipped.Load()),
		Truncated:     int(c.truncated.Load()),
	}
}
