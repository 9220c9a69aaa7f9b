// Package render turns a registry snapshot into a static HTML catalog site:
// it builds the snapshot's catalog (package catalog), parses the templates
// once, and runs a list of outputs (output.go), each a small unit that
// reads the catalog and writes its files: an index of repositories, one
// page per repository with its tag history, one page per image digest, a
// failures page, a 404 page, the label index, the search index, the
// changes page and Atom feeds of the snapshot's change log
// (Config.History), the badges, the snapshot JSON and the label index as a
// static API under api/ and, when a base URL is known, a sitemap.
//
// The render reads the snapshot one repository at a time (a
// snapshot.Source): the catalog keeps compact records, and once the
// outputs of the site as a whole have started, each rendered repository's
// whole record is loaded once for all of its files (the outputs' repo
// parts: pages, chart, feed, API record, badges) and dropped when they
// are written. Its memory grows with the number of images, a few hundred
// bytes each, and with the repositories in flight, not with the snapshot.
//
// Repository and image pages hold nothing that changes with every crawl
// (no crawl time): a crawl that changed one repository leaves the other
// repositories' files byte for byte, so the site writer links them from
// the previous site.
//
// Incremental render (incremental.go): the site keeps, in
// .regcat-render.json, a fingerprint per repository, a SHA-256 of all
// that its files are made from: its published snapshot data and
// change-log entries, what its pages show of other repositories
// (lineage, base image states), its badge directories, the data every
// page shows (title, registry, the nav's counts), the options, the
// templates with overrides and the regcat executable. A repository whose
// fingerprint the previous site recorded is not rendered at all: its
// pages, chart, feed, API record and badges are hard-linked from the
// previous site without being read (sitefs.Dir.Carry), and Stats.Carried
// counts it. No manifest, one of another version or a corrupt one, or a
// file missing from the previous site, and the repository is rendered;
// site-level files (index, changes, feeds, labels, search index,
// coverage, rebuild, sitemap, api index) always are. Either way the site
// is byte for byte what a fresh render writes.
//
// Site layout (all links between pages are relative, so a site works from
// file:// and under any URL path):
//
//	index.html                    every repository, grouped by namespace
//	failures.html                 what the crawl could not read
//	changes.html, feed.xml        the change log, newest first; its Atom feed
//	404.html, .nojekyll, .regcat-site
//	.regcat-render.json           the fingerprints of the incremental render
//	assets/style.css, assets/site.js, assets/favicon.svg
//	r/<key>/index.html            one repository
//	r/<key>/sha256-<hex>.html     one image of that repository
//	labels/index.html             every label and annotation key
//	labels/<slug>-<hash>.html     one key's values and images (docs/labels.md)
//	r/<key>/feed.xml              that repository's changes (Atom)
//	api/index.json, api/repos/<key>.json
//	api/labels.json               key → value → ["<repo>@<digest>", …]
//	search-index.js               the header search box's index (docs/search.md)
//	badges/<repo>/<kind>.svg      a repository's badges; badges.json has them all as JSON
//	badges/<repo>/<tag>/<kind>.svg  one tag's badges (see docs/badges.md)
//	sitemap.xml                   only with Config.BaseURL
//
// <key> is the repository name with each "/" replaced by "~", as in
// snapshot.RepoPath: "~" cannot occur in a repository name, so every
// repository has its own directory and no two paths collide.
//
// Registry text is untrusted. It reaches pages only through html/template's
// contextual escaping, after invalid UTF-8, control and bidirectional
// formatting characters are replaced; descriptions are Markdown rendered by
// goldmark in its safe mode; links from labels must be http or https.
package render
