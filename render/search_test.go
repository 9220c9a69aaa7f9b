package render

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// decodedSearch is search-index.js decoded as assets/site.js reads it
// (docs/search.md): per key, the "<repo>@<digest>" of every image listed
// under any of its values.
func decodedSearch(t *testing.T, js []byte) map[string][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(js, []byte("window.regcatSearch="))
	if !ok || !bytes.HasSuffix(body, []byte(";\n")) {
		t.Fatalf("search-index.js is not one assignment: %.60q", js)
	}
	var x struct {
		V int
		S []string
		R []any
		I []string
		L [][]any
	}
	if err := json.Unmarshal(bytes.TrimSuffix(body, []byte(";\n")), &x); err != nil {
		t.Fatal(err)
	}
	if x.V != 1 || len(x.R)%4 != 0 || len(x.I)%2 != 0 {
		t.Fatalf("search index: version %d, %d repository entries, %d image entries", x.V, len(x.R), len(x.I))
	}
	var refs []string
	for r := 0; r < len(x.R); r += 4 {
		for range int(x.R[r+3].(float64)) {
			d := x.I[2*len(refs)]
			if !strings.Contains(d, ":") {
				b, err := base64.RawStdEncoding.DecodeString(d)
				if err != nil {
					t.Fatal(err)
				}
				d = "sha256:" + hex.EncodeToString(b)
			}
			refs = append(refs, x.R[r].(string)+"@"+d)
		}
	}
	if 2*len(refs) != len(x.I) {
		t.Fatalf("repositories count %d images, the index holds %d", len(refs), len(x.I)/2)
	}
	out := map[string][]string{}
	for _, row := range x.L {
		key := row[0].(string)
		for k := 1; k < len(row); k += 2 {
			if n, ok := row[k].(float64); ok && int(n) >= len(x.S) {
				t.Fatalf("%s: string %v of %d", key, n, len(x.S))
			}
			switch ids := row[k+1].(type) {
			case float64:
				out[key] = append(out[key], refs[int(ids)])
			case []any:
				id := 0
				for _, d := range ids {
					id += int(d.(float64))
					out[key] = append(out[key], refs[id])
				}
			}
		}
		slices.Sort(out[key])
		out[key] = slices.Compact(out[key])
	}
	return out
}

// TestSearchIndexMatchesLabels decodes the fixture's search index and
// checks that each key lists the images api/labels.json gives it.
func TestSearchIndexMatchesLabels(t *testing.T) {
	site := readTree(t, renderTo(t, Config{}, hostileSnapshot()))
	got := decodedSearch(t, site[searchIndex])
	var api map[string]map[string][]string
	if err := json.Unmarshal(site[labelsJSON], &api); err != nil {
		t.Fatal(err)
	}
	if len(api) == 0 || len(got) != len(api) {
		t.Fatalf("the search index has %d keys, api/labels.json %d", len(got), len(api))
	}
	for key, vals := range api {
		var want []string
		for _, refs := range vals {
			want = append(want, refs...)
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if g := got[searchText(key)]; !slices.Equal(g, want) {
			t.Errorf("search index %q: %q, want %q", key, g, want)
		}
	}
}

// TestSearchValue: what the index keeps of a value.
func TestSearchValue(t *testing.T) {
	tests := []struct{ key, value, want string }{
		{"org.opencontainers.image.created", "2026-06-02T07:05:31Z", "2026-06-02"},
		{"org.label-schema.build-date", "2026-06-02T07:05:31+02:00", "2026-06-02"},
		{"org.opencontainers.image.created", "last tuesday", "last tuesday"},
		{"com.example.when", "2026-06-02T07:05:31Z", "2026-06-02T07:05:31Z"},
		{"org.opencontainers.image.revision", "3218fbf51a943d7fab9a9bc283e32086539878a7", "3218fbf51a94…"},
		{"org.opencontainers.image.base.digest", "sha256:" + strings.Repeat("ab", 32), "sha256:abababababab…"},
		{"org.opencontainers.image.revision", "3218fbf", "3218fbf"},
		{"org.opencontainers.image.revision", "3218FBF51A943D7FAB9A9BC283E32086539878A7", "3218FBF51A943D7FAB9A9BC283E32086539878A7"},
		{"org.opencontainers.image.description", strings.Repeat("x", 100), strings.Repeat("x", maxSearchText-1) + "…"},
		{"k", "a\nb\x00", "a b\ufffd"},
	}
	for _, tc := range tests {
		if got := searchValue(tc.key, tc.value); got != tc.want {
			t.Errorf("searchValue(%q, %q) = %q, want %q", tc.key, tc.value, got, tc.want)
		}
	}
}
