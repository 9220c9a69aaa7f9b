package sitefs

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestCloseDirWhileInUse closes and reopens a directory again and again
// while other goroutines create, write and link files in it and in
// directories below it, as render's badge jobs do with a repository's
// directory ("a") and a nested repository's ("a/b"). A use that races
// with the close must still succeed: the descriptors stay open until the
// last use ends.
func TestCloseDirWhileInUse(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	d, err := Open(out, Options{Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := d.Mkdir("a"); err != nil {
		t.Fatal(err)
	}
	const workers, files = 4, 200
	errs := make(chan error, workers+1)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			d.CloseDir("a")
			if err := d.Mkdir("a"); err != nil {
				errs <- err
				return
			}
		}
	})
	var users sync.WaitGroup
	for w := range workers {
		users.Go(func() {
			for i := range files {
				sub := fmt.Sprintf("a/w%d-%d", w, i)
				if err := d.Mkdir(sub); err != nil {
					errs <- err
					return
				}
				if err := d.Write(sub+"/f", []byte(sub)); err != nil {
					errs <- err
					return
				}
				if err := d.WriteShared(nil, fmt.Sprintf("a/s%d-%d", w, i), []byte("same")); err != nil {
					errs <- err
					return
				}
				d.CloseDir(sub)
			}
		})
	}
	users.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, want := len(readTree(t, out)), 2*workers*files; got != want {
		t.Errorf("%d files, want %d", got, want)
	}
}
