package tmplexec

import (
	"fmt"
	"reflect"
	"text/template/parse"
)

var (
	errorType        = reflect.TypeFor[error]()
	reflectValueType = reflect.TypeFor[reflect.Value]()
)

// function compiles a call of a function: the template's own, which
// text/template prefers, or a built-in one compiled here.
func (c *compiler) function(name string, args []parse.Node, final bool) (cmdFn, error) {
	if f, ok := c.funcs[name]; ok {
		return c.call(name, reflect.ValueOf(f), args, final)
	}
	ops := make([]evalFn, len(args))
	for i, a := range args {
		op, err := c.arg(a)
		if err != nil {
			return nil, err
		}
		ops[i] = op
	}
	n := len(ops)
	if final {
		n++
	}
	switch {
	case (name == "and" || name == "or") && n >= 1:
		return andOr(name == "or", ops, final), nil
	case (name == "not" || name == "len") && n == 1,
		name == "eq" && n >= 2,
		(name == "ne" || name == "lt" || name == "le" || name == "gt" || name == "ge") && n == 2:
		return builtin(builtins[name], ops, final), nil
	}
	return nil, unsupported("function %s with %d arguments", name, n)
}

// operand evaluates an argument of a built-in function, which takes
// reflect.Values and so refuses invalid ones.
func operand(s *state, dot reflect.Value, op evalFn) (reflect.Value, error) {
	v, err := op(s, dot)
	if err == nil && !v.IsValid() {
		err = unsupported("invalid value for a built-in function")
	}
	return v, err
}

// andOr compiles "and" or, with or set, "or": the first argument whose
// truth decides, else the last, evaluated no further than needed.
func andOr(or bool, ops []evalFn, final bool) cmdFn {
	return func(s *state, dot, fin reflect.Value) (reflect.Value, error) {
		var v reflect.Value
		for _, op := range ops {
			var err error
			if v, err = operand(s, dot, op); err != nil {
				return v, err
			}
			if truth(v) == or {
				return v, nil
			}
		}
		if final {
			if !fin.IsValid() {
				return fin, unsupported("invalid value for a built-in function")
			}
			v = fin
		}
		return v, nil
	}
}

// builtins are the built-in functions compiled here other than and and
// or, given every argument.
var builtins = map[string]func(args []reflect.Value) (reflect.Value, error){
	"not": func(a []reflect.Value) (reflect.Value, error) { return reflect.ValueOf(!truth(a[0])), nil },
	"len": length,
	"eq":  boolResult(func(a []reflect.Value) (bool, error) { return eq(a[0], a[1:]) }),
	"ne": boolResult(func(a []reflect.Value) (bool, error) {
		equal, err := eq(a[0], a[1:])
		return !equal, err
	}),
	"lt": boolResult(func(a []reflect.Value) (bool, error) { return lt(a[0], a[1]) }),
	"le": boolResult(func(a []reflect.Value) (bool, error) { return le(a[0], a[1]) }),
	"gt": boolResult(func(a []reflect.Value) (bool, error) {
		lessOrEqual, err := le(a[0], a[1])
		return !lessOrEqual, err
	}),
	"ge": boolResult(func(a []reflect.Value) (bool, error) {
		less, err := lt(a[0], a[1])
		return !less, err
	}),
}

func boolResult(f func([]reflect.Value) (bool, error)) func([]reflect.Value) (reflect.Value, error) {
	return func(a []reflect.Value) (reflect.Value, error) {
		b, err := f(a)
		return reflect.ValueOf(b), err
	}
}

// builtin compiles a call of f with the operands ops and, when final,
// the pipeline's value last.
func builtin(f func([]reflect.Value) (reflect.Value, error), ops []evalFn, final bool) cmdFn {
	return func(s *state, dot, fin reflect.Value) (reflect.Value, error) {
		var buf [4]reflect.Value
		args := buf[:0]
		for _, op := range ops {
			v, err := operand(s, dot, op)
			if err != nil {
				return v, err
			}
			args = append(args, v)
		}
		if final {
			if !fin.IsValid() {
				return fin, unsupported("invalid value for a built-in function")
			}
			args = append(args, fin)
		}
		return f(args)
	}
}

func truth(v reflect.Value) bool {
	t, _ := isTrue(indirectInterface(v))
	return t
}

