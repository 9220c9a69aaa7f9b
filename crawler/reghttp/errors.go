package reghttp

import (
	"errors"
	"fmt"
)

// ErrTooLarge is matched by errors.Is for every [*TooLargeError].
var ErrTooLarge = errors.New("response body too large")

// ErrStalled reports a response body that sent no byte for
// Config.StallTimeout. The transport retries it.
var ErrStalled = errors.New("response body stalled")

// ErrHeaderTimeout reports an attempt that got no response headers within
// Config.HeaderTimeout. The transport retries it.
var ErrHeaderTimeout = errors.New("no response headers before timeout")

// ErrDeadline reports an attempt that did not finish, body included,
// within Config.Deadline. The transport retries it.
var ErrDeadline = errors.New("request attempt exceeded its deadline")

// TooLargeError reports a response body longer than Config.MaxBody. It is
// never retried: the registry would send the same bytes again.
type TooLargeError struct {
	// Limit is the cap in bytes.
	Limit int64
	// Length is the announced Content-Length, or -1 when the body was
	// unannounced and overflowed while being read.
	Length int64
}

// Error describes the overflow without naming the URL.
func (e *TooLargeError) Error() string {
	if e.Length >= 0 {
		return fmt.Sprintf("response body of %d bytes exceeds the %d-byte cap", e.Length, e.Limit)
	}
	return fmt.Sprintf("response body exceeds the %d-byte cap", e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }
