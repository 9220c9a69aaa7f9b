package sitefs

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// streamOnce writes name with content through WriteStream, in pieces of
// piece bytes, into a Dir on out, commits it and returns its Stats.
func streamOnce(t *testing.T, out, name string, content []byte, piece int) Stats {
	t.Helper()
	d, err := Open(out, Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(marker, nil); err != nil {
		t.Fatal(err)
	}
	if dir := filepath.Dir(name); dir != "." {
		if err := d.Mkdir(filepath.ToSlash(dir)); err != nil {
			t.Fatal(err)
		}
	}
	err = d.WriteStream(name, func(w io.Writer) error {
		for b := content; len(b) > 0; b = b[min(piece, len(b)):] {
			if _, err := w.Write(b[:min(piece, len(b))]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if size, ok := d.Sizes([]string{name}); !ok || size != int64(len(content)) {
		t.Errorf("Sizes = %d, %v; want %d", size, ok, len(content))
	}
	st := d.Stats()
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestWriteStream streams a file over a previous one and checks its
// bytes, and that it was kept (linked, mtime unchanged) exactly when the
// bytes were the same, across the comparer's 64 KiB chunks.
func TestWriteStream(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes
	lastDiffers := bytes.Clone(big)
	lastDiffers[len(big)-1] = 'X'
	for _, tc := range []struct {
		name     string
		old, new []byte
		piece    int
		kept     bool
	}{
		{"same", big, big, 1000, true},
		{"same, one write", big, big, len(big), true},
		{"same, in odd pieces", big, big, 7777, true},
		{"empty, same", []byte{}, []byte{}, 1, true},
		{"last byte differs", big, lastDiffers, 4096, false},
		{"new is shorter", big, big[:len(big)-1], 4096, false},
		{"new is longer", big[:len(big)-1], big, 4096, false},
		{"new is longer by a chunk", big[:len(big)-70000], big, 70000, false},
		{"no old file", nil, big, 4096, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			const name = "api/labels.json"
			if tc.old != nil {
				streamOnce(t, out, name, tc.old, len(tc.old)+1)
			} else {
				write(t, out, map[string]string{"other": "o"})
			}
			old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
			path := filepath.Join(out, filepath.FromSlash(name))
			os.Chtimes(path, old, old)
			st := streamOnce(t, out, name, tc.new, tc.piece)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.new) {
				t.Errorf("file holds %d bytes, want the %d streamed", len(got), len(tc.new))
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if kept := fi.ModTime().Equal(old); kept != tc.kept {
				t.Errorf("mtime kept = %v, want %v", kept, tc.kept)
			}
			// The marker is unchanged in every second write.
			if want := 1 + map[bool]int{true: 1}[tc.kept]; st.Unchanged != want || st.Files != 2 || st.Bytes != int64(len(tc.new)) {
				t.Errorf("Stats = %+v, want 2 files, %d unchanged, %d bytes", st, want, len(tc.new))
			}
		})
	}
}

// TestWriteStreamFails checks that an error of the writing function is
// WriteStream's, and a name written before is refused.
func TestWriteStreamFails(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "out"), Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	boom := errors.New("boom")
	err = d.WriteStream("f", func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("WriteStream = %v, want the writer's error", err)
	}
	if err := d.Write("g", []byte("g")); err != nil {
		t.Fatal(err)
	}
	err = d.WriteStream("g", func(w io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "written twice") {
		t.Errorf("WriteStream of a written name = %v, want written twice", err)
	}
}
