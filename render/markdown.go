package render

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"sync"

	"github.com/tdewolff/minify/v2"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/regcat/regcat/snapshot"
)

// linkRel is set on every link from registry text.
const linkRel = "nofollow noopener noreferrer"

// markdown renders image descriptions. goldmark runs in its default safe
// mode (never html.WithUnsafe): raw HTML is omitted and dangerous URLs are
// dropped. On top of that, linkPolicy keeps only http(s) links and turns
// images into links, since the site's Content-Security-Policy would block
// remote images anyway. Results are cached, here only: most images of
// a repository share one description.
type markdown struct {
	md       goldmark.Markdown
	min      *minify.M
	mu       sync.Mutex
	htmls    map[string]template.HTML
	excerpts map[string]string
}

func newMarkdown(min *minify.M) *markdown {
	return &markdown{
		md: goldmark.New(
			goldmark.WithExtensions(extension.GFM),
			goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(linkPolicy{}, 1000))),
		),
		min:      min,
		htmls:    map[string]template.HTML{},
		excerpts: map[string]string{},
	}
}

// html returns src, cleaned of control and bidirectional formatting
// characters, as minified HTML, which pages insert as it is (their
// templates were minified when loaded). This is the one place registry
// text becomes template.HTML: the HTML is goldmark's safe-mode output.
func (m *markdown) html(src string) (template.HTML, error) {
	m.mu.Lock()
	h, ok := m.htmls[src]
	m.mu.Unlock()
	if ok {
		return h, nil
	}
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(clean(src)), &buf); err != nil {
		return "", err
	}
	b, err := m.min.Bytes(typeHTML, buf.Bytes())
	if err != nil {
		return "", fmt.Errorf("minify: %w", err)
	}
	h = template.HTML(b)
	m.mu.Lock()
	m.htmls[src] = h
	m.mu.Unlock()
	return h, nil
}

// excerpt returns the plain text of the first paragraph of a Markdown
// description, cleaned, on one line and cut to snapshot.MaxExcerpt runes,
// for the index table.
func (m *markdown) excerpt(src string) string {
	m.mu.Lock()
	e, ok := m.excerpts[src]
	m.mu.Unlock()
	if ok {
		return e
	}
	source := []byte(clean(src))
	doc := m.md.Parser().Parse(text.NewReader(source))
	var b strings.Builder
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if _, ok := n.(*ast.Paragraph); ok {
			paragraphText(&b, n, source)
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	e = snapshot.Truncate(oneLine(b.String()), snapshot.MaxExcerpt)
	m.mu.Lock()
	m.excerpts[src] = e
	m.mu.Unlock()
	return e
}

// paragraphText writes the text of n's inline content to b.
func paragraphText(b *strings.Builder, n ast.Node, source []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(source))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(source))
		default:
			paragraphText(b, c, source)
		}
	}
}

// linkPolicy rewrites a parsed description: links and autolinks that are
// not http(s) become their text, images become links to themselves (or
// their alt text), every link gets rel=linkRel, and headings move down two
// levels so that a description's "#" sits below the page's own headings.
type linkPolicy struct{}

func (linkPolicy) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var unwrap []ast.Node
	var images []*ast.Image
	var autos []*ast.AutoLink
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.Level = min(n.Level+2, 6)
		case *ast.Link:
			if webURL(string(n.Destination)) == "" {
				unwrap = append(unwrap, n)
			} else {
				n.SetAttributeString("rel", []byte(linkRel))
			}
		case *ast.Image:
			images = append(images, n)
		case *ast.AutoLink:
			autos = append(autos, n)
		}
		return ast.WalkContinue, nil
	})
	for _, im := range images {
		if webURL(string(im.Destination)) == "" {
			unwrap = append(unwrap, im)
			continue
		}
		l := ast.NewLink()
		l.Destination, l.Title = im.Destination, im.Title
		l.SetAttributeString("rel", []byte(linkRel))
		moveChildren(l, im)
		im.Parent().ReplaceChild(im.Parent(), im, l)
	}
	for _, n := range unwrap {
		p := n.Parent()
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			p.InsertBefore(p, n, c)
			c = next
		}
		p.RemoveChild(p, n)
	}
	for _, a := range autos {
		if a.AutoLinkType == ast.AutoLinkURL && webURL(string(a.URL(source))) != "" {
			a.SetAttributeString("rel", []byte(linkRel))
			continue
		}
		a.Parent().ReplaceChild(a.Parent(), a, ast.NewString(bytes.Clone(a.Label(source))))
	}
}

// moveChildren moves every child of from to the end of to.
func moveChildren(to, from ast.Node) {
	for c := from.FirstChild(); c != nil; {
		next := c.NextSibling()
		to.AppendChild(to, c)
		c = next
	}
}
