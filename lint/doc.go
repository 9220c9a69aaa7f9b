// Package lint owns the metadata rules of a catalog: which recommended
// OCI keys images carry (coverage), which labels are missing, invalid or
// inherited from a base image, and which images are built on a base tag
// that has since moved (stale bases, what needs a rebuild). The site's
// coverage.html and rebuild.html, the image and repository pages, and the
// regcat lint command all read it.
//
// Every finding has a rule id:
//
//	missing-key       the image lacks a key that Options.Require names
//	no-labels         the image has no labels and no annotations at all
//	inherited-label   a config label (version, revision, source, title)
//	                  has the value of the same label of the base image
//	                  (in another repository; source only when the
//	                  revision is the base's too or missing, since images
//	                  of one monorepo share a source): Docker builds
//	                  inherit labels, the OCI spec says a derived image
//	                  should set its own
//	invalid-licenses  licenses is not an SPDX license expression
//	invalid-url       source, url or documentation is not an http(s) URL
//	invalid-revision  revision is not a hex commit id (7 to 64 digits)
//	invalid-created   created is not an RFC 3339 time
//	created-mismatch  created differs from the config's created time by
//	                  more than CreatedTolerance
//	future-created    the image (or its created label) is dated more than
//	                  FutureTolerance after the crawl started
//	stale-base        the base tag the image was built on now points at
//	                  another image
//
// Only images and indexes are linted (not artifacts or schema 1
// manifests). Values are checked for every label and annotation of the
// image that sets the key, platforms included. Findings and coverage
// depend on the snapshot alone, never on the wall clock: "future" is
// relative to the snapshot's crawl time, durations come from created
// times, so the same snapshot gives the same output.
//
// The package reads catalog and snapshot only; it knows nothing of HTML,
// files or registries.
package lint
