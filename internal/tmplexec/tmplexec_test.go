package tmplexec

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"math/rand/v2"
	"strings"
	"testing"
)

type named string

type stringer int

func (s stringer) String() string { return fmt.Sprintf("<stringer %d>", int(s)) }

type inner struct{ Deep string }

type stamp struct{ At, Text string }

type item struct {
	inner
	Name   string
	Tags   []string
	Size   int
	Count  uint
	Ratio  float64
	On     bool
	Ptr    *item
	M      map[string]int
	Any    any
	HTML   template.HTML
	URL    template.URL
	Named  named
	Str    stringer
	Items  []item
	When   stamp
	Other  stamp
	hidden string //lint:ignore U1000 read by a template, which html/template refuses
}

func (i *item) PtrMethod() string { return "ptr:" + i.Name }

func (i item) ValMethod() (string, error) {
	if i.Name == "fail" {
		return "", errors.New("method failed")
	}
	return "val:" + i.Name, nil
}

var testFuncs = template.FuncMap{
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	"join": func(sep string, parts ...string) string { return strings.Join(parts, sep) },
	"fail": func() (string, error) { return "", errors.New("fail called") },
	"boom": func() string { panic("boom") },
	"anyv": func(v any) any { return v },
}

func hostileItem() *item {
	return &item{
		inner: inner{Deep: "deep<&>"},
		Name:  "a<b>&\"c'+\x00d\xff\u2028é",
		Tags:  []string{"v1", "<x>", "latest"},
		Size:  3,
		Count: 3,
		Ratio: 0.5,
		On:    true,
		Ptr:   &item{Name: "child"},
		M:     map[string]int{"b": 2, "a": 1, "c<": 3},
		Any:   "any'value",
		HTML:  template.HTML(`<b title="x">bold</b> &amp; more`),
		URL:   template.URL("javascript:alert(1)"),
		Named: named("named<"),
		Str:   stringer(7),
		Items: []item{{Name: "one", Size: 1}, {Name: "two", Size: 2}, {Name: "fail", Size: 0}},
		When:  stamp{"2024", "then"},
		Other: stamp{"2025", "later"},
	}
}