func length(a []reflect.Value) (reflect.Value, error) {
	v, isNil := indirect(a[0])
	if isNil {
		return v, unsupported("len of nil")
	}
	switch v.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Slice, reflect.String:
		return reflect.ValueOf(v.Len()), nil
	}
	return v, unsupported("len of %s", v.Type())
}

// kind is the class of a basic value compared by eq and lt.
type kind int

const (
	invalidKind kind = iota
	boolKind
	complexKind
	intKind
	floatKind
	stringKind
	uintKind
)

func basicKind(v reflect.Value) kind {
	switch v.Kind() {
	case reflect.Bool:
		return boolKind
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intKind
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintKind
	case reflect.Float32, reflect.Float64:
		return floatKind
	case reflect.Complex64, reflect.Complex128:
		return complexKind
	case reflect.String:
		return stringKind
	}
	return invalidKind
}

// eq is text/template's eq for basic values: a equals one of bs.
// Comparisons of other values are left to html/template.
func eq(a reflect.Value, bs []reflect.Value) (bool, error) {
	a = indirectInterface(a)
	ka := basicKind(a)
	for _, b := range bs {
		b = indirectInterface(b)
		kb := basicKind(b)
		var truth bool
		switch {
		case ka == intKind && kb == uintKind:
			truth = a.Int() >= 0 && uint64(a.Int()) == b.Uint()
		case ka == uintKind && kb == intKind:
			truth = b.Int() >= 0 && a.Uint() == uint64(b.Int())
		case ka != kb && a.IsValid() && b.IsValid():
			return false, unsupported("incompatible types for comparison")
		case ka != kb:
		case ka == invalidKind:
			var err error
			if truth, err = equalOther(a, b); err != nil {
				return false, err
			}
		default:
			truth = basicEqual(ka, a, b)
		}
		if truth {
			return true, nil
		}
	}
	return false, nil
}

// equalOther is eq for values of other kinds than basic ones, as
// text/template compares them: nil with nil, else with ==.
func equalOther(a, b reflect.Value) (bool, error) {
	if a.Kind() != b.Kind() && a.IsValid() && b.IsValid() {
		return false, unsupported("comparison of %s and %s", a.Type(), b.Type())
	}
	if isNil(a) || isNil(b) {
		return isNil(a) == isNil(b), nil
	}
	if !a.Type().Comparable() || !b.Type().Comparable() {
		return false, unsupported("comparison of %s", b.Type())
	}
	return a.Equal(b), nil
}

func isNil(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Chan, reflect.Func, reflect.Interface, reflect.Map, reflect.Pointer, reflect.Slice:
		return v.IsNil()
	}
	return false
}

func basicEqual(k kind, a, b reflect.Value) bool {
	switch k {
	case boolKind:
		return a.Bool() == b.Bool()
	case complexKind:
		return a.Complex() == b.Complex()
	case floatKind:
		return a.Float() == b.Float()
	case intKind:
		return a.Int() == b.Int()
	case stringKind:
		return a.String() == b.String()
	}
	return a.Uint() == b.Uint()
}

// lt is text/template's lt: a is less than b.
func lt(a, b reflect.Value) (bool, error) {
	a, b = indirectInterface(a), indirectInterface(b)
	ka, kb := basicKind(a), basicKind(b)
	switch {
	case ka == intKind && kb == uintKind:
		return a.Int() < 0 || uint64(a.Int()) < b.Uint(), nil
	case ka == uintKind && kb == intKind:
		return b.Int() >= 0 && a.Uint() < uint64(b.Int()), nil
	case ka != kb || ka == invalidKind || ka == boolKind || ka == complexKind:
		return false, unsupported("comparison of %v and %v", a, b)
	case ka == floatKind:
		return a.Float() < b.Float(), nil
	case ka == intKind:
		return a.Int() < b.Int(), nil
	case ka == stringKind:
		return a.String() < b.String(), nil
	}
	return a.Uint() < b.Uint(), nil
}

func le(a, b reflect.Value) (bool, error) {
	less, err := lt(a, b)
	if less || err != nil {
		return less, err
	}
	return eq(a, []reflect.Value{b})
}

