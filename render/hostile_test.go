package render

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/regcat/regcat/snapshot"
)

// hostileSnapshot is the fixture with invalid UTF-8 added, which a
// snapshot on disk cannot hold (JSON encoding replaces it).
func hostileSnapshot() *snapshot.Snapshot {
	s := fixture()
	for i := range s.Repositories {
		if s.Repositories[i].Name == "evil" {
			l := s.Repositories[i].Images[0].Platforms[0].Config.Labels
			l["org.opencontainers.image.licenses"] = "MIT\xff\xfe<b>"
			l["com.example.bytes"] = "\xc3\x28 \xed\xa0\x80 end"
			l["org.opencontainers.image.description"] += "\n\ninvalid \xff utf-8"
			// A base that names a real repository with a hostile tag:
			// shown on the image page and in the lint findings.
			s.Repositories[i].Images[0].Annotations["org.opencontainers.image.base.name"] = "registry.example.test:5000/base/alpine:\u202e<img src=x onerror=alert(12)>\x00"
		}
	}
	return s
}

// TestHostileTextIsInert renders hostile labels and checks properties of
// every page rather than exact bytes: the only elements and attributes
// are the templates' own, no link or source has a scheme other than
// http(s), no bidirectional formatting or control character survives, and
// every file is valid UTF-8.
func TestHostileTextIsInert(t *testing.T) {
	site := readTree(t, renderTo(t, Config{}, hostileSnapshot()))
	allowed := map[string]bool{
		"html": true, "head": true, "body": true, "meta": true, "title": true, "link": true, "script": true,
		"a": true, "header": true, "nav": true, "main": true, "footer": true, "div": true, "section": true,
		"p": true, "span": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
		"table": true, "caption": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
		"code": true, "time": true, "button": true, "ul": true, "ol": true, "li": true, "dl": true, "dt": true, "dd": true,
		"details": true, "summary": true, "strong": true, "em": true, "img": true, "label": true, "input": true, "output": true,
		"pre": true, "blockquote": true, "hr": true, "br": true, "del": true, "abbr": true,
		// The lineage graph, inline SVG (chart.go).
		"figure": true, "figcaption": true, "svg": true, "desc": true, "g": true, "rect": true, "line": true, "text": true,
	}
	for name, b := range site {
		if !utf8.Valid(b) {
			t.Errorf("%s: not valid UTF-8", name)
		}
		for _, r := range string(b) {
			if isBidiControl(r) || (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
				t.Errorf("%s: holds character %U", name, r)
				break
			}
		}
		if strings.HasSuffix(name, ".json") {
			if !json.Valid(b) {
				t.Errorf("%s: invalid JSON", name)
			}
			continue
		}
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				if !allowed[n.Data] {
					t.Errorf("%s: element <%s> from outside the templates", name, n.Data)
				}
				for _, a := range n.Attr {
					if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "srcdoc" || a.Key == "formaction" {
						t.Errorf("%s: attribute %s=%q on <%s>", name, a.Key, a.Val, n.Data)
					}
					if a.Key == "href" || a.Key == "src" || a.Key == "action" {
						v := strings.ToLower(strings.TrimSpace(a.Val))
						if i := strings.IndexAny(v, ":/?#"); i >= 0 && v[i] == ':' && !strings.HasPrefix(v, "http:") && !strings.HasPrefix(v, "https:") {
							t.Errorf("%s: <%s %s=%q>", name, n.Data, a.Key, a.Val)
						}
					}
				}
				switch n.Data {
				case "script":
					if src := attr(n, "src"); !strings.HasSuffix(src, "assets/site.js") || n.FirstChild != nil {
						t.Errorf("%s: script other than assets/site.js: src=%q", name, src)
					}
				case "img":
					if src := attr(n, "src"); !strings.HasSuffix(src, "assets/favicon.svg") && !badgeImage.MatchString(src) && src != sizeChartFile {
						t.Errorf("%s: image %q", name, src)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
	// The hostile text is there, as text.
	text := textOf(t, site["r/evil/index.html"]) + textOf(t, site["r/evil/"+imageFile(dg("manifest evil amd64"))])
	for _, want := range []string{`<script>alert("title")</script>`, "evil\ufffdexe.txt", `"><svg onload=alert(7)>`, "MIT\ufffd\ufffd<b>",
		"base/alpine:\ufffd<img src=x onerror=alert(12)>\ufffd: the tag \"\\u202e<img src=x onerror=alert(12)>\\x00\" is not in the catalog"} {
		if !strings.Contains(text, want) {
			t.Errorf("evil pages do not show %q as text", want)
		}
	}
}

// badgeImage matches the src of a badge on a repository or image page.
var badgeImage = regexp.MustCompile(`^\.\./\.\./badges/[a-z0-9._/-]+/[a-z]+\.svg$`)

// textOf returns the text content of an HTML page.
func textOf(t *testing.T, b []byte) string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return rawText(doc, nil)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
