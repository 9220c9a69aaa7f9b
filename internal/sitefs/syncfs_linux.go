package sitefs

import (
	"os"

	"golang.org/x/sys/unix"
)

// canSyncFS: Linux syncs a whole file system with syncfs(2).
const canSyncFS = true

// syncFS writes out everything cached of the file system f is on, data
// and metadata, and waits for it. Since Linux 5.8 it also fails when a
// write-back error happened on that file system after f was opened.
func syncFS(f *os.File) error {
	for {
		err := unix.Syncfs(int(f.Fd()))
		if err != unix.EINTR {
			return err
		}
	}
}