// TestExecute compares the compiled templates' output and errors with
// html/template's, and checks they ran compiled where they should.
func TestExecute(t *testing.T) {
	cases := []struct {
		name, src string
		data      any
		compiled  bool // Compile compiles it
		fallback  bool // an execution is left to html/template
	}{
		{"text", `<p>{{.Name}} {{.Deep}} {{.Size}} {{.Count}} {{.Ratio}} {{.On}}</p>`, hostileItem(), true, false},
		{"attributes", `<a title="{{.Name}}" data-x='{{.Named}}' class={{.Tags}}>x</a>`, hostileItem(), false, false},
		{"quoted attributes", `<a title="{{.Name}}" data-x='{{.Named}}' data-s="{{.Str}}">x</a>`, hostileItem(), true, false},
		{"urls", `<a href="{{.Name}}">1</a><a href="{{.URL}}">2</a><a href="../{{.Named}}/x.html#{{.Size}}">3</a><a href="?q={{.Name}}&r={{.URL}}">4</a>`, hostileItem(), true, false},
		{"rcdata", `<title>{{.Name}} {{.HTML}}</title><textarea>{{.HTML}}</textarea>`, hostileItem(), true, false},
		{"html value", `<div>{{.HTML}}</div>`, hostileItem(), true, false},
		{"html in an attribute", `<a title="{{.HTML}}">x</a>`, hostileItem(), true, true},
		{"script", `<script>var x = {{.Name}};</script>`, hostileItem(), false, false},
		{"ranges", `{{range $i, $t := .Tags}}{{if $i}}, {{end}}{{$i}}={{$t}}{{else}}none{{end}}|{{range .M}}{{.}}{{end}}|{{range $k, $v := .M}}{{$k}}:{{$v}};{{end}}|{{range 3}}{{.}}{{end}}|{{range .Ptr.Tags}}x{{else}}empty{{end}}`, hostileItem(), true, false},
		{"break and continue", `{{range .Tags}}{{if eq . "<x>"}}{{continue}}{{end}}{{if eq . "latest"}}{{break}}{{end}}[{{.}}]{{end}}`, hostileItem(), true, false},
		{"if with else", `{{if .Ptr.Ptr}}a{{else if .Ptr}}b{{.Ptr.Name}}{{end}}{{with .Ptr}}{{.Name}}{{$.Name}}{{else}}none{{end}}{{with .Any}}{{.}}{{end}}{{with .HTML}}{{.}}{{end}}`, hostileItem(), true, false},
		{"variables", `{{$x := .Name}}{{$y := 1}}{{range .Tags}}{{$x = .}}{{$y}}{{end}}{{$x}}{{with .Ptr}}{{$x := .Name}}{{$x}}{{end}}{{$x}}{{$.Size}}`, hostileItem(), true, false},
		{"range assigns", `{{$i := 0}}{{$t := ""}}{{range $i, $t = .Tags}}{{end}}{{$i}}{{$t}}`, hostileItem(), true, false},
		{"templates", `{{define "t"}}<i>{{.}}</i>{{end}}{{define "r"}}{{if .}}{{template "r" slice . 1}}{{end}}{{end}}{{template "t" .Name}}{{template "t"}}{{range .Items}}{{template "t" .Name}}{{end}}`, hostileItem(), true, false},
		{"template in an attribute", `{{define "t"}}{{.}}{{end}}<a title="{{template "t" .Name}}">{{template "t" .Name}}</a>`, hostileItem(), false, false},
		{"recursion", `{{define "n"}}{{.Name}}{{with .Ptr}}>{{template "n" .}}{{end}}{{end}}{{template "n" .}}`, &item{Name: "a", Ptr: &item{Name: "b", Ptr: &item{Name: "c"}}}, true, false},
		{"comparisons", `{{eq .Size 3}}{{eq .Size .Count}}{{eq .Name "x" "y"}}{{ne .Size 2}}{{lt .Size 4}}{{le .Count 3}}{{gt .Ratio 0.25}}{{ge .Name "a"}}{{eq .Named "named<"}}{{lt -1 .Count}}`, hostileItem(), true, false},
		{"struct comparisons", `{{eq .When .Other}}{{ne .When .When}}{{eq .Ptr .Ptr}}{{eq .Ptr.Ptr .Ptr.Ptr}}{{eq .Ptr .Ptr.Ptr}}{{range .Items}}{{if ne .When $.When}}x{{end}}{{end}}`, hostileItem(), true, false},
		{"slice comparison", `{{eq .Tags .Tags}}`, hostileItem(), true, true},
		{"logic", `{{and .On .Size .Name}}|{{or .Ptr.Ptr .Any}}|{{or 0 ""}}|{{not .On}}|{{len .Tags}}|{{len .M}}|{{len .Name}}|{{if and .On (not .Ptr.Ptr)}}y{{end}}|{{.Size | not}}|{{"x" | or false}}`, hostileItem(), true, false},
		{"functions", `{{plural .Size "tag" "tags"}} {{plural (len .Items) "item" "items"}} {{plural 1 "x" "y"}} {{join ", " "a" .Name}} {{join "-"}} {{.Name | join "+" "z"}} {{anyv .Size}} {{anyv "s" | len}}`, hostileItem(), true, false},
		{"methods", `{{.PtrMethod}} {{.ValMethod}} {{range .Items}}{{.PtrMethod}} {{end}}`, hostileItem(), true, false},
		{"method error", `{{range .Items}}{{.ValMethod}} {{end}}`, hostileItem(), true, true},
		{"function error", `a{{fail}}`, hostileItem(), true, true},
		{"function panic", `a{{boom}}`, hostileItem(), true, true},
		{"missing key", `{{.M.a}}{{.M.zz}}`, hostileItem(), true, true},
		{"missing field", `{{.Name}}{{.Nope}}`, hostileItem(), true, true},
		{"unexported field", `{{.hidden}}`, hostileItem(), true, true},
		{"nil pointer", `{{.Ptr.Ptr.Name}}`, hostileItem(), true, true},
		{"interfaces", `{{.Any}} {{anyv .Ptr}} {{anyv .Ptr.Ptr}} {{.Str}}`, hostileItem(), true, false},
		{"nil argument", `{{anyv nil}}`, hostileItem(), false, false},
		{"nil data", `<p>{{.}}</p>{{if .}}x{{end}}`, nil, true, false},
		{"map data", `{{.a}} {{range $k, $v := .}}{{$k}}{{$v}}{{end}}`, map[string]any{"a": "<1>", "b": 2}, true, false},
		{"index", `{{index .Tags 1}}`, hostileItem(), false, false},
		{"printf", `{{printf "%d-%s" .Size .Name}}`, hostileItem(), false, false},
		{"comments and trims", "{{/* c */}}a  {{- .Size -}}  b", hostileItem(), true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := executeStd(t, tc.src, tc.data)
			std := parseStd(t, tc.src)
			tmpl, err := Compile(std, testFuncs)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if got := tmpl.Err() == nil; got != tc.compiled {
				t.Errorf("compiled = %v (%v), want %v", got, tmpl.Err(), tc.compiled)
			}
			var buf bytes.Buffer
			buf.WriteString("kept:")
			gotErr := tmpl.Execute(&buf, tc.data)
			if got := strings.TrimPrefix(buf.String(), "kept:"); got != want || !strings.HasPrefix(buf.String(), "kept:") {
				t.Errorf("output\n got %q\nwant %q", buf.String(), want)
			}
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("error %v, want %v", gotErr, wantErr)
			}
			if got := tmpl.Fallbacks() > 0; got != tc.fallback {
				t.Errorf("fell back = %v, want %v", got, tc.fallback)
			}
		})
	}
}

