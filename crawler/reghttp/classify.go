package reghttp

import (
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
)

// retryableStatus reports the statuses worth another attempt: rate limiting
// and the server-side failures that proxies and registries emit while
// restarting or overloaded.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests,
		http.StatusInternalServerError,
		http.StatusBadGateway,
		http.StatusServiceUnavailable,
		http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableError reports transient transport failures: our own attempt
// timers and deadline, network timeouts, resets, refused connections (a registry that is
// restarting) and bodies cut short. TLS and certificate errors, oversized
// bodies and malformed responses are permanent.
func retryableError(err error) bool {
	if errors.Is(err, ErrTooLarge) {
		return false
	}
	if errors.Is(err, ErrHeaderTimeout) || errors.Is(err, ErrStalled) || errors.Is(err, ErrDeadline) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
