//go:build unix

package sitefs

import (
	"errors"
	"syscall"
)

// processAlive reports whether process pid may still be running: signal 0
// checks for its existence without signalling it (kill(2)); EPERM means
// it exists under another user.
func processAlive(pid int) bool {
	if pid <= 0 {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
