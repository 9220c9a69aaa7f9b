package badge

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// element is one parsed XML element: its name, attributes and the
// character data directly inside it.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

// parseSVG decodes a badge with encoding/xml in strict mode, so malformed
// markup, bad escapes and characters XML forbids are all errors, and
// returns its elements in document order.
func parseSVG(data []byte) ([]element, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var (
		elems []element
		open  []int // indexes into elems of the open elements
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := element{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				name := a.Name.Local
				if a.Name.Space != "" && a.Name.Space != "xmlns" {
					name = a.Name.Space + ":" + name
				}
				e.attrs[name] = a.Value
			}
			elems = append(elems, e)
			open = append(open, len(elems)-1)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 {
				elems[open[len(open)-1]].text += string(tok)
			}
		case xml.ProcInst, xml.Directive, xml.Comment:
			return nil, errors.New("unexpected processing instruction, directive or comment")
		}
	}
	if len(elems) == 0 || elems[0].name != "svg" {
		return nil, errors.New("no svg root element")
	}
	return elems, nil
}

// mustParseSVG is parseSVG for tests.
func mustParseSVG(t testing.TB, data []byte) []element {
	t.Helper()
	elems, err := parseSVG(data)
	if err != nil {
		t.Fatalf("badge is not valid XML: %v\n%s", err, data)
	}
	return elems
}

// allowedAttrs is every element and attribute a badge may contain: no
// script, no event handler, no external reference.
var allowedAttrs = map[string]string{
	"svg":            " xmlns width height role aria-label ",
	"title":          " ",
	"linearGradient": " id x2 y2 ",
	"stop":           " offset stop-color stop-opacity ",
	"clipPath":       " id ",
	"rect":           " width height rx ",
	"path":           " fill d ",
	"g":              " clip-path shape-rendering fill text-anchor font-family text-rendering font-size transform aria-hidden fill-opacity ",
	"text":           " x y textLength fill ",
}

// checkMarkup reports an element or attribute outside allowedAttrs.
func checkMarkup(elems []element) error {
	for _, e := range elems {
		allowed, ok := allowedAttrs[e.name]
		if !ok {
			return errors.New("unexpected element <" + e.name + ">")
		}
		for name := range e.attrs {
			if !strings.Contains(allowed, " "+name+" ") {
				return errors.New("unexpected attribute " + name + " on <" + e.name + ">")
			}
		}
	}
	return nil
}

// box is a filled rectangle, from a <rect> (as shields draws them) or a
// <path> of the form "M{x} 0h{width}v{height}H{x}z" (as SVG draws them).
type box struct {
	x, width, height int
	rx               string
	fill             string
}

// boxOf returns the rectangle e draws, if it is a rect or a box path.
func boxOf(e element) (box, bool) {
	switch e.name {
	case "rect":
		var b box
		if _, err := fmt.Sscanf(e.attrs["width"]+" "+e.attrs["height"], "%d %d", &b.width, &b.height); err != nil {
			return box{}, false
		}
		if x := e.attrs["x"]; x != "" {
			if _, err := fmt.Sscanf(x, "%d", &b.x); err != nil {
				return box{}, false
			}
		}
		b.rx, b.fill = e.attrs["rx"], e.attrs["fill"]
		return b, true
	case "path":
		var b box
		var x2 int
		if _, err := fmt.Sscanf(e.attrs["d"], "M%d 0h%dv%dH%dz", &b.x, &b.width, &b.height, &x2); err != nil || x2 != b.x {
			return box{}, false
		}
		b.fill = e.attrs["fill"]
		return b, true
	}
	return box{}, false
}

// visibleTexts returns the character data of the <text> elements that are
// not shadows, in order.
func visibleTexts(elems []element) []string {
	var texts []string
	for _, e := range elems {
		if e.name == "text" && e.attrs["y"] == "140" {
			texts = append(texts, e.text)
		}
	}
	return texts
}
