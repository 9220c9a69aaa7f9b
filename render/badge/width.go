package badge

// Text widths, measured the way shields.io's badge-maker measures them.
//
// badge-maker sizes a badge with anafanafo (github.com/metabolize/anafanafo):
// a table of "11px Verdana" advance widths that Chrome's canvas measureText
// reported, rounded to two decimals. A string's width is the sum of the
// widths of its code points, added left to right as float64; a C0 control or
// DEL counts zero and a code point the table lacks counts as wide as "m".
// The sum is truncated to an integer and, "to increase chances of pixel grid
// alignment", bumped to the next odd number (preferredWidthOf in
// badge-maker/lib/badge-renderers.js).
//
// The widths below cover U+0020–U+007E and U+00A0–U+00FE. They come from
// anafanafo's Verdana table at 110px (packages/char-width-table-consumer/
// test-fixtures.js): each 110px width w is Verdana's advance a = w·2048/110
// in font units (every entry round-trips exactly), and the 11px width is
// a·11/2048 rounded to two decimals, as the table builder rounds
// (toFixed(2)). The results agree with every 11px value cited in public
// ports of anafanafo ("m" 10.7, "a" 6.61, "A" 7.52, space 3.87, digits 6.99)
// and reproduce shields' own badges (see width_test.go).
//
// Outside those ranges anafanafo has measured widths for many more blocks
// that are not reproduced here; such runes are guessed as wide as "m", which
// is also anafanafo's guess for runes it lacks. Because every <text> carries
// textLength, a browser stretches or squeezes the glyphs to the computed
// width, so text never overflows its box whatever font is installed.

// emWidth is the width of "m", the guess for runes the table lacks.
const emWidth = 10.7

// asciiWidths holds the 11px Verdana widths of U+0020 through U+007E.
var asciiWidths = [0x7f - 0x20]float64{
	3.87, 4.33, 5.05, 9, 6.99, 11.84, 7.99, 2.95, // U+0020 ! " # $ % & '
	5, 5, 6.99, 9, 4, 5, 4, 5, // ( ) * + , - . /
	6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, // 0 1 2 3 4 5 6 7
	6.99, 6.99, 5, 5, 9, 9, 9, 6, // 8 9 : ; < = > ?
	11, 7.52, 7.54, 7.68, 8.48, 6.96, 6.32, 8.53, // @ A B C D E F G
	8.27, 4.63, 5, 7.62, 6.12, 9.27, 8.23, 8.66, // H I J K L M N O
	6.63, 8.66, 7.65, 7.52, 6.78, 8.05, 7.52, 10.88, // P Q R S T U V W
	7.54, 6.77, 7.54, 5, 5, 5, 9, 6.99, // X Y Z [ \ ] ^ _
	6.99, 6.61, 6.85, 5.73, 6.85, 6.55, 3.87, 6.85, // ` a b c d e f g
	6.96, 3.02, 3.79, 6.51, 3.02, 10.7, 6.96, 6.68, // h i j k l m n o
	6.85, 6.85, 4.69, 5.73, 4.33, 6.96, 6.51, 9, // p q r s t u v w
	6.51, 6.51, 5.78, 6.98, 5, 6.98, 9, // x y z { | } ~
}

// latin1Widths holds the 11px Verdana widths of U+00A0 through U+00FE.
// U+00FF is missing because anafanafo's builder stops before a range's
// upper bound, so shields guesses it too.
var latin1Widths = [0xff - 0xa0]float64{
	3.87, 4.33, 6.99, 6.99, 6.99, 6.99, 5, 6.99, // U+00A0 ¡ ¢ £ ¤ ¥ ¦ §
	6.99, 11, 6, 7.09, 9, 0, 11, 6.99, // ¨ © ª « ¬ U+00AD ® ¯
	5.96, 9, 5.96, 5.96, 6.99, 7.06, 6.99, 4, // ° ± ² ³ ´ µ ¶ ·
	6.99, 5.96, 6, 7.09, 11, 11, 11, 6, // ¸ ¹ º » ¼ ½ ¾ ¿
	7.52, 7.52, 7.52, 7.52, 7.52, 7.52, 10.83, 7.68, // À Á Â Ã Ä Å Æ Ç
	6.96, 6.96, 6.96, 6.96, 4.63, 4.63, 4.63, 4.63, // È É Ê Ë Ì Í Î Ï
	8.53, 8.23, 8.66, 8.66, 8.66, 8.66, 8.66, 9, // Ð Ñ Ò Ó Ô Õ Ö ×
	8.66, 8.05, 8.05, 8.05, 8.05, 6.77, 6.66, 6.82, // Ø Ù Ú Û Ü Ý Þ ß
	6.61, 6.61, 6.61, 6.61, 6.61, 6.61, 10.51, 5.73, // à á â ã ä å æ ç
	6.55, 6.55, 6.55, 6.55, 3.02, 3.02, 3.02, 3.02, // è é ê ë ì í î ï
	6.73, 6.96, 6.68, 6.68, 6.68, 6.68, 6.68, 9, // ð ñ ò ó ô õ ö ÷
	6.68, 6.96, 6.96, 6.96, 6.96, 6.51, 6.85, // ø ù ú û ü ý þ
}

// runeWidth is the 11px Verdana advance width of r as anafanafo reports it.
func runeWidth(r rune) float64 {
	switch {
	case r < 0x20 || r == 0x7f:
		return 0
	case r < 0x7f:
		return asciiWidths[r-0x20]
	case r >= 0xa0 && r < 0xff:
		return latin1Widths[r-0xa0]
	default:
		return emWidth
	}
}

// textWidth is the width of s in 11px Verdana, as anafanafo computes it.
func textWidth(s string) float64 {
	var w float64
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// preferredWidth is the integer width badge-maker reserves for s: the
// truncated text width, rounded up to an odd number.
func preferredWidth(s string) int {
	w := int(textWidth(s))
	if w%2 == 0 {
		w++
	}
	return w
}
