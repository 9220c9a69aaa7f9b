package crawler

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// parseRegistry turns host[:port] or http(s)://host[:port][/path] into a
// go-containerregistry registry. Userinfo, path, query and fragment are
// dropped, so no credential written into the address reaches a request
// URL, a log or the snapshot. "http://" and plainHTTP allow plain HTTP;
// go-containerregistry allows it for loopback hosts anyway.
func parseRegistry(s string, plainHTTP bool) (name.Registry, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return name.Registry{}, errors.New("registry: empty address")
	}
	host := s
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		switch strings.ToLower(scheme) {
		case "http":
			plainHTTP = true
		case "https":
		default:
			return name.Registry{}, fmt.Errorf("registry: scheme %q is not http or https", scheme)
		}
		u, err := url.Parse("x://" + rest)
		if err != nil {
			// The parse error would quote the address, userinfo included.
			return name.Registry{}, errors.New("registry: malformed URL")
		}
		host = u.Host
	} else {
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
	}
	if host == "" {
		return name.Registry{}, errors.New("registry: no host in address")
	}
	opts := []name.Option{name.StrictValidation}
	if plainHTTP {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(strings.ToLower(host), opts...)
	if err != nil {
		return name.Registry{}, fmt.Errorf("registry %q: %w", host, err)
	}
	return reg, nil
}