func parseStd(t *testing.T, src string) *template.Template {
	t.Helper()
	return template.Must(template.New("page").Funcs(testFuncs).Option("missingkey=error").Parse(src))
}

// executeStd is what html/template writes and returns for src and data.
func executeStd(t *testing.T, src string, data any) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	err := parseStd(t, src).Execute(&buf, data)
	return buf.String(), err
}

// contexts are the places in a page the escapers compiled here serve.
var contexts = []string{
	`<p>{{.}}</p>`,
	`<a title="{{.}}">`,
	`<a title='{{.}}'>`,
	`<a href="{{.}}">`,
	`<a href="/x/{{.}}#{{.}}">`,
	`<a href="?q={{.}}">`,
	`<img src="{{.}}">`,
	`<title>{{.}}</title>`,
	`<textarea>{{.}}</textarea>`,
}

// TestEscapers checks the compiled escapers against html/template's on
// strings of every byte and on random ones, as plain strings and as the
// typed strings they treat apart.
func TestEscapers(t *testing.T) {
	inputs := []string{"", "plain", "javascript:alert(1)", "JavaScript:x", "mailto:a@b", "HTTPS://x/y?z=1&w=2", "//host/x", "/a:b", "a/b:c",
		"%41%zz%4", "%", "a b\tc\nd", "\ufdd0\ufffe\uffff\u2028\x7f", "é日本", "\xff\xfe", "&amp;&lt;", "<b>x</b>", "x'y\"z+w"}
	for c := range 256 {
		inputs = append(inputs, string([]byte{byte(c)}), "a"+string(rune(c))+"b")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ09 -._~!#$&*+,/:;=?@[]%'\"<>\\\x00\x01\x7f\xc3\xa9\xe2\x80\xa8\xff")
	for range 300 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for _, ctx := range contexts {
		std := template.Must(template.New("").Parse(ctx))
		tmpl, err := Compile(template.Must(std.Clone()), nil)
		if err != nil || tmpl.Err() != nil {
			t.Fatalf("%s: not compiled: %v %v", ctx, err, tmpl.Err())
		}
		for _, in := range inputs {
			for _, v := range []any{in, template.HTML(in), template.URL(in), named(in), template.CSS(in)} {
				checkSame(t, std, tmpl, ctx, v)
			}
		}
		ptr, htmlPtr, cssPtr := "p<tr>", template.HTML("<b>h</b>"), template.CSS("a<b")
		for _, v := range []any{7, -3, uint8(200), 2.5, true, stringer(4), &ptr, &htmlPtr, &cssPtr, template.JSStr("j'<"), nil, []string{"a", "<b>"}, errors.New("e<rr>")} {
			checkSame(t, std, tmpl, ctx, v)
		}
	}
}

func checkSame(t *testing.T, std *template.Template, tmpl *Template, ctx string, v any) {
	t.Helper()
	var want, got bytes.Buffer
	wantErr := std.Execute(&want, v)
	gotErr := tmpl.Execute(&got, v)
	if got.String() != want.String() || (gotErr == nil) != (wantErr == nil) {
		t.Errorf("%s with %T %q:\n got %q %v\nwant %q %v", ctx, v, fmt.Sprint(v), got.String(), gotErr, want.String(), wantErr)
	}
}

// FuzzEscapers is TestEscapers on fuzzed strings.
func FuzzEscapers(f *testing.F) {
	for _, s := range []string{"", "a<b", "javascript:x", "%41%zz", "\x00\xff", "a b+c"} {
		f.Add(s)
	}
	type compiledCtx struct {
		std  *template.Template
		tmpl *Template
	}
	var all []compiledCtx
	for _, ctx := range contexts {
		std := template.Must(template.New("").Parse(ctx))
		tmpl, err := Compile(template.Must(std.Clone()), nil)
		if err != nil {
			f.Fatal(err)
		}
		all = append(all, compiledCtx{std, tmpl})
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, c := range all {
			for _, v := range []any{s, template.HTML(s), template.URL(s)} {
				checkSame(t, c.std, c.tmpl, contexts[i], v)
			}
		}
	})
}
