package badge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// hostileTexts are labels and messages meant to break out of markup,
// reorder text or upset an XML parser.
var hostileTexts = []string{
	`<script>alert(1)</script>`,
	`"><svg onload=alert(1)>`,
	`' onmouseover='x`,
	`]]><![CDATA[`,
	`<!-- -->`,
	`&amp; &#x3c; &lt;`,
	"\x00\x01\x08\x0b\x0c\x1f\x7f",
	"\u202eevil\u202c \u2066iso\u2069",
	"\xff\xfe\xc3\x28",
	"\ud7ff\ue000\ufffd\ufffe\uffff\U0010ffff",
	strings.Repeat("W", 1000),
	"",
}

// checkBadge asserts the properties every drawn badge has, whatever the
// input: it parses as strict XML, contains only badge markup and no
// script, its accessible name equals its title and the visible text, and
// its width matches Width and the endpoint JSON's text.
func checkBadge(b Badge, s Style) error {
	svg := SVG(b, s)
	elems, err := parseSVG(svg)
	if err != nil {
		return fmt.Errorf("invalid XML: %w", err)
	}
	if err := checkMarkup(elems); err != nil {
		return err
	}
	if bytes.Contains(bytes.ToLower(svg), []byte("<script")) {
		return fmt.Errorf("contains <script")
	}
	for _, r := range "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" {
		if bytes.ContainsRune(svg, r) {
			return fmt.Errorf("contains bidi control %U", r)
		}
	}
	root := elems[0].attrs
	var title string
	for _, e := range elems {
		if e.name == "title" {
			title = e.text
		}
	}
	if root["aria-label"] != title {
		return fmt.Errorf("aria-label %q != title %q", root["aria-label"], title)
	}
	var e endpoint
	if err := json.Unmarshal(Endpoint(b), &e); err != nil {
		return fmt.Errorf("endpoint JSON: %w", err)
	}
	alt, texts := e.Message, []string{e.Message}
	if e.Label != "" {
		alt, texts = e.Label+": "+e.Message, []string{e.Label, e.Message}
	}
	if e.Message == "" {
		texts = texts[:len(texts)-1]
	}
	if title != alt {
		return fmt.Errorf("title %q, want %q", title, alt)
	}
	if got := visibleTexts(elems); strings.Join(got, "\x00") != strings.Join(texts, "\x00") {
		return fmt.Errorf("visible texts %q, want %q", got, texts)
	}
	if root["width"] != fmt.Sprint(Width(b)) || root["height"] != fmt.Sprint(Height) {
		return fmt.Errorf("size %s×%s, want %d×%d", root["width"], root["height"], Width(b), Height)
	}
	return nil
}

func TestSVGHostile(t *testing.T) {
	for i, label := range hostileTexts {
		for j, message := range hostileTexts {
			for _, s := range []Style{Flat, FlatSquare} {
				b := Badge{label, message, hostileTexts[(i+j)%len(hostileTexts)]}
				if err := checkBadge(b, s); err != nil {
					t.Errorf("SVG(%q, %q, %v): %v", label, message, s, err)
				}
			}
		}
	}
}

func FuzzSVG(f *testing.F) {
	for _, s := range hostileTexts {
		f.Add(s, s, "blue", false)
	}
	f.Add("build", "passing", "brightgreen", true)
	f.Add("", "1.0", "#ff0", false)
	f.Fuzz(func(t *testing.T, label, message, color string, square bool) {
		s := Flat
		if square {
			s = FlatSquare
		}
		if err := checkBadge(Badge{label, message, color}, s); err != nil {
			t.Errorf("SVG(%q, %q, %q, %v): %v", label, message, color, s, err)
		}
	})
}
