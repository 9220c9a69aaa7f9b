package render

import (
	"encoding/binary"
	"fmt"
	"hash"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// fpWriter writes values into a hash for the incremental render's
// fingerprints (see incremental.go): what encoding/json would encode of
// them (exported fields but those tagged "-", maps by sorted key, times
// as instants with their zone offset), each with its kind and length, so
// that different values write different bytes. It is several times
// cheaper than encoding them as JSON, which was a fifth of a re-render.
// Values must not be cyclic (encoding/json refuses those too), and maps
// must have string keys.
type fpWriter struct {
	h   hash.Hash
	buf []byte
}

func newFPWriter(h hash.Hash) *fpWriter { return &fpWriter{h: h, buf: make([]byte, 0, 512)} }

// write writes vs and flushes them into the hash.
func (w *fpWriter) write(vs ...any) error {
	for _, v := range vs {
		if err := w.value(reflect.ValueOf(v)); err != nil {
			return err
		}
	}
	w.flush()
	return nil
}

func (w *fpWriter) flush() {
	w.h.Write(w.buf)
	w.buf = w.buf[:0]
}

func (w *fpWriter) tag(kind reflect.Kind, n uint64) {
	w.buf = append(w.buf, byte(kind))
	w.buf = binary.AppendUvarint(w.buf, n)
	if len(w.buf) > 4096 {
		w.flush()
	}
}

func (w *fpWriter) str(s string) {
	w.tag(reflect.String, uint64(len(s)))
	if len(s) > 1024 {
		w.flush()
		w.h.Write([]byte(s))
		return
	}
	w.buf = append(w.buf, s...)
}

var timeType = reflect.TypeFor[time.Time]()

func (w *fpWriter) value(v reflect.Value) error {
	if !v.IsValid() {
		w.tag(reflect.Invalid, 0)
		return nil
	}
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		_, off := t.Zone()
		w.tag(reflect.Struct, 0)
		w.buf = binary.AppendVarint(w.buf, int64(off))
		w.buf = binary.AppendVarint(w.buf, t.Unix())
		w.buf = binary.AppendUvarint(w.buf, uint64(t.Nanosecond()))
		return nil
	}
	switch v.Kind() {
	case reflect.Bool:
		var b uint64
		if v.Bool() {
			b = 1
		}
		w.tag(reflect.Bool, b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.tag(reflect.Int, 0)
		w.buf = binary.AppendVarint(w.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		w.tag(reflect.Uint, v.Uint())
	case reflect.Float32, reflect.Float64:
		w.tag(reflect.Float64, math.Float64bits(v.Float()))
	case reflect.String:
		w.str(v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			w.tag(reflect.Pointer, 0)
			return nil
		}
		w.tag(reflect.Pointer, 1)
		return w.value(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			w.tag(reflect.Slice, 0)
			return nil
		}
		w.tag(reflect.Slice, uint64(v.Len())+1)
		switch vs := v.Interface().(type) {
		case []byte:
			w.buf = append(w.buf, vs...)
			return nil
		case []string:
			for _, e := range vs {
				w.str(e)
			}
			return nil
		}
		for i := range v.Len() {
			if err := w.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		return w.mapValue(v)
	case reflect.Struct:
		return w.structValue(v)
	default:
		return fmt.Errorf("fingerprint: cannot hash a %s", v.Type())
	}
	return nil
}

func (w *fpWriter) mapValue(v reflect.Value) error {
	if v.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("fingerprint: cannot hash a %s: keys are not strings", v.Type())
	}
	if v.IsNil() {
		w.tag(reflect.Map, 0)
		return nil
	}
	if m, ok := v.Interface().(map[string]string); ok { // labels, annotations: most maps
		w.tag(reflect.Map, uint64(len(m))+1)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			w.str(k)
			w.str(m[k])
		}
		return nil
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	w.tag(reflect.Map, uint64(len(keys))+1)
	for _, k := range keys {
		w.str(k.String())
		if err := w.value(v.MapIndex(k)); err != nil {
			return err
		}
	}
	return nil
}

func (w *fpWriter) structValue(v reflect.Value) error {
	fields := hashedFields(v.Type())
	w.tag(reflect.Struct, uint64(len(fields)))
	for _, i := range fields {
		if err := w.value(v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

// fieldCache maps a struct type to its hashedFields.
var fieldCache sync.Map // reflect.Type → []int

// hashedFields are the indexes of the fields of struct type t that
// encoding/json encodes: the exported ones but those tagged "-".
func hashedFields(t reflect.Type) []int {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]int)
	}
	var out []int
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && f.Tag.Get("json") != "-" {
			out = append(out, i)
		}
	}
	fieldCache.Store(t, out)
	return out
}
