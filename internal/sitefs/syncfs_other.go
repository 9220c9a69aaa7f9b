//go:build !linux

package sitefs

import (
	"errors"
	"os"
)

// canSyncFS: elsewhere files are synced one by one.
const canSyncFS = false

func syncFS(*os.File) error { return errors.ErrUnsupported }
