// Package badge draws static SVG badges in the look of shields.io and writes
// the matching shields.io endpoint JSON.
//
// It knows nothing of registries or snapshots: a Badge is a label, a message
// and a colour. Layout follows shields' badge-maker (the "flat" and
// "flat-square" styles, 20px high, text sized from Verdana 11px advance
// widths), so a badge drawn here has the geometry shields would give it.
// Text from a registry is hostile until proven otherwise: it is cleaned
// (see MaxLabelRunes) and XML-escaped, and output bytes depend on the input
// alone.
package badge

import (
	"fmt"
	"strconv"
)

// Badge is what a badge says: a Label on grey at the left, a Message on
// Color at the right. An empty Label draws a message-only badge. Color is a
// shields colour name (BrightGreen, Blue, …, or an alias such as
// "informational" or "critical") or a #rgb / #rrggbb hex colour; anything
// else draws as DefaultColor. A Message that is empty after cleaning draws
// an empty 11px box, as on shields; use Unknown or NotGiven instead.
type Badge struct {
	Label   string
	Message string
	Color   string
}

// Unknown is the badge for data a registry should have had but did not
// give: a DefaultColor "unknown" message under label.
func Unknown(label string) Badge {
	return Badge{Label: label, Message: "unknown", Color: DefaultColor}
}

// NotGiven is the badge for optional data an image does not declare, such
// as a missing licence annotation: a DefaultColor "not given" message.
func NotGiven(label string) Badge {
	return Badge{Label: label, Message: "not given", Color: DefaultColor}
}

// Style is a badge's look. The zero value is Flat.
type Style int

// The styles, named as shields.io names them.
const (
	// Flat has rounded corners (rx=3), a faint vertical gradient and a
	// text shadow: shields' default.
	Flat Style = iota
	// FlatSquare has square corners, no gradient and no shadow.
	FlatSquare
)

// String returns the style's shields.io name: "flat" or "flat-square".
func (s Style) String() string {
	switch s {
	case Flat:
		return "flat"
	case FlatSquare:
		return "flat-square"
	}
	return "Style(" + strconv.Itoa(int(s)) + ")"
}

// ParseStyle returns the style named name ("flat" or "flat-square"), or an
// error naming the valid choices.
func ParseStyle(name string) (Style, error) {
	for _, s := range []Style{Flat, FlatSquare} {
		if name == s.String() {
			return s, nil
		}
	}
	return Flat, fmt.Errorf("badge style %q: want flat or flat-square", name)
}

// Height is the height of every badge, in pixels.
const Height = 20

// horizPadding is the space either side of each text, as badge-maker's.
const horizPadding = 5

// layout is a badge cleaned, coloured and measured, ready to draw.
type layout struct {
	label, message  string // cleaned text, unescaped
	colorName       string // normalised Color, for endpoint JSON
	labelFill, fill string // backgrounds of the two parts
	labelWidth      int    // text widths, as preferredWidth
	messageWidth    int
	left, right     int // widths of the two parts
}

// labelFill is the background of a badge's label part, shields' default.
const labelFill = "#555"

// newLayout measures b as badge-maker's Badge constructor does for a badge
// without logo or links.
func newLayout(b Badge) layout {
	l := layout{
		label:   clean(b.Label, MaxLabelRunes),
		message: clean(b.Message, MaxMessageRunes),
	}
	l.colorName, l.fill = normalizeColor(b.Color)
	l.labelFill = l.fill
	if l.label != "" {
		l.labelFill = labelFill
		l.labelWidth = preferredWidth(l.label)
		l.left = l.labelWidth + 2*horizPadding
	}
	l.messageWidth = preferredWidth(l.message)
	l.right = l.messageWidth + 2*horizPadding
	return l
}

// accessibleText is what a screen reader says: "label: message", or the
// message alone when there is no label.
func (l layout) accessibleText() string {
	if l.label == "" {
		return l.message
	}
	return l.label + ": " + l.message
}

// textPart is one part's text, placed as badge-maker's getTextElement
// places it: centred at x tenths of a pixel, 10·(margin + width/2 +
// padding), whole because widths are odd; stretched to width pixels; drawn
// on a ground fill.
type textPart struct {
	text     string
	x, width int
	ground   string
}

// parts returns the texts to draw, label first; an empty text draws
// nothing.
func (l layout) parts() []textPart {
	parts := make([]textPart, 0, 2)
	if l.label != "" {
		const labelMargin = 1
		parts = append(parts, textPart{l.label, 10*(labelMargin+horizPadding) + 5*l.labelWidth, l.labelWidth, l.labelFill})
	}
	if l.message != "" {
		margin := l.left - 1 // badge-maker overlaps the parts by a pixel
		if l.label == "" {
			margin = 0
		}
		parts = append(parts, textPart{l.message, 10*(margin+horizPadding) + 5*l.messageWidth, l.messageWidth, l.fill})
	}
	return parts
}

// Width returns the width in pixels of b's SVG, the same in every Style.
func Width(b Badge) int {
	l := newLayout(b)
	return l.left + l.right
}
