package sitefs

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// writeTree writes n small files in n/200 directories through d, from 8
// goroutines as a render does. gen changes every file's content when it
// changes.
func writeTree(b *testing.B, d *Dir, n, gen int) {
	b.Helper()
	const perDir = 200
	if err := d.Write(marker, nil); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n/perDir+1)
	sem := make(chan struct{}, 8)
	for dir := range n / perDir {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			name := fmt.Sprintf("r/%04d", dir)
			if err := d.Mkdir(name); err != nil {
				errs <- err
				return
			}
			defer d.CloseDir(name)
			for i := range perDir {
				if err := d.Write(fmt.Sprintf("%s/%03d.html", name, i), fmt.Appendf(nil, "<p>page %d of %d, generation %d</p>\n", i, dir, gen)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkSync compares the ways to make a tree of 20,000 small files
// durable: none (the baseline), an fsync of every file and directory
// before the swap (files), and what Commit does where it can, one
// syncfs(2) of the file system (whole; the same as files elsewhere).
// "unchanged" writes the same tree again, every file being linked from
// the previous one. Run with -benchtime=1x.
func BenchmarkSync(b *testing.B) {
	const n = 20000
	for _, mode := range []struct {
		name string
		o    Options
	}{
		{"none", Options{Marker: marker, noSync: true}},
		{"files", Options{Marker: marker, oneByOne: true}},
		{"whole", Options{Marker: marker}},
	} {
		for _, unchanged := range []bool{false, true} {
			name := mode.name + "/changed"
			if unchanged {
				name = mode.name + "/unchanged"
			}
			b.Run(name, func(b *testing.B) {
				out := filepath.Join(b.TempDir(), "out")
				gen := 0
				commit := func() {
					d, err := Open(out, mode.o)
					if err != nil {
						b.Fatal(err)
					}
					writeTree(b, d, n, gen)
					if err := d.Commit(); err != nil {
						b.Fatal(err)
					}
				}
				commit() // a previous tree, synced or not
				for b.Loop() {
					if !unchanged {
						gen++
					}
					commit()
				}
				b.ReportMetric(float64(n), "files/op")
			})
		}
	}
}
