package render

import (
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/svg"
	"github.com/tdewolff/minify/v2/xml"
)

// Media types of the files the site holds.
const (
	typeHTML = "text/html"
	typeCSS  = "text/css"
	typeJS   = "application/javascript"
	typeSVG  = "image/svg+xml"
	typeXML  = "text/xml"
)

// htmlMinifier minifies HTML. Document tags and end tags are kept so pages
// stay easy to read for tools that parse HTML loosely.
func htmlMinifier() *html.Minifier {
	return &html.Minifier{KeepDocumentTags: true, KeepEndTags: true}
}

// newMinifier returns the minifier for every kind of file the site holds.
// Pages are not minified after they are executed: their templates are,
// once, by minifyTemplate, and the one piece of HTML they insert, a
// description, is minified before it is (see markdown.html).
func newMinifier() *minify.M {
	m := minify.New()
	m.Add(typeHTML, htmlMinifier())
	m.AddFunc(typeCSS, css.Minify)
	m.AddFunc(typeJS, js.Minify)
	m.AddFunc(typeSVG, svg.Minify)
	m.AddFunc(typeXML, xml.Minify)
	return m
}

// templateMinifier minifies template sources as htmlMinifier minifies
// pages, leaving Go template actions as they are.
var templateMinifier = func() *minify.M {
	h := htmlMinifier()
	h.TemplateDelims = html.GoTemplateDelims
	m := minify.New()
	m.Add(typeHTML, h)
	return m
}()

// minifyTemplate minifies the source of an html/template. The markup a
// page gets from its templates is then minified already; what actions
// insert is escaped by html/template (registry text) or was minified
// before (descriptions). Attributes that hold actions keep their quotes,
// and white space next to an action is kept, collapsed to one character,
// since the minifier cannot know what the action will write there.
func minifyTemplate(src string) (string, error) {
	return templateMinifier.String(typeHTML, src)
}
