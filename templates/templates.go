// Package templates owns the embedded html/template files of the regcat
// site. Each page template (index.html, repo.html, image.html,
// failures.html, 404.html, coverage.html, rebuild.html, changes.html, and
// registries.html, the landing page of a site of several registries)
// defines "content", which base.html places in
// the page; every other file is a shared layout or partial parsed into
// every page. The page's title comes from its data (.Title, .Site), not
// from a template. A directory given to the renderer overrides files here
// by name. Besides the built-in functions, templates may call plural:
// {{plural .Tags "tag" "tags"}} gives "1 tag", "2 tags".
package templates

import "embed"

// FS holds the template files at its root.
//
//go:embed *.html
var FS embed.FS
