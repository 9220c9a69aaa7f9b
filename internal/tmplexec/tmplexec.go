// Package tmplexec executes html/template templates faster, with the
// same output. html/template escapes a template by adding escaping
// functions to its parse tree, then executes that tree with
// text/template, which looks up every field by name and calls every
// function, escapers included, through reflection on each action.
// Compile turns the escaped tree into Go closures once: fields are
// looked up once per type, the escapers and built-in functions are
// called directly, and escaped text is written straight to the page.
//
// What Compile does not know how to run exactly as text/template does
// (a construct, a function, a content type it does not handle) is left
// to html/template: a template that cannot be compiled is executed by
// html/template, and an execution that meets a value it does not handle,
// or fails, is started again by html/template, so output and errors are
// always html/template's.
package tmplexec

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"sync"
	"sync/atomic"
)

// Template is a compiled html/template template. Its methods are safe
// for concurrent use.
type Template struct {
	std  *template.Template
	root *compiled // nil when the template could not be compiled
	err  error     // why root is nil
	// fallbacks counts executions left to html/template after the
	// compiled form stopped.
	fallbacks atomic.Int64
}

// Compile escapes t, by executing it once on no data (the output is
// discarded, and any execution error too), and compiles its escaped
// tree, with funcs the functions t was parsed with. t must not be
// changed afterwards. Compile fails only when html/template cannot
// escape t; a template it cannot compile is executed by html/template
// (see Err).
func Compile(t *template.Template, funcs template.FuncMap) (*Template, error) {
	var escErr *template.Error
	if err := t.Execute(io.Discard, nil); errors.As(err, &escErr) {
		return nil, err
	}
	c := &compiler{std: t, funcs: funcs, done: map[string]*compiled{}}
	root, err := c.template(t.Name())
	if err != nil {
		return &Template{std: t, err: err}, nil
	}
	return &Template{std: t, root: root}, nil
}

// Err says why the template is executed by html/template, or is nil
// when it is compiled.
func (t *Template) Err() error { return t.err }

// Fallbacks is how many executions the compiled template left to
// html/template so far.
func (t *Template) Fallbacks() int64 { return t.fallbacks.Load() }

// Execute applies the template to data and appends the output to w, as
// html/template's Execute would.
func (t *Template) Execute(w *bytes.Buffer, data any) error {
	if t.root != nil {
		n := w.Len()
		if err := t.run(w, data); err == nil {
			return nil
		}
		w.Truncate(n)
		t.fallbacks.Add(1)
	}
	return t.std.Execute(w, data)
}

var states = sync.Pool{New: func() any { return new(state) }}

func (t *Template) run(w *bytes.Buffer, data any) (err error) {
	s := states.Get().(*state)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: panic: %v", errUnsupported, r)
		}
		clear(s.vars)
		*s = state{vars: s.vars[:0]}
		states.Put(s)
	}()
	s.w = w
	dot, ok := data.(reflect.Value)
	if !ok {
		dot = reflect.ValueOf(data)
	}
	s.push("$", dot)
	return t.root.exec(s, dot)
}

// errUnsupported marks what the compiled form leaves to html/template.
var errUnsupported = errors.New("left to html/template")

// unsupported is an errUnsupported error saying what.
func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUnsupported, fmt.Sprintf(format, args...))
}

// state is one execution's writer and variables.
type state struct {
	w     *bytes.Buffer
	vars  []variable // of every template being executed, innermost last
	base  int        // where the innermost template's variables start
	depth int        // of template calls
}

type variable struct {
	name  string
	value reflect.Value
}

// maxDepth is text/template's limit on nested template calls.
const maxDepth = 100000

func (s *state) push(name string, v reflect.Value) {
	s.vars = append(s.vars, variable{name, v})
}

func (s *state) mark() int { return len(s.vars) }

func (s *state) pop(mark int) {
	clear(s.vars[mark:])
	s.vars = s.vars[:mark]
}

func (s *state) lookup(name string) (*variable, error) {
	for i := len(s.vars) - 1; i >= s.base; i-- {
		if s.vars[i].name == name {
			return &s.vars[i], nil
		}
	}
	return nil, unsupported("undefined variable %s", name)
}
