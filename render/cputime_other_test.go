//go:build !unix

package render

import "time"

// cpuTime is the processor time the process has used, where known.
func cpuTime() (time.Duration, bool) { return 0, false }
