//go:build linux

package sitefs

import (
	"os"
	"syscall"
	"unsafe"
)

// linkIn hard-links the file name of directory from (dir of the previous
// tree) into directory to (dir of the new tree) with one linkat(2)
// (package syscall has no Linkat on Linux), where os.Root.Link would
// open every component of both paths. name is a plain file name (see
// plainName), so it cannot leave either directory, and a symbolic link
// at name is linked itself, not followed.
func (d *Dir) linkIn(from, to *os.File, _, name string) error {
	p, err := syscall.BytePtrFromString(name)
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall6(syscall.SYS_LINKAT, from.Fd(), uintptr(unsafe.Pointer(p)), to.Fd(), uintptr(unsafe.Pointer(p)), 0, 0)
	if errno != 0 {
		return &os.LinkError{Op: "linkat", Old: name, New: name, Err: errno}
	}
	return nil
}
