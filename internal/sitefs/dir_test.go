package sitefs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const marker = ".marker"

// readTree returns every regular file under dir by slash-separated path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// write writes files (with their directories) through a Dir on out and
// commits it.
func write(t *testing.T, out string, files map[string]string) Stats {
	t.Helper()
	d, err := Open(out, Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{marker}
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if dir := filepath.ToSlash(filepath.Dir(n)); dir != "." {
			if err := d.Mkdir(dir); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Write(n, []byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	st := d.Stats()
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	return st
}

// parentNames lists the entries of dir's parent.
func parentNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestRefusesForeignDirectory(t *testing.T) {
	tests := []struct {
		name   string
		marker string
		setup  func(t *testing.T, out string)
	}{
		{"non-empty directory", marker, func(t *testing.T, out string) {
			os.MkdirAll(out, 0o755)
			os.WriteFile(filepath.Join(out, "thesis.tex"), []byte("years of work"), 0o644)
		}},
		{"file", marker, func(t *testing.T, out string) {
			os.WriteFile(out, []byte("not a directory"), 0o644)
		}},
		{"marker is a directory", marker, func(t *testing.T, out string) {
			os.MkdirAll(filepath.Join(out, marker), 0o755)
		}},
		{"marker is a symlink", marker, func(t *testing.T, out string) {
			os.MkdirAll(out, 0o755)
			os.WriteFile(filepath.Join(out, "x"), nil, 0o644)
			os.Symlink("x", filepath.Join(out, marker))
		}},
		{"no marker option", "", func(t *testing.T, out string) {
			os.MkdirAll(out, 0o755)
			os.WriteFile(filepath.Join(out, marker), nil, 0o644)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			tt.setup(t, out)
			before := readTree(t, filepath.Dir(out))
			d, err := Open(out, Options{Marker: tt.marker})
			if !errors.Is(err, ErrNotReplaceable) {
				if err == nil {
					d.Abort()
				}
				t.Fatalf("Open = %v, want ErrNotReplaceable", err)
			}
			after := readTree(t, filepath.Dir(out))
			if len(after) != len(before) {
				t.Errorf("Open changed the directory: %d files before, %d after", len(before), len(after))
			}
			for n, b := range before {
				if !bytes.Equal(after[n], b) {
					t.Errorf("%s changed", n)
				}
			}
		})
	}
}

func TestEmptyDirectoryIsReplaceable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(out, 0o755)
	write(t, out, map[string]string{"a/b.txt": "b"})
	if got := readTree(t, out); string(got["a/b.txt"]) != "b" || len(got) != 2 {
		t.Fatalf("tree = %v", got)
	}
}

// TestAbortKeepsPrevious writes part of a new tree, aborts, and checks
// the previous tree is untouched and no temporary directory is left.
func TestAbortKeepsPrevious(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	write(t, out, map[string]string{"a/1": "one", "2": "two"})
	before := readTree(t, out)
	d, err := Open(out, Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	d.Mkdir("a")
	if err := d.Write("a/1", []byte("changed")); err != nil {
		t.Fatal(err)
	}
	d.Abort()
	d.Abort() // a no-op
	if err := d.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	after := readTree(t, out)
	if len(after) != len(before) || string(after["a/1"]) != "one" {
		t.Errorf("tree after Abort = %v, want %v", after, before)
	}
	if names := parentNames(t, out); len(names) != 1 {
		t.Errorf("parent holds %v after Abort, want only the target", names)
	}
}

func TestWrittenTwice(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "out"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := d.Write("x", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := d.Write("x", []byte("2")); err == nil || !strings.Contains(err.Error(), "written twice") {
		t.Errorf("second Write = %v, want a written-twice error", err)
	}
	if err := d.WriteShared(nil, "x", []byte("2")); err == nil {
		t.Error("WriteShared of a written path succeeded")
	}
}

// TestUnchangedFilesKeepMtime rewrites a tree and checks that files whose
// bytes did not change were linked, not rewritten, whether their
// directory is open or not.
func TestUnchangedFilesKeepMtime(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	files := map[string]string{"top": "t", "a/same": "s", "a/changed": "c1", "a/b/deep": "d", "a/empty": "", "new/x": "x"}
	delete(files, "new/x")
	write(t, out, files)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return err
	})
	files["a/changed"] = "c2"
	files["new/x"] = "x"
	st := write(t, out, files)
	if st.Files != 7 || st.Unchanged != 5 || st.Bytes != int64(len("tsc2dx")) {
		t.Errorf("Stats = %+v, want 7 files, 5 unchanged, 6 bytes", st)
	}
	for name, want := range map[string]bool{"top": true, "a/same": true, "a/b/deep": true, "a/empty": true, marker: true, "a/changed": false, "new/x": false} {
		fi, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if kept := fi.ModTime().Equal(old); kept != want {
			t.Errorf("%s: mtime kept = %v, want %v", name, kept, want)
		}
	}
	if got := readTree(t, out); string(got["a/changed"]) != "c2" || len(got) != 7 {
		t.Errorf("tree = %v", got)
	}
}

// TestWriteSharedLinks writes one content at many paths, twice, and
// checks it is one inode per render, the second render keeping the
// first's.
func TestWriteSharedLinks(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	render := func(content string) Stats {
		d, err := Open(out, Options{Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		d.Write(marker, nil)
		d.Mkdir("b")
		for _, dir := range []string{"b/x", "b/y"} {
			if err := d.Mkdir(dir); err != nil {
				t.Fatal(err)
			}
			g := NewGroup()
			for _, n := range []string{"1", "2", "3"} {
				if err := d.WriteShared(g, dir+"/"+n, []byte(content)); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.WriteShared(g, dir+"/own", []byte(dir)); err != nil {
				t.Fatal(err)
			}
			d.CloseDir(dir)
		}
		st := d.Stats()
		if err := d.Commit(); err != nil {
			t.Fatal(err)
		}
		return st
	}
	inodes := func() map[string]os.FileInfo {
		m := map[string]os.FileInfo{}
		for _, n := range []string{"b/x/1", "b/x/2", "b/x/3", "b/y/1", "b/y/2", "b/y/3"} {
			fi, err := os.Stat(filepath.Join(out, n))
			if err != nil {
				t.Fatal(err)
			}
			m[n] = fi
		}
		return m
	}
	oneInode := func(m map[string]os.FileInfo) os.FileInfo {
		t.Helper()
		first := m["b/x/1"]
		for n, fi := range m {
			if !os.SameFile(first, fi) {
				t.Errorf("%s is not a link of b/x/1", n)
			}
		}
		return first
	}
	render("same")
	a := oneInode(inodes())
	if st := render("same"); st.Unchanged != st.Files {
		t.Errorf("second render: %d of %d unchanged", st.Unchanged, st.Files)
	}
	if b := oneInode(inodes()); !os.SameFile(a, b) {
		t.Error("second render of the same content did not keep its inode")
	}
	if st := render("other"); st.Unchanged != 3 { // the marker and the two own files
		t.Errorf("changed render: %d unchanged, want 3", st.Unchanged)
	}
	c := oneInode(inodes())
	if os.SameFile(a, c) {
		t.Error("changed content kept the old inode")
	}
	if got := readTree(t, out); string(got["b/y/2"]) != "other" || string(got["b/y/own"]) != "b/y" {
		t.Errorf("tree = %v", got)
	}
}

func TestLink(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	d, err := Open(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Mkdir("a/b")
	d.Mkdir("c")
	d.Write("a/b/f", []byte("f"))
	for _, n := range []string{"a/b/g", "c/h", "i"} {
		if err := d.Link("a/b/f", n); err != nil {
			t.Fatalf("Link to %s: %v", n, err)
		}
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Stat(filepath.Join(out, "a/b/f"))
	for _, n := range []string{"a/b/g", "c/h", "i"} {
		if fi, err := os.Stat(filepath.Join(out, n)); err != nil || !os.SameFile(f, fi) {
			t.Errorf("%s: not a link of a/b/f (%v)", n, err)
		}
	}
}

// deadPid returns the process id of a process that has exited.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestOpenCleansStale leaves temporary trees of a dead process, of a live
// one and of an unknown format beside a target, and checks Open removes
// only the dead one's.
func TestOpenCleansStale(t *testing.T) {
	dead, live := deadPid(t), os.Getpid()
	tests := []struct {
		name     string
		haveBase bool
		entries  []string // beside the target, each a tree with a marker
		want     []string // entries left after Open
		restored string   // the entry that becomes the target, if any
	}{
		{
			name:     "dead writer",
			haveBase: true,
			entries:  []string{tempName("out", kindTmp, dead, 1), tempName("out", kindOld, dead, 1)},
			want:     []string{"out"},
		},
		{
			name:     "live writer",
			haveBase: true,
			entries:  []string{tempName("out", kindTmp, live, 2), tempName("out", kindOld, live, 2)},
			want:     []string{tempName("out", kindOld, live, 2), tempName("out", kindTmp, live, 2), "out"},
		},
		{
			name:     "killed between renames",
			entries:  []string{tempName("out", kindTmp, dead, 3), tempName("out", kindOld, dead, 3)},
			want:     []string{"out"},
			restored: tempName("out", kindOld, dead, 3),
		},
		{
			name:    "live writer between renames",
			entries: []string{tempName("out", kindOld, live, 4)},
			want:    []string{tempName("out", kindOld, live, 4)},
		},
		{
			name:     "other names",
			haveBase: true,
			entries:  []string{".out.tmp-123456", ".out.tmp-x-00000000", ".outer.tmp-1-00000000", tempName("out2", kindTmp, dead, 5), "out.old-1-00000000"},
			want:     []string{".out.tmp-123456", ".out.tmp-x-00000000", tempName("out2", kindTmp, dead, 5), ".outer.tmp-1-00000000", "out", "out.old-1-00000000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			if tt.haveBase {
				write(t, out, map[string]string{"f": "base"})
			}
			for _, e := range tt.entries {
				os.MkdirAll(filepath.Join(parent, e), 0o755)
				os.WriteFile(filepath.Join(parent, e, marker), nil, 0o644)
				os.WriteFile(filepath.Join(parent, e, "f"), []byte(e), 0o644)
			}
			d, err := Open(out, Options{Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			d.Abort()
			if got := parentNames(t, out); !slices.Equal(got, tt.want) {
				t.Errorf("after Open: %q, want %q", got, tt.want)
			}
			want := "base"
			if tt.restored != "" {
				want = tt.restored
			}
			if b, err := os.ReadFile(filepath.Join(out, "f")); (tt.haveBase || tt.restored != "") && string(b) != want {
				t.Errorf("target holds %q (%v), want %q", b, err, want)
			}
		})
	}
}

func TestParseTemp(t *testing.T) {
	for _, tt := range []struct {
		name, kind string
		pid        int
	}{
		{".out.tmp-12-0000abcd", kindTmp, 12},
		{".out.old-7-ffffffff", kindOld, 7},
		{".out.tmp-0-00000000", "", 0},
		{".out.tmp-012-00000000", "", 0},
		{".out.tmp--1-00000000", "", 0},
		{".out.tmp-1-0000000", "", 0},
		{".out.tmp-1-0000000g", "", 0},
		{".out.tmp-1-00000000.tmp-2-00000000", "", 0},
		{".out.new-1-00000000", "", 0},
		{".other.tmp-1-00000000", "", 0},
	} {
		kind, pid, ok := parseTemp("out", tt.name)
		if kind != tt.kind || pid != tt.pid || ok != (tt.kind != "") {
			t.Errorf("parseTemp(%q) = %q, %d, %v", tt.name, kind, pid, ok)
		}
	}
	if name := tempName("out", kindOld, 42, 0xab); name != ".out.old-42-000000ab" {
		t.Errorf("tempName = %q", name)
	}
}

// TestSameBytes compares files with bytes across the boundaries of the
// comparison buffer.
func TestSameBytes(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10/16*3+5) // three buffers and a bit
	changed := bytes.Clone(big)
	changed[64<<10+7] ^= 1
	tests := []struct {
		name       string
		file, want []byte
		same       bool
	}{
		{"empty", nil, nil, true},
		{"empty file", nil, []byte("x"), false},
		{"empty want", []byte("x"), nil, false},
		{"equal", []byte("abc"), []byte("abc"), true},
		{"file shorter", []byte("ab"), []byte("abc"), false},
		{"file longer", []byte("abcd"), []byte("abc"), false},
		{"differ", []byte("abd"), []byte("abc"), false},
		{"large equal", big, bytes.Clone(big), true},
		{"large differ in the second buffer", changed, big, false},
		{"large file one byte longer", append(bytes.Clone(big), 'x'), big, false},
		{"large file one buffer shorter", big[:len(big)-64<<10], big, false},
		{"exactly one buffer", big[:64<<10], big[:64<<10], true},
	}
	for _, tt := range tests {
		if got := sameBytes(bytes.NewReader(tt.file), tt.want); got != tt.same {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.same)
		}
	}
}
