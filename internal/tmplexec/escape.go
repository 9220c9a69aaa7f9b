package tmplexec

import (
	"fmt"
	"html/template"
	"reflect"
	"strconv"
	"strings"
)

// contentType is what html/template knows a value to be, as far as the
// escapers below tell: plain text, or one of the typed strings they let
// through. Its other typed strings (template.CSS, HTMLAttr, JS, JSStr,
// Srcset) are plain text to them.
type contentType int

const (
	contentPlain contentType = iota
	contentHTML
	contentURL
)

// escaper is one of html/template's escaping functions, given its
// argument as a string and its content type.
type escaper func(s string, t contentType) (string, error)

// escapers are html/template's escaping functions compiled here, by the
// names html/template gives them in escaped trees. Each gives the
// output of html/template's function of the same name (see
// TestEscapers); an action using any other is left to html/template.
var escapers = map[string]escaper{
	"_html_template_htmlescaper": func(s string, t contentType) (string, error) {
		if t == contentHTML {
			return s, nil
		}
		return replace(s, &htmlTable), nil
	},
	"_html_template_attrescaper": func(s string, t contentType) (string, error) {
		if t == contentHTML {
			return "", unsupported("HTML in an attribute") // html/template strips its tags
		}
		return replace(s, &htmlTable), nil
	},
	"_html_template_rcdataescaper": func(s string, t contentType) (string, error) {
		if t == contentHTML {
			return replace(s, &htmlNormTable), nil
		}
		return replace(s, &htmlTable), nil
	},
	"_html_template_urlfilter": func(s string, t contentType) (string, error) {
		if t != contentURL && !isSafeURL(s) {
			return "#ZgotmplZ", nil
		}
		return s, nil
	},
	"_html_template_urlnormalizer": func(s string, _ contentType) (string, error) {
		return processURL(s, true), nil
	},
	"_html_template_urlescaper": func(s string, t contentType) (string, error) {
		return processURL(s, t == contentURL), nil
	},
}

// replacements maps the ASCII bytes an escaper replaces to what replaces
// them. The bytes are all below 0x80, so replacing bytes is replacing
// runes: no byte of a multi-byte UTF-8 sequence (or of invalid UTF-8,
// which html/template leaves as it is) is one of them.
type replacements [128]string

// htmlTable and htmlNormTable are html/template's htmlReplacementTable
// and htmlNormReplacementTable: the latter leaves '&' alone.
var (
	htmlTable = replacements{
		0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;",
	}
	htmlNormTable = replacements{
		0: "\uFFFD", '"': "&#34;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;",
	}
)

// replace replaces the bytes of s that table has replacements for; s
// itself when it has none.
func replace(s string, table *replacements) string {
	i := 0
	for i < len(s) && (s[i] >= 0x80 || table[s[i]] == "") {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	written := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x80 && table[c] != "" {
			b.WriteString(s[written:i])
			b.WriteString(table[c])
			written = i + 1
		}
	}
	b.WriteString(s[written:])
	return b.String()
}

// isSafeURL is html/template's test for a URL an attribute may hold:
// relative, or with the scheme http, https or mailto.
func isSafeURL(s string) bool {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "mailto")
	}
	return true
}

// processURL percent-encodes the bytes of s that html/template's
// urlProcessor encodes: when norm, everything but unreserved and
// reserved characters and valid escapes; otherwise reserved characters
// too.
func processURL(s string, norm bool) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlKept(s, i, norm) {
			continue
		}
		if written == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[written:i])
		b.WriteByte('%')
		b.WriteByte("0123456789abcdef"[c>>4])
		b.WriteByte("0123456789abcdef"[c&15])
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// urlKept says whether processURL leaves s[i] as it is.
func urlKept(s string, i int, norm bool) bool {
	switch c := s[i]; c {
	case '!', '#', '$', '&', '*', '+', ',', '/', ':', ';', '=', '?', '@', '[', ']':
		return norm
	case '-', '.', '_', '~':
		return true
	case '%':
		return norm && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
	default:
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

var (
	stringType    = reflect.TypeFor[string]()
	htmlType      = reflect.TypeFor[template.HTML]()
	urlType       = reflect.TypeFor[template.URL]()
	stringerType  = reflect.TypeFor[fmt.Stringer]()
	formatterType = reflect.TypeFor[fmt.Formatter]()
)

// stringify is the string an escaper makes of v, and its content type,
// as html/template's stringify gives them for one argument.
func stringify(v reflect.Value) (string, contentType, error) {
	if !v.IsValid() {
		return "", contentPlain, nil
	}
	typ := v.Type()
	switch typ {
	case stringType:
		return v.String(), contentPlain, nil
	case htmlType:
		return v.String(), contentHTML, nil
	case urlType:
		return v.String(), contentURL, nil
	}
	if !typ.Implements(stringerType) && !typ.Implements(errorType) && !typ.Implements(formatterType) {
		// fmt.Sprint prints these as strconv does.
		switch basicKind(v) {
		case stringKind:
			return v.String(), contentPlain, nil
		case intKind:
			return strconv.FormatInt(v.Int(), 10), contentPlain, nil
		case uintKind:
			return strconv.FormatUint(v.Uint(), 10), contentPlain, nil
		case boolKind:
			return strconv.FormatBool(v.Bool()), contentPlain, nil
		}
	}
	return stringifyAny(v.Interface())
}

// stringifyAny is stringify for any other value: html/template's own
// code for one argument.
func stringifyAny(a any) (string, contentType, error) {
	if a == nil {
		return "", contentPlain, nil
	}
	switch s := indirectAny(a).(type) {
	case string:
		return s, contentPlain, nil
	case template.HTML:
		return string(s), contentHTML, nil
	case template.URL:
		return string(s), contentURL, nil
	}
	return fmt.Sprint(indirectToStringerOrError(a)), contentPlain, nil
}

// indirectAny is a with its pointers followed, to a nil one at most.
func indirectAny(a any) any {
	v := reflect.ValueOf(a)
	if v.Kind() != reflect.Pointer {
		return a
	}
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return v.Interface()
}

// indirectToStringerOrError follows a's pointers until one is nil or
// is a fmt.Stringer or an error.
func indirectToStringerOrError(a any) any {
	v := reflect.ValueOf(a)
	for !v.Type().Implements(stringerType) && !v.Type().Implements(errorType) && v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return v.Interface()
}
