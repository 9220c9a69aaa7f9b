package render

import (
	"strconv"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// Fixed paths of the site, relative to its root.
const (
	indexPage    = "index.html"
	failuresPage = "failures.html"
	notFoundPage = "404.html"
	coveragePage = "coverage.html"
	rebuildPage  = "rebuild.html"
	// MarkerFile marks a directory as a site rendered by regcat; only such
	// a directory (or an empty one) is ever replaced.
	MarkerFile = ".regcat-site"
	noJekyll   = ".nojekyll"
	sitemap    = "sitemap.xml"
	assetsDir  = "assets/"
	apiDir     = "api/"
	reposDir   = "r/"
	labelsDir  = "labels/"
	labelsJSON = apiDir + "labels.json"
	// searchIndex is the search index, a script (see search.go).
	searchIndex = "search-index.js"
)

// repoKey is the one-segment form of a validated repository name: "/"
// becomes "~", which no name can hold, so the mapping is one-to-one and
// the key is a single path segment.
func repoKey(name string) string { return strings.ReplaceAll(name, "/", "~") }

// repoDir is the directory of a repository's pages, with a trailing
// slash, for a name that passed snapshot.ValidateRepoName.
func repoDir(name string) string { return reposDir + repoKey(name) + "/" }

// repoPage is the path of a repository's page: its first page when its
// history has several.
func repoPage(name string) string { return repoDir(name) + indexPage }

// historyFile is the file name of page n (from 1) of a repository's tag
// history inside its directory: index.html for the first, then
// page-2.html, page-3.html and so on, which no image page (sha256-…)
// can be.
func historyFile(n int) string {
	if n <= 1 {
		return indexPage
	}
	return "page-" + strconv.Itoa(n) + ".html"
}

// imageFile is the file name of an image page inside its repository's
// directory, for a digest that passed snapshot.ValidateDigest:
// "sha256:<hex>" becomes "sha256-<hex>.html". It cannot be "index.html".
func imageFile(digest string) string { return strings.Replace(digest, ":", "-", 1) + ".html" }

// imagePage is the path of an image page.
func imagePage(repo, digest string) string { return repoDir(repo) + imageFile(digest) }

// apiPath is the path of a repository's JSON record under api/.
func apiPath(name string) (string, error) {
	p, err := snapshot.RepoPath(name)
	if err != nil {
		return "", err
	}
	return apiDir + p, nil
}

// rootFrom returns the relative prefix ("", "../", "../../", …) that
// leads from the directory of page p back to the site root.
func rootFrom(p string) string {
	return strings.Repeat("../", strings.Count(p, "/"))
}

// shortDigest is the algorithm-free first 12 hex digits of a digest, as
// docker shows image ids.
func shortDigest(d string) string {
	_, hex, ok := strings.Cut(d, ":")
	if !ok {
		hex = d
	}
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return hex
}
