package tmplexec

import (
	"reflect"
	"sync/atomic"
)

// field is one name of a chain like .A.B: a method without arguments,
// a field of a struct or the key of a map. How to reach it is looked up
// once for each type it is applied to and kept (plan), so that a page
// reading the same fields of the same types looks nothing up again.
type field struct {
	name string
	plan atomic.Pointer[fieldPlan] // of the last type seen
}

// fieldPlan says how name is reached in a receiver of type typ (after
// pointers and interfaces), addressable or not.
type fieldPlan struct {
	typ    reflect.Type
	addr   bool
	method int   // index in the method set, or -1
	index  []int // of the struct field, when not a method
	isMap  bool
	err    error // when none of these
}

// eval is the value of the field in v, as text/template's evalField
// gives it for a name without arguments; what text/template would
// refuse, or treat specially (nil receivers, missing keys), is left to
// it.
func (f *field) eval(v reflect.Value) (reflect.Value, error) {
	v, isNil := indirect(v)
	if !v.IsValid() || isNil {
		return v, unsupported("field %s of a nil value", f.name)
	}
	addr := v.CanAddr()
	p := f.plan.Load()
	if p == nil || p.typ != v.Type() || p.addr != addr {
		p = newPlan(v.Type(), addr, f.name)
		f.plan.Store(p)
	}
	switch {
	case p.err != nil:
		return v, p.err
	case p.method >= 0:
		if addr {
			v = v.Addr()
		}
		return safeCall(v.Method(p.method), nil)
	case p.isMap:
		r := v.MapIndex(reflect.ValueOf(f.name))
		if !r.IsValid() {
			return r, unsupported("map has no entry for key %q", f.name)
		}
		return r, nil
	}
	return v.FieldByIndexErr(p.index)
}

func newPlan(typ reflect.Type, addr bool, name string) *fieldPlan {
	p := &fieldPlan{typ: typ, addr: addr, method: -1}
	mt := typ
	if addr {
		mt = reflect.PointerTo(typ)
	}
	if m, ok := mt.MethodByName(name); ok {
		ft := m.Type // with the receiver first
		if ft.NumIn() == 1 && (ft.NumOut() == 1 || ft.NumOut() == 2 && ft.Out(1) == errorType) && ft.Out(0) != reflectValueType {
			p.method = m.Index
		} else {
			p.err = unsupported("method %s of %s", name, typ)
		}
		return p
	}
	switch typ.Kind() {
	case reflect.Struct:
		if sf, ok := typ.FieldByName(name); ok && sf.IsExported() {
			p.index = sf.Index
			return p
		}
	case reflect.Map:
		if reflect.TypeFor[string]().AssignableTo(typ.Key()) {
			p.isMap = true
			return p
		}
	}
	p.err = unsupported("field %s of %s", name, typ)
	return p
}
