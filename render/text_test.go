package render

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a\r\nb\rc", "a\nb\nc"},
		{"bad \xff byte", "bad \ufffd byte"},
		{"rlo\u202eexe.txt", "rlo\ufffdexe.txt"},
		{"\u2066isolate\u2069 \u200emark", "\ufffdisolate\ufffd \ufffdmark"},
		{"nul\x00 esc\x1b c1\u0085", "nul\ufffd esc\ufffd c1\ufffd"},
		{"tab\tok", "tab\tok"},
		{"עברית and عربي", "עברית and عربي"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := clean(tt.in); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWebURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/a?b=c#d", "https://example.com/a?b=c#d"},
		{" http://example.com ", "http://example.com"},
		{"javascript:alert(1)", ""},
		{"JaVaScRiPt:alert(1)", ""},
		{"data:text/html,x", ""},
		{"//example.com/x", ""},
		{"/relative", ""},
		{"https://user:pass@example.com/", ""},
		{"https://exa mple.com", ""},
		{"https://", ""},
		{"https://example.com/\u202e", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := webURL(tt.in); got != tt.want {
				t.Errorf("webURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCommitURL(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct{ source, rev, want string }{
		{"https://github.com/o/r", rev, "https://github.com/o/r/commit/" + rev},
		{"https://github.com/o/r.git", "abc1234", "https://github.com/o/r/commit/abc1234"},
		{"https://www.github.com/o/r/tree/main", "abc1234", "https://github.com/o/r/commit/abc1234"},
		{"https://gitlab.com/g/sub/r.git", "abc1234", "https://gitlab.com/g/sub/r/-/commit/abc1234"},
		{"https://gitlab.com/g/r/-/tree/main", "abc1234", "https://gitlab.com/g/r/-/commit/abc1234"},
		{"https://codeberg.org/o/r", "abc1234", "https://codeberg.org/o/r/commit/abc1234"},
		{"https://bitbucket.org/o/r", "abc1234", "https://bitbucket.org/o/r/commits/abc1234"},
		{"https://example.com/o/r", "abc1234", ""},
		{"https://github.com/o", "abc1234", ""},
		{"https://github.com/o/r", "v1.0.0", ""},
		{"https://github.com/o/r", `"><script>`, ""},
		{"git@github.com:o/r.git", "abc1234", ""},
		{"javascript:alert(1)//github.com/o/r", "abc1234", ""},
	}
	for _, tt := range tests {
		t.Run(tt.source+" "+tt.rev, func(t *testing.T) {
			if got := commitURL(tt.source, tt.rev); got != tt.want {
				t.Errorf("commitURL(%q, %q) = %q, want %q", tt.source, tt.rev, got, tt.want)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name, in    string
		want, never []string
	}{
		{name: "raw html omitted", in: "a <script>alert(1)</script> <img src=x onerror=alert(2)>",
			never: []string{"<script", "<img", "onerror"}},
		{name: "javascript link unwrapped", in: "[click](javascript:alert(1))",
			want: []string{"click"}, never: []string{"href", "javascript"}},
		{name: "relative link unwrapped", in: "[docs](docs/README.md)",
			want: []string{"docs"}, never: []string{"href"}},
		{name: "web link kept", in: "[docs](https://example.com/d)",
			want: []string{`<a href=https://example.com/d rel="nofollow noopener noreferrer">docs</a>`}},
		{name: "image becomes link", in: "![logo](https://example.com/l.png)",
			want: []string{`<a href=https://example.com/l.png rel="nofollow noopener noreferrer">logo</a>`}, never: []string{"<img"}},
		{name: "data image dropped", in: "![x](data:image/png;base64,AAAA)", want: []string{"x"}, never: []string{"<img", "data:"}},
		{name: "autolink", in: "<https://example.com>", want: []string{`href=https://example.com `}},
		{name: "script autolink", in: "<javascript:alert(1)>", never: []string{"href"}},
		{name: "email autolink", in: "<me@example.com>", want: []string{"me@example.com"}, never: []string{"mailto", "href"}},
		{name: "headings move down", in: "# Title\n\n## Sub", want: []string{"<h3>Title</h3>", "<h4>Sub</h4>"}},
		{name: "bidi cleaned", in: "a\u202eb", want: []string{"a\ufffdb"}},
	}
	md := newMarkdown(newMinifier())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := md.html(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(h), w) {
					t.Errorf("html(%q) = %q, want it to contain %q", tt.in, h, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(string(h), n) {
					t.Errorf("html(%q) = %q, holds %q", tt.in, h, n)
				}
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	md := newMarkdown(newMinifier())
	tests := []struct{ in, want string }{
		{"# Title\n\nFirst **bold** [link](https://x.example) `code`.\nMore.\n\nSecond.", "First bold link code. More."},
		{"<b>raw</b> text", "raw text"},
		{strings.Repeat("word ", 100), strings.Repeat("word ", 40)[:199] + "…"},
	}
	for _, tt := range tests {
		if got := md.excerpt(tt.in); got != tt.want {
			t.Errorf("excerpt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
