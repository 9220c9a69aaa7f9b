package sitefs

import (
	"os"
	"path/filepath"
	"testing"
)

// writeSpare is write with Options.Spare.
func writeSpare(t *testing.T, out string, files map[string]string) {
	t.Helper()
	d, err := Open(out, Options{Marker: marker, Spare: true})
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, d, files)
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
}

func writeAll(t *testing.T, d *Dir, files map[string]string) {
	t.Helper()
	for n, b := range files {
		if err := d.Mkdir(filepath.ToSlash(filepath.Dir(n))); err != nil {
			t.Fatal(err)
		}
		if err := d.Write(n, []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	fa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(fa, fb)
}

// TestSpare keeps the replaced tree as the spare, moves a directory of it
// (nested files included) into the next tree with Carry, and after that
// Commit the spare is the tree the commit replaced, the old spare gone.
func TestSpare(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "site")
	spare := filepath.Join(parent, ".site.spare")
	gen1 := map[string]string{marker: "", "r/a/x": "x1", "r/a/t/y": "y1", "r/b/z": "z1", "top": "1"}
	writeSpare(t, out, gen1)
	if _, err := os.Stat(spare); !os.IsNotExist(err) {
		t.Fatalf("spare after the first tree: %v, want none (nothing was replaced)", err)
	}
	gen2 := map[string]string{marker: "", "r/a/x": "x1", "r/a/t/y": "y1", "r/b/z": "z2", "top": "2"}
	writeSpare(t, out, gen2)
	if got := readTree(t, spare); string(got["top"]) != "1" || string(got["r/b/z"]) != "z1" || len(got) != len(gen1) {
		t.Fatalf("spare = %q, want the first tree", got)
	}

	d, err := Open(out, Options{Marker: marker, Spare: true})
	if err != nil {
		t.Fatal(err)
	}
	if !d.HasSpare() {
		t.Fatal("HasSpare = false")
	}
	if b, err := d.ReadSpare("top", 10); err != nil || string(b) != "1" {
		t.Fatalf("ReadSpare(top) = %q, %v", b, err)
	}
	if err := d.Mkdir("r/a"); err != nil { // made (and opened) before the carry, as a render does
		t.Fatal(err)
	}
	if err := d.Carry([]CarryDir{{Dir: "r/a", Names: []string{"x", "t/y"}, Spare: true}}, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(spare, "r/a")); !os.IsNotExist(err) {
		t.Errorf("r/a still in the spare after Carry moved it: %v", err)
	}
	writeAll(t, d, map[string]string{marker: "", "r/b/z": "z3", "top": "3"})
	if st := d.Stats(); st.Files != 5 || st.Unchanged != 3 || st.Bytes != 4+2+1 || st.Moved != 1 {
		t.Errorf("Stats = %+v, want 5 files, 3 unchanged (the marker too), 7 bytes, 1 directory moved", st)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{marker: "", "r/a/x": "x1", "r/a/t/y": "y1", "r/b/z": "z3", "top": "3"}
	if got := readTree(t, out); !sameTree(got, want) {
		t.Errorf("tree = %q, want %q", got, want)
	}
	if got := readTree(t, spare); !sameTree(got, gen2) {
		t.Errorf("spare = %q, want the second tree %q", got, gen2)
	}
	// The moved files are those of the first tree, which the second
	// linked: one inode in all three.
	if !sameFile(t, filepath.Join(out, "r/a/t/y"), filepath.Join(spare, "r/a/t/y")) {
		t.Error("r/a/t/y: not the inode the spare and the previous tree share")
	}
	if names := parentNames(t, out); len(names) != 2 {
		t.Errorf("beside the target: %v, want it and its spare only", names)
	}
}

// TestSpareFallsBack links from the previous tree what the spare lacks,
// and a Carry that fails returns what it moved to the spare.
func TestSpareFallsBack(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "site")
	spare := filepath.Join(parent, ".site.spare")
	gen := map[string]string{marker: "", "r/a/x": "x", "r/a/t/y": "y", "r/b/z": "z"}
	writeSpare(t, out, gen)
	writeSpare(t, out, gen)
	if err := os.RemoveAll(filepath.Join(spare, "r/b")); err != nil {
		t.Fatal(err)
	}

	d, err := Open(out, Options{Marker: marker, Spare: true})
	if err != nil {
		t.Fatal(err)
	}
	// r/a moves, r/missing is in neither tree: nothing is carried and
	// r/a is back in the spare.
	err = d.Carry([]CarryDir{{Dir: "r/a", Names: []string{"x", "t/y"}, Spare: true}, {Dir: "r/missing", Names: []string{"m"}, Spare: true}}, 3)
	if err == nil {
		t.Fatal("Carry of a directory in neither tree succeeded")
	}
	if got := readTree(t, filepath.Join(spare, "r/a")); len(got) != 2 {
		t.Errorf("spare's r/a after the failed Carry: %q, want it back", got)
	}
	// r/b is not in the spare: linked from the previous tree.
	if err := d.Carry([]CarryDir{{Dir: "r/a", Names: []string{"x", "t/y"}, Spare: true}, {Dir: "r/b", Names: []string{"z"}, Spare: true}}, 3); err != nil {
		t.Fatal(err)
	}
	writeAll(t, d, map[string]string{marker: ""})
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, out); !sameTree(got, gen) {
		t.Errorf("tree = %q, want %q", got, gen)
	}
}

func sameTree(got map[string][]byte, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for n, b := range want {
		if g, ok := got[n]; !ok || string(g) != b {
			return false
		}
	}
	return true
}
