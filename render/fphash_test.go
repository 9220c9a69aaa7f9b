package render

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// fill sets every exported field below v to a value other than its
// zero: slices and maps get one element, pointers a value.
func fill(v reflect.Value, n *int) {
	*n++
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Date(2024, 1, 1, 0, 0, *n, 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, n)
		m.SetMapIndex(reflect.ValueOf(fmt.Sprintf("k%d", *n)), e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic("fill: " + v.Type().String())
	}
}

// leaves calls f with every settable leaf below v (strings, numbers,
// booleans, times, map keys as their map), each once.
func leaves(v reflect.Value, path string, f func(path string, v reflect.Value)) {
	if v.Type() == timeType {
		f(path, v)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		leaves(v.Elem(), path, f)
	case reflect.Slice:
		for i := range v.Len() {
			leaves(v.Index(i), fmt.Sprintf("%s[%d]", path, i), f)
		}
	case reflect.Map:
		f(path+"{key}", v)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				leaves(v.Field(i), path+"."+v.Type().Field(i).Name, f)
			}
		}
	default:
		f(path, v)
	}
}

func fpHash(t *testing.T, v any) [32]byte {
	t.Helper()
	h := sha256.New()
	if err := newFPWriter(h).write(v); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

// TestFPWriterEveryField changes each leaf of a snapshot repository with
// every field set, one at a time: the fingerprint must change with each
// (it would not with a field the writer skips, as one added to the
// snapshot types later would be if the writer listed fields by hand).
func TestFPWriterEveryField(t *testing.T) {
	var rp snapshot.Repository
	n := 0
	fill(reflect.ValueOf(&rp).Elem(), &n)
	base := fpHash(t, &rp)
	count := 0
	leaves(reflect.ValueOf(&rp).Elem(), "Repository", func(path string, v reflect.Value) {
		count++
		old := reflect.New(v.Type()).Elem()
		old.Set(v)
		switch {
		case v.Type() == timeType:
			v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Nanosecond)))
		case v.Kind() == reflect.Map:
			m := reflect.MakeMap(v.Type())
			for _, k := range v.MapKeys() {
				m.SetMapIndex(reflect.ValueOf(k.String()+"x"), v.MapIndex(k))
			}
			v.Set(m)
		case v.Kind() == reflect.String:
			v.SetString(v.String() + "x")
		case v.Kind() == reflect.Bool:
			v.SetBool(!v.Bool())
		default:
			v.SetInt(v.Int() + 1)
		}
		if fpHash(t, &rp) == base {
			t.Errorf("%s: changing it leaves the fingerprint as it was", path)
		}
		v.Set(old)
	})
	if count < 40 {
		t.Errorf("only %d leaves in a snapshot repository: fill or leaves is broken", count)
	}
	if fpHash(t, &rp) != base {
		t.Error("the fingerprint differs after every change was undone")
	}
}

// TestFPWriterUnambiguous: values that encoding/json tells apart write
// different bytes, and equal ones (a map in another order) the same.
func TestFPWriterUnambiguous(t *testing.T) {
	pairs := [][2]any{
		{[]string{"ab", "c"}, []string{"a", "bc"}},
		{[]string(nil), []string{}},
		{map[string]string{"a": "b"}, map[string]string{"ab": ""}},
		{struct{ A, B string }{"x", ""}, struct{ A, B string }{"", "x"}},
		{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 3600))},
		{(*snapshot.Truncation)(nil), &snapshot.Truncation{}},
		{1, 2},
		{"", []string{}},
	}
	for _, p := range pairs {
		if fpHash(t, p[0]) == fpHash(t, p[1]) {
			t.Errorf("%#v and %#v: same fingerprint", p[0], p[1])
		}
	}
	m1 := map[string]string{}
	m2 := map[string]string{}
	for i := range 50 {
		m1[fmt.Sprint(i)] = "v"
		m2[fmt.Sprint(49-i)] = "v"
	}
	if fpHash(t, m1) != fpHash(t, m2) {
		t.Error("equal maps: different fingerprints")
	}
	if err := newFPWriter(sha256.New()).write(map[int]string{1: "a"}); err == nil {
		t.Error("a map with int keys: no error")
	}
}

// BenchmarkFPWriter hashes the published records of a 100 × 20 catalog
// as the fingerprints do, and as JSON did before: compare ns/op.
func BenchmarkFPWriter(b *testing.B) {
	snap := synthetic(b, 100, 20)
	r := &renderer{}
	pub := make([]*snapshot.Repository, len(snap.Repositories))
	for i := range snap.Repositories {
		pub[i] = r.public(&snap.Repositories[i])
	}
	b.Run("writer", func(b *testing.B) {
		for b.Loop() {
			for _, rp := range pub {
				if err := newFPWriter(sha256.New()).write(rp); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			for _, rp := range pub {
				if err := json.NewEncoder(sha256.New()).Encode(rp); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
