package badge

import "strings"

// Named colours, as shields.io names them (badge-maker/lib/color.js).
const (
	BrightGreen = "brightgreen"
	Green       = "green"
	YellowGreen = "yellowgreen"
	Yellow      = "yellow"
	Orange      = "orange"
	Red         = "red"
	Blue        = "blue"
	Grey        = "grey"
	LightGrey   = "lightgrey"
)

// DefaultColor is the colour of a badge whose Color is empty or invalid,
// and of Unknown and NotGiven badges: shields' colour for "no data".
const DefaultColor = LightGrey

// namedColors maps shields' colour names to their fills.
var namedColors = map[string]string{
	BrightGreen: "#4c1",
	Green:       "#97ca00",
	YellowGreen: "#a4a61d",
	Yellow:      "#dfb317",
	Orange:      "#fe7d37",
	Red:         "#e05d44",
	Blue:        "#007ec6",
	Grey:        "#555",
	LightGrey:   "#9f9f9f",
}

// colorAliases maps shields' semantic aliases to colour names.
var colorAliases = map[string]string{
	"gray":          Grey,
	"lightgray":     LightGrey,
	"critical":      Red,
	"important":     Orange,
	"success":       BrightGreen,
	"informational": Blue,
	"inactive":      LightGrey,
}

// normalizeColor returns the canonical spelling of c, a shields colour name,
// alias or #rgb / #rrggbb hex colour (any case), and its SVG fill. Anything
// else — CSS functions, named CSS colours, stray markup — falls back to
// DefaultColor, so no caller text ever reaches an attribute unchecked.
func normalizeColor(c string) (name, fill string) {
	c = strings.ToLower(strings.TrimSpace(c))
	if alias, ok := colorAliases[c]; ok {
		c = alias
	}
	if fill, ok := namedColors[c]; ok {
		return c, fill
	}
	if isHexColor(c) {
		return c, c
	}
	return DefaultColor, namedColors[DefaultColor]
}

// isHexColor reports whether c is "#" and three or six lower-case hex digits.
func isHexColor(c string) bool {
	if len(c) != 4 && len(c) != 7 || c[0] != '#' {
		return false
	}
	for i := 1; i < len(c); i++ {
		if !('0' <= c[i] && c[i] <= '9' || 'a' <= c[i] && c[i] <= 'f') {
			return false
		}
	}
	return true
}

// textColors returns the text and shadow fills that read on a background
// fill: badge-maker's colorsForBackground, which darkens text on grounds
// brighter than 0.69 by the W3C AERT brightness formula rounded to two
// decimals.
func textColors(fill string) (text, shadow string) {
	r, g, b := hexRGB(fill)
	// (299r + 587g + 114b) / 255000, rounded to hundredths, compared with
	// .69 — in integers: round(brightness·100) <= 69.
	hundredths := (int(r)*299 + int(g)*587 + int(b)*114 + 1275) / 2550
	if hundredths <= 69 {
		return "#fff", "#010101"
	}
	return "#333", "#ccc"
}

// hexRGB decodes a #rgb or #rrggbb fill.
func hexRGB(fill string) (r, g, b uint8) {
	digit := func(c byte) uint8 {
		if c <= '9' {
			return c - '0'
		}
		return c - 'a' + 10
	}
	if len(fill) == 4 {
		return digit(fill[1]) * 17, digit(fill[2]) * 17, digit(fill[3]) * 17
	}
	return digit(fill[1])<<4 | digit(fill[2]), digit(fill[3])<<4 | digit(fill[4]), digit(fill[5])<<4 | digit(fill[6])
}
