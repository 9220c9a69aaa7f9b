package tmplexec

import (
	"cmp"
	"reflect"
	"slices"
	"text/template/parse"
)

// ifWith compiles {{if}} or, with with set, {{with}}.
func (c *compiler) ifWith(p *parse.PipeNode, list, elseList *parse.ListNode, with bool) (execFn, error) {
	pipe, err := c.pipeline(p)
	if err != nil {
		return nil, err
	}
	then, err := c.list(list)
	if err != nil {
		return nil, err
	}
	otherwise, err := c.list(elseList)
	if err != nil {
		return nil, err
	}
	return func(s *state, dot reflect.Value) error {
		mark := s.mark()
		defer s.pop(mark)
		v, err := pipe(s, dot)
		if err != nil {
			return err
		}
		truth, ok := isTrue(indirectInterface(v))
		switch {
		case !ok:
			return unsupported("if/with on %v", v)
		case truth && with:
			return then(s, v)
		case truth:
			return then(s, dot)
		}
		return otherwise(s, dot)
	}, nil
}

// rangeNode compiles {{range}} over slices, arrays, maps with string or
// integer keys, and integers.
func (c *compiler) rangeNode(n *parse.RangeNode) (execFn, error) {
	pipe, err := c.pipeline(n.Pipe)
	if err != nil {
		return nil, err
	}
	body, err := c.list(n.List)
	if err != nil {
		return nil, err
	}
	otherwise, err := c.list(n.ElseList)
	if err != nil {
		return nil, err
	}
	it := iteration{body: body, assign: n.Pipe.IsAssign}
	for _, d := range n.Pipe.Decl {
		it.decl = append(it.decl, d.Ident[0])
	}
	return func(s *state, dot reflect.Value) error {
		outer := s.mark()
		defer s.pop(outer)
		v, err := pipe(s, dot)
		if err != nil {
			return err
		}
		v, _ = indirect(v)
		ran, err := it.over(s, v)
		if err != nil || ran {
			return err
		}
		return otherwise(s, dot)
	}, nil
}

// iteration runs the body of a range.
type iteration struct {
	body   execFn
	decl   []string // the variables declared, in the order written
	assign bool     // = rather than :=
}

// over runs the body for each element of v and says whether it ran.
func (it iteration) over(s *state, v reflect.Value) (bool, error) {
	mark := s.mark()
	var err error
	switch v.Kind() {
	case reflect.Array, reflect.Slice:
		for i := 0; i < v.Len() && err == nil; i++ {
			err = it.once(s, mark, reflect.ValueOf(i), v.Index(i))
		}
		return v.Len() > 0, stopped(err)
	case reflect.Map:
		keys, err := sortedKeys(v)
		for _, k := range keys {
			if err != nil {
				break
			}
			err = it.once(s, mark, k, v.MapIndex(k))
		}
		return len(keys) > 0, stopped(err)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if len(it.decl) > 1 {
			return false, unsupported("range over an integer with two variables")
		}
		for i := int64(0); i < v.Int() && err == nil; i++ {
			e := reflect.New(v.Type()).Elem()
			e.SetInt(i)
			err = it.once(s, mark, reflect.Value{}, e)
		}
		return v.Int() > 0, stopped(err)
	case reflect.Invalid:
		return false, nil
	}
	return false, unsupported("range over %s", v.Type())
}

// stopped is the error of a loop, which {{break}} ends without one.
func stopped(err error) error {
	if err == errBreak {
		return nil
	}
	return err
}

// once runs the body for one element, with the variables set as
// text/template sets them.
func (it iteration) once(s *state, mark int, index, elem reflect.Value) error {
	err := it.set(s, mark, index, elem)
	if err == nil {
		err = it.body(s, elem)
	}
	s.pop(mark)
	if err == errContinue {
		return nil
	}
	return err
}

// set sets the range's variables: with two, the index and the element;
// with one, the element. Those declared with := were pushed, in order,
// just below mark.
func (it iteration) set(s *state, mark int, index, elem reflect.Value) error {
	vals := [2]reflect.Value{elem}
	if len(it.decl) == 2 {
		vals = [2]reflect.Value{index, elem}
	}
	for i, name := range it.decl {
		if !it.assign {
			s.vars[mark-len(it.decl)+i].value = vals[i]
			continue
		}
		vr, err := s.lookup(name)
		if err != nil {
			return err
		}
		vr.value = vals[i]
	}
	return nil
}

// sortedKeys are the keys of the map v in the order text/template
// ranges over them, for string and integer keys.
func sortedKeys(v reflect.Value) ([]reflect.Value, error) {
	keys := v.MapKeys()
	switch v.Type().Key().Kind() {
	case reflect.String:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Int(), b.Int()) })
	default:
		return nil, unsupported("range over a map keyed by %s", v.Type().Key())
	}
	return keys, nil
}

// templateNode compiles {{template "name" pipeline}}: the template runs
// with the pipeline's value as dot and $, and no other variable.
func (c *compiler) templateNode(n *parse.TemplateNode) (execFn, error) {
	ct, err := c.template(n.Name)
	if err != nil {
		return nil, err
	}
	pipe := evalFn(func(*state, reflect.Value) (reflect.Value, error) { return reflect.Value{}, nil })
	if n.Pipe != nil {
		if pipe, err = c.pipeline(n.Pipe); err != nil {
			return nil, err
		}
	}
	return func(s *state, dot reflect.Value) error {
		v, err := pipe(s, dot)
		if err != nil {
			return err
		}
		if s.depth == maxDepth {
			return unsupported("template depth")
		}
		base, mark := s.base, s.mark()
		s.base, s.depth = mark, s.depth+1
		s.push("$", v)
		err = ct.exec(s, v)
		s.pop(mark)
		s.base, s.depth = base, s.depth-1
		return err
	}, nil
}

// isTrue is text/template's truth of a value, and whether it has one.
func isTrue(v reflect.Value) (truth, ok bool) {
	if !v.IsValid() {
		return false, true
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() > 0, true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Complex64, reflect.Complex128:
		return v.Complex() != 0, true
	case reflect.Chan, reflect.Func, reflect.Pointer, reflect.UnsafePointer, reflect.Interface:
		return !v.IsNil(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() != 0, true
	case reflect.Float32, reflect.Float64:
		return v.Float() != 0, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() != 0, true
	case reflect.Struct:
		return true, true
	}
	return false, false
}

// indirect follows pointers and interfaces to a value, or to the nil
// one it stops at.
func indirect(v reflect.Value) (rv reflect.Value, isNil bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
	}
	return v, false
}

// indirectInterface is the value in an interface, or v itself.
func indirectInterface(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.Interface {
		return v
	}
	if v.IsNil() {
		return reflect.Value{}
	}
	return v.Elem()
}
