// Package catalog is the read-only model of a registry catalog, built
// from one snapshot, that every output of the site (pages, badges, the
// api/ JSON, the sitemap) reads: the repositories, images and tags whose
// names passed validation, each repository's default image, the lineage
// between images, the well-known label lookups, the label index (every
// key and value across the images), the Label Schema → OCI table of the
// image specification, the failure counts, and the snapshot's change
// history (entries of the change log, when each tag got its current
// digest).
//
// A Catalog is built once by [Read] (or [New], for a snapshot in
// memory) and never changed afterwards, so any number of goroutines may
// read it. It reads the snapshot one repository at a time
// (snapshot.Source) and keeps a compact record of each image: what
// other repositories' pages, lineage, lint and the label index need.
// The pages of a repository load its whole record again with
// [Catalog.Load], so a catalog's memory grows with its images' compact
// records (a few hundred bytes each), not with the snapshot. Facts derived from more than one
// snapshot (changes since the previous crawl) or across repositories
// (the label index) belong here too, as further fields filled in by New
// from its [Config]. The package imports snapshot, changes and the standard
// library only: it knows nothing of HTML, files or registries.
package catalog