// call compiles a call of the template's function fn.
func (c *compiler) call(name string, fn reflect.Value, args []parse.Node, final bool) (cmdFn, error) {
	typ := fn.Type()
	n := len(args)
	if final {
		n++
	}
	ok := typ.Kind() == reflect.Func && (typ.NumOut() == 1 || typ.NumOut() == 2 && typ.Out(1) == errorType)
	if typ.IsVariadic() {
		ok = ok && n >= typ.NumIn()-1
	} else {
		ok = ok && n == typ.NumIn()
	}
	if !ok || typ.NumOut() > 0 && typ.Out(0) == reflectValueType {
		return nil, unsupported("call of %s", name)
	}
	in := func(i int) reflect.Type {
		if typ.IsVariadic() && i >= typ.NumIn()-1 {
			return typ.In(typ.NumIn() - 1).Elem()
		}
		return typ.In(i)
	}
	ops := make([]evalFn, len(args))
	for i, a := range args {
		op, err := c.typedArg(a, in(i))
		if err != nil {
			return nil, err
		}
		ops[i] = op
	}
	var finalType reflect.Type
	if final {
		finalType = in(n - 1)
	}
	return func(s *state, dot, fin reflect.Value) (reflect.Value, error) {
		argv := make([]reflect.Value, n)
		for i, op := range ops {
			v, err := op(s, dot)
			if err != nil {
				return v, err
			}
			argv[i] = v
		}
		if final {
			v, err := convert(fin, finalType)
			if err != nil {
				return v, err
			}
			argv[n-1] = v
		}
		return safeCall(fn, argv)
	}, nil
}

// safeCall calls fn, with a panic or a returned error as its error.
func safeCall(fn reflect.Value, argv []reflect.Value) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = unsupported("function panicked: %v", r)
		}
	}()
	out := fn.Call(argv)
	if len(out) == 2 && !out[1].IsNil() {
		return out[0], fmt.Errorf("%w: %w", errUnsupported, out[1].Interface().(error))
	}
	return out[0], nil
}

// typedArg compiles an argument of a function whose parameter has type
// typ, as text/template converts it.
func (c *compiler) typedArg(n parse.Node, typ reflect.Type) (evalFn, error) {
	switch n.(type) {
	case *parse.DotNode, *parse.FieldNode, *parse.VariableNode, *parse.PipeNode, *parse.IdentifierNode:
		op, err := c.arg(n)
		if err != nil {
			return nil, err
		}
		return func(s *state, dot reflect.Value) (reflect.Value, error) {
			v, err := op(s, dot)
			if err != nil {
				return v, err
			}
			return convert(v, typ)
		}, nil
	}
	if typ.Kind() == reflect.Interface && typ.NumMethod() == 0 {
		return c.arg(n)
	}
	v := reflect.New(typ).Elem()
	switch n := n.(type) {
	case *parse.StringNode:
		if typ.Kind() == reflect.String {
			v.SetString(n.Text)
			return constant(v), nil
		}
	case *parse.BoolNode:
		if typ.Kind() == reflect.Bool {
			v.SetBool(n.True)
			return constant(v), nil
		}
	case *parse.NumberNode:
		switch basicKind(v) {
		case intKind:
			if n.IsInt {
				v.SetInt(n.Int64)
				return constant(v), nil
			}
		case uintKind:
			if n.IsUint {
				v.SetUint(n.Uint64)
				return constant(v), nil
			}
		case floatKind:
			if n.IsFloat {
				v.SetFloat(n.Float64)
				return constant(v), nil
			}
		}
	}
	return nil, unsupported("argument %s for a parameter of type %s", n, typ)
}

// convert is v as a value of type typ, as text/template's validateType
// makes it, for values assignable to typ or in an interface that is.
func convert(v reflect.Value, typ reflect.Type) (reflect.Value, error) {
	if !v.IsValid() {
		switch typ.Kind() {
		case reflect.Chan, reflect.Func, reflect.Interface, reflect.Map, reflect.Pointer, reflect.Slice:
			return reflect.Zero(typ), nil
		}
		return v, unsupported("invalid value for %s", typ)
	}
	if v.Type().AssignableTo(typ) {
		return v, nil
	}
	if v.Kind() == reflect.Interface && !v.IsNil() && v.Elem().Type().AssignableTo(typ) {
		return v.Elem(), nil
	}
	return v, unsupported("%s for a parameter of type %s", v.Type(), typ)
}
