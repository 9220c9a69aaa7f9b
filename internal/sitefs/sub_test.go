package sitefs

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSub writes through views of two subdirectories: files land under
// them, a path is claimed once whichever view writes it, links and shared
// writes resolve inside the view, and unchanged files are kept from the
// previous tree on the next run.
func TestSub(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	run := func() Stats {
		d, err := Open(out, Options{Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Abort()
		if err := d.Write(marker, nil); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []string{"one", "two"} {
			v, err := d.Sub(sub)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Mkdir("r/x"); err != nil {
				t.Fatal(err)
			}
			if err := v.Write("index.html", []byte(sub)); err != nil {
				t.Fatal(err)
			}
			if err := v.Write("r/x/page.html", []byte("page "+sub)); err != nil {
				t.Fatal(err)
			}
			if err := v.Link("r/x/page.html", "r/x/alias.html"); err != nil {
				t.Fatal(err)
			}
			if err := v.WriteShared(nil, "r/x/shared.svg", []byte("same bytes")); err != nil {
				t.Fatal(err)
			}
			v.CloseDir("r/x")
		}
		if err := d.Write("one/index.html", []byte("again")); err == nil {
			t.Error("a path written through a view was written again from the top")
		}
		st := d.Stats()
		if err := d.Commit(); err != nil {
			t.Fatal(err)
		}
		return st
	}
	first := run()
	got := readTree(t, out)
	for name, want := range map[string]string{
		"one/index.html": "one", "two/index.html": "two",
		"one/r/x/page.html": "page one", "one/r/x/alias.html": "page one", "two/r/x/alias.html": "page two",
		"one/r/x/shared.svg": "same bytes", "two/r/x/shared.svg": "same bytes",
	} {
		if string(got[name]) != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}
	a, err := os.Stat(filepath.Join(out, "one/r/x/shared.svg"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.Stat(filepath.Join(out, "two/r/x/shared.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(a, b) {
		t.Error("shared bytes in two views are not one file")
	}
	if first.Files != 7 || first.Unchanged != 0 {
		t.Errorf("first run: %+v, want 7 files, none unchanged", first)
	}
	if second := run(); second.Unchanged != second.Files {
		t.Errorf("second run: %+v, want every file unchanged", second)
	}
}
