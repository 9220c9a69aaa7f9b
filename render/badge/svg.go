package badge

import "strconv"

// fontFamily is badge-maker's font stack; widths are always Verdana's, and
// textLength fits whichever font the viewer has to them.
const fontFamily = "Verdana,Geneva,DejaVu Sans,sans-serif"

// flatDefs is the flat style's gradient, as badge-maker draws it.
const flatDefs = `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`

// SVG draws b in style s as a standalone SVG document, Width(b) by Height
// pixels, with no newline in it or after it. The same b and s always give
// the same bytes; an unknown s draws as Flat.
//
// Geometry, colours and paint order are badge-maker's; the markup is more
// compact (paths for boxes, one scale transform for all text, the shadows
// in one group, no attribute that repeats an inherited value), so a typical
// badge stays under 1 KB. It is accessible — role="img" with aria-label
// and <title> "label: message", or the message alone without a label — and
// its texts are cleaned, truncated and XML-escaped. Its ids "s" and "r" are fine in
// an <img> or a file, but would clash if two badges were inlined in one
// HTML document.
func SVG(b Badge, s Style) []byte {
	l := newLayout(b)
	width := l.left + l.right
	alt := xmlEscaper.Replace(l.accessibleText())

	out := make([]byte, 0, 1024+4*len(alt))
	out = append(out, `<svg xmlns="http://www.w3.org/2000/svg" width="`...)
	out = strconv.AppendInt(out, int64(width), 10)
	out = append(out, `" height="20" role="img" aria-label="`...)
	out = append(out, alt...)
	out = append(out, `"><title>`...)
	out = append(out, alt...)
	out = append(out, `</title>`...)

	shadow := s != FlatSquare
	if shadow {
		out = append(out, flatDefs...)
		out = append(out, `<clipPath id="r"><rect width="`...)
		out = strconv.AppendInt(out, int64(width), 10)
		out = append(out, `" height="20" rx="3"/></clipPath><g clip-path="url(#r)">`...)
	} else {
		out = append(out, `<g shape-rendering="crispEdges">`...)
	}
	if l.left > 0 {
		out = appendBox(out, 0, l.left, l.labelFill)
	}
	out = appendBox(out, l.left, l.right, l.fill)
	if shadow {
		out = appendBox(out, 0, width, "url(#s)")
	}
	out = append(out, `</g><g fill="#fff" text-anchor="middle" font-family="`+fontFamily+`" text-rendering="geometricPrecision" font-size="110" transform="scale(.1)">`...)

	parts := l.parts()
	// Shadows come first, in one group, then the texts: the parts do not
	// overlap, so this paints as badge-maker's shadow, text, shadow, text.
	if shadow && len(parts) > 0 {
		out = append(out, `<g aria-hidden="true" fill="#010101" fill-opacity=".3">`...)
		for _, p := range parts {
			_, shade := textColors(p.ground)
			out = appendText(out, p.text, p.x, 150, p.width, shade, "#010101")
		}
		out = append(out, `</g>`...)
	}
	for _, p := range parts {
		ink, _ := textColors(p.ground)
		out = appendText(out, p.text, p.x, 140, p.width, ink, "#fff")
	}
	return append(out, `</g></svg>`...)
}

// appendBox appends a full-height box from x to x+width filled with fill.
// badge-maker draws <rect>s; a path says the same in fewer bytes.
func appendBox(out []byte, x, width int, fill string) []byte {
	out = append(out, `<path fill="`...)
	out = append(out, fill...)
	out = append(out, `" d="M`...)
	out = strconv.AppendInt(out, int64(x), 10)
	out = append(out, ` 0h`...)
	out = strconv.AppendInt(out, int64(width), 10)
	out = append(out, `v20H`...)
	out = strconv.AppendInt(out, int64(x), 10)
	return append(out, `z"/>`...)
}

// appendText appends text centred at x and baseline y (tenths of a pixel),
// stretched to width pixels, filled with fill unless it is inherited.
func appendText(out []byte, text string, x, y, width int, fill, inherited string) []byte {
	out = append(out, `<text x="`...)
	out = strconv.AppendInt(out, int64(x), 10)
	out = append(out, `" y="`...)
	out = strconv.AppendInt(out, int64(y), 10)
	out = append(out, `" textLength="`...)
	out = strconv.AppendInt(out, int64(10*width), 10)
	if fill != inherited {
		out = append(out, `" fill="`...)
		out = append(out, fill...)
	}
	out = append(out, `">`...)
	out = append(out, xmlEscaper.Replace(text)...)
	return append(out, `</text>`...)
}
