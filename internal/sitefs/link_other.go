//go:build !linux

package sitefs

import "os"

// linkIn hard-links the file name of dir from the previous tree into the
// new one. Without linkat(2) in package syscall it links by path from
// the trees' parent, as [Dir.Write] does for an unchanged file.
func (d *Dir) linkIn(_, _ *os.File, dir, name string) error {
	return d.parent.Link(d.outBase+"/"+dir+"/"+name, d.tmpBase+"/"+dir+"/"+name)
}
