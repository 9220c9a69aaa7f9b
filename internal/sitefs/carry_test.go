package sitefs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCarry carries files of the previous tree into the new one: they
// keep their inodes, count as unchanged, and the previous tree is left
// as it was until Commit, also when the Dir is aborted.
func TestCarry(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	write(t, out, map[string]string{"a/b/x": "xx", "a/b/y": "yyy", "a/z": "z", "top": "t"})
	before, err := os.Stat(filepath.Join(out, "a/b/x"))
	if err != nil {
		t.Fatal(err)
	}

	d, err := Open(out, Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Mkdir("a"); err != nil { // a/b is reached from its open parent
		t.Fatal(err)
	}
	if err := d.Carry([]CarryDir{{Dir: "a/b", Names: []string{"x", "y"}}, {Dir: "a", Names: []string{"z"}}}, 6); err != nil {
		t.Fatal(err)
	}
	if err := d.Write("a/b/x", []byte("xx")); err == nil || !strings.Contains(err.Error(), "written twice") {
		t.Errorf("Write of a carried file: %v, want written twice", err)
	}
	if err := d.Write(marker, nil); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Files != 4 || st.Unchanged != 4 || st.Bytes != 6 {
		t.Errorf("Stats = %+v, want 4 files (the marker too), all unchanged, 6 bytes", st)
	}
	if got := readTree(t, out); len(got) != 5 {
		t.Errorf("previous tree changed before Commit: %v", got)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, out)
	want := map[string]string{"a/b/x": "xx", "a/b/y": "yyy", "a/z": "z", marker: ""}
	if len(got) != len(want) {
		t.Errorf("tree = %v, want %v", got, want)
	}
	for n, b := range want {
		if string(got[n]) != b {
			t.Errorf("%s = %q, want %q", n, got[n], b)
		}
	}
	after, err := os.Stat(filepath.Join(out, "a/b/x"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("a/b/x is a new file, not the previous one linked")
	}
}

// TestCarryAllOrNothing: a Carry that fails (a file the previous tree
// lacks, a name claimed before, a name that is a path) links nothing and
// claims nothing, so the caller can write the files instead.
func TestCarryAllOrNothing(t *testing.T) {
	tests := []struct {
		name string
		dirs []CarryDir
	}{
		{"missing file", []CarryDir{{Dir: "a", Names: []string{"x", "gone"}}}},
		{"missing directory", []CarryDir{{Dir: "a", Names: []string{"x"}}, {Dir: "nowhere", Names: []string{"x"}}}},
		{"claimed", []CarryDir{{Dir: "a", Names: []string{"x", "y"}}, {Dir: "c", Names: []string{"claimed"}}}},
		{"top", []CarryDir{{Dir: ".", Names: []string{"top"}}}},
		{"path as name", []CarryDir{{Dir: "a", Names: []string{"x", "../top"}}}},
		{"dot dot", []CarryDir{{Dir: "a", Names: []string{".."}}}},
		{"directory leaves", []CarryDir{{Dir: "../site", Names: []string{"top"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "site")
			write(t, out, map[string]string{"a/x": "x", "a/y": "y", "top": "t", "c/claimed": "c"})
			d, err := Open(out, Options{Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Mkdir("c"); err != nil {
				t.Fatal(err)
			}
			if err := d.Write("c/claimed", []byte("c")); err != nil {
				t.Fatal(err)
			}
			if err := d.Carry(tt.dirs, 2); err == nil {
				t.Fatal("Carry succeeded")
			}
			if st := d.Stats(); st.Files != 1 || st.Unchanged != 1 {
				t.Errorf("Stats = %+v after a failed Carry, want only the file written", st)
			}
			// Nothing claimed: the files can be written.
			for _, n := range []string{"a/x", "a/y"} {
				if err := d.Mkdir("a"); err != nil {
					t.Fatal(err)
				}
				if err := d.Write(n, []byte(n)); err != nil {
					t.Errorf("Write %s after a failed Carry: %v", n, err)
				}
			}
			if err := d.Write(marker, nil); err != nil {
				t.Fatal(err)
			}
			if err := d.Commit(); err != nil {
				t.Fatal(err)
			}
			got := readTree(t, out)
			if len(got) != 4 || string(got["a/x"]) != "a/x" {
				t.Errorf("tree = %v, want a/x, a/y, claimed and the marker", got)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(out), "top")); err == nil {
				t.Error("Carry wrote outside the tree")
			}
		})
	}
}

// TestCarryWithoutPrevious fails: there is nothing to carry from.
func TestCarryWithoutPrevious(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "site"), Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := d.Carry([]CarryDir{{Dir: "a", Names: []string{"x"}}}, 1); err == nil {
		t.Error("Carry without a previous tree succeeded")
	}
}

// TestReadPrevious reads a file of the previous tree, within its limit.
func TestReadPrevious(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	write(t, out, map[string]string{"m": "12345", "d/f": "x"})
	d, err := Open(out, Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if b, err := d.ReadPrevious("m", 5); err != nil || string(b) != "12345" {
		t.Errorf("ReadPrevious = %q, %v", b, err)
	}
	for _, c := range []struct {
		name  string
		limit int64
	}{{"m", 4}, {"missing", 10}, {"d", 10}, {"../site/m", 10}} {
		if _, err := d.ReadPrevious(c.name, c.limit); err == nil {
			t.Errorf("ReadPrevious(%q, %d) succeeded", c.name, c.limit)
		}
	}
}

// TestReadNew reads back files of the new tree, written or linked from
// the previous one, within their limit, and nothing once committed.
func TestReadNew(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	write(t, out, map[string]string{"m": "12345"})
	d, err := Open(out, Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := d.Mkdir("d"); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]string{"m": "12345", "d/f": "new", marker: ""} {
		if err := d.Write(name, []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{"m": "12345", "d/f": "new"} {
		if b, err := d.ReadNew(name, 5); err != nil || string(b) != want {
			t.Errorf("ReadNew(%q) = %q, %v, want %q", name, b, err, want)
		}
	}
	for _, c := range []struct {
		name  string
		limit int64
	}{{"m", 4}, {"missing", 10}, {"d", 10}, {"../site/m", 10}} {
		if _, err := d.ReadNew(c.name, c.limit); err == nil {
			t.Errorf("ReadNew(%q, %d) succeeded", c.name, c.limit)
		}
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadNew("m", 5); err == nil {
		t.Error("ReadNew after Commit succeeded")
	}
}
