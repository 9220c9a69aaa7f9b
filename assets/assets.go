// Package assets owns the embedded static files of the regcat site: the
// stylesheet, the one small script (filter box, column sort, copy buttons)
// and the favicon. The renderer minifies them and writes them under
// assets/ in the site.
package assets

import "embed"

// FS holds the asset files at its root.
//
//go:embed *.css *.js *.svg
var FS embed.FS
