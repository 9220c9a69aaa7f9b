package catalog

import (
	"testing"

	"github.com/regcat/regcat/snapshot"
)

// TestLabelIndex: an index's platforms count for it, an image is counted
// once per key however many sources set it, and disagreeing platforms
// list it under each value.
func TestLabelIndex(t *testing.T) {
	r := repo("r", map[string]int{"a": 1, "b": 2}, map[string]string{"1": "a", "2": "b"})
	r.Images[0].Kind = snapshot.KindIndex
	for i := range r.Images {
		switch r.Images[i].Digest {
		case digest("a"):
			r.Images[i].Annotations = map[string]string{"k": "x"}
			r.Images[i].Platforms = []snapshot.Platform{
				{Config: snapshot.Config{Labels: map[string]string{"k": "x", "p": "1"}}},
				{Config: snapshot.Config{Labels: map[string]string{"p": "2"}}},
			}
		case digest("b"):
			r.Images[i].Platforms = []snapshot.Platform{{Annotations: map[string]string{"k": "y"}}}
		}
	}
	c := New(&snapshot.Snapshot{Repositories: []snapshot.Repository{r}}, Config{})
	type value struct {
		v    string
		imgs []string
	}
	want := map[string]struct {
		images int
		values []value
	}{
		"k": {2, []value{{"x", []string{digest("a")}}, {"y", []string{digest("b")}}}},
		"p": {1, []value{{"1", []string{digest("a")}}, {"2", []string{digest("a")}}}},
	}
	if len(c.Labels) != len(want) {
		t.Fatalf("%d keys, want %d: %+v", len(c.Labels), len(want), c.Labels)
	}
	for _, k := range c.Labels {
		w := want[k.Key]
		if k.Images != w.images || len(k.Values) != len(w.values) {
			t.Errorf("%s: %d images, %d values; want %d, %d", k.Key, k.Images, len(k.Values), w.images, len(w.values))
			continue
		}
		for i, v := range k.Values {
			var got []string
			for _, ip := range v.Images {
				got = append(got, ip.Digest)
			}
			if v.Value != w.values[i].v || len(got) != len(w.values[i].imgs) || got[0] != w.values[i].imgs[0] {
				t.Errorf("%s=%s: %v, want %s=%v", k.Key, v.Value, got, w.values[i].v, w.values[i].imgs)
			}
		}
	}
}
