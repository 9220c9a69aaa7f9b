package sitefs

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
)

// WriteStream writes the file name (slash-separated) with the bytes
// write writes to w, as [Dir.Write] writes a file, without them all in
// memory at once: for the files of a site that grow with it (indexes of
// every image). The bytes go to the new tree as they come, compared on
// the way with the previous tree's file of that name; when they are the
// same, the new file is replaced by a link of the old one, which keeps
// its modification time as Write does. An error of write fails the
// write, leaving a partial file that Abort removes with the tree.
func (d *Dir) WriteStream(name string, write func(w io.Writer) error) error {
	name = d.prefix + name
	if err := d.claim(name, nil); err != nil {
		return err
	}
	o, base := d.root(name)
	defer o.release()
	f, dir, err := d.newFile(o, base, name)
	if err != nil {
		return err
	}
	c := &comparer{w: f}
	if old := d.openOld(o, base, name); old != nil {
		defer old.Close()
		c.old = old
	}
	bw := bufio.NewWriterSize(c, 64<<10)
	if err := cmp.Or(write(bw), bw.Flush()); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	d.resize(name, c.n)
	if c.same() {
		if err := cmp.Or(f.Close(), dir.Remove(base)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return d.keep(name)
	}
	return d.handOver(f, name)
}

// openOld opens name in the previous tree when that is a regular file,
// or returns nil; o and base are what root returns for name.
func (d *Dir) openOld(o *openDir, base, name string) *os.File {
	dir, rel := d.oldRoot(o, base, name)
	if dir == nil {
		return nil
	}
	if fi, err := dir.Lstat(rel); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	f, err := dir.Open(rel)
	if err != nil {
		return nil
	}
	return f
}

// resize records n bytes as the size of name, claimed with none.
func (d *Dir) resize(name string, n int64) {
	d.mu.Lock()
	d.written[keyOf(name)] = n
	d.mu.Unlock()
	d.bytes.Add(n)
}

// A comparer writes to w and compares what it writes with old, as far
// as they agree.
type comparer struct {
	w   io.Writer
	old io.Reader // nil once they differ, or when there is none
	n   int64     // bytes written
}

func (c *comparer) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if c.old != nil && !c.next(p[:n]) {
		c.old = nil
	}
	return n, err
}

// next reports whether old's next bytes are p.
func (c *comparer) next(p []byte) bool {
	b := compareBufs.Get().(*[]byte)
	defer compareBufs.Put(b)
	buf := *b
	for len(p) > 0 {
		n, err := io.ReadFull(c.old, buf[:min(len(buf), len(p))])
		if err != nil || !bytes.Equal(buf[:n], p[:n]) {
			return false
		}
		p = p[n:]
	}
	return true
}

// same reports whether old held exactly what was written: every byte
// agreed and old ends there.
func (c *comparer) same() bool {
	if c.old == nil {
		return false
	}
	var one [1]byte
	n, err := io.ReadFull(c.old, one[:])
	return n == 0 && err == io.EOF
}
