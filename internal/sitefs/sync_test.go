package sitefs

import (
	"io"
	"path/filepath"
	"testing"
)

// TestSyncWays writes and replaces a tree each way of syncing it, and
// checks the way chosen and what the target holds after each Commit.
func TestSyncWays(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     Options
		whole bool // synced with syncFS
	}{
		{"default", Options{Marker: marker}, canSyncFS},
		{"files", Options{Marker: marker, oneByOne: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "site")
			for gen, body := range []string{"first", "second"} {
				d, err := Open(out, tc.o)
				if err != nil {
					t.Fatal(err)
				}
				if got := d.whole != nil; got != tc.whole || (d.sync == nil) != tc.whole {
					t.Fatalf("generation %d: whole = %v, syncer = %v; want whole %v", gen, got, d.sync != nil, tc.whole)
				}
				if err := d.Write(marker, nil); err != nil {
					t.Fatal(err)
				}
				if err := d.Mkdir("a/b"); err != nil {
					t.Fatal(err)
				}
				if err := d.Write("a/b/page.html", []byte(body)); err != nil {
					t.Fatal(err)
				}
				if err := d.WriteStream("a/stream.txt", func(w io.Writer) error {
					_, err := io.WriteString(w, body+" stream")
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if err := d.Commit(); err != nil {
					t.Fatal(err)
				}
				got := readTree(t, out)
				if string(got["a/b/page.html"]) != body || string(got["a/stream.txt"]) != body+" stream" || len(got) != 3 {
					t.Errorf("generation %d: tree %q", gen, got)
				}
			}
		})
	}
}
