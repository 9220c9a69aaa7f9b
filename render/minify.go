package render

import (
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/json"
	"github.com/tdewolff/minify/v2/svg"
	"github.com/tdewolff/minify/v2/xml"
)

// Media types of the files the site holds.
const (
	typeHTML = "text/html"
	typeCSS  = "text/css"
	typeJS   = "application/javascript"
	typeSVG  = "image/svg+xml"
	typeJSON = "application/json"
	typeXML  = "text/xml"
)

// newMinifier returns the minifier for every kind of file the site holds.
// Document tags and end tags are kept so pages stay easy to read for
// tools that parse HTML loosely.
func newMinifier() *minify.M {
	m := minify.New()
	m.Add(typeHTML, &html.Minifier{KeepDocumentTags: true, KeepEndTags: true})
	m.AddFunc(typeCSS, css.Minify)
	m.AddFunc(typeJS, js.Minify)
	m.AddFunc(typeSVG, svg.Minify)
	m.AddFunc(typeJSON, json.Minify)
	m.AddFunc(typeXML, xml.Minify)
	return m
}
