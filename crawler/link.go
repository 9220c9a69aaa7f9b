package crawler

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// errForeignLink is wrapped by the error for a pagination Link that points
// to another scheme or host. Following it could send the registry's
// credentials elsewhere, so the crawler refuses.
var errForeignLink = errors.New("pagination link to another host refused")

// maxLinkHeader caps the Link header text parsed.
const maxLinkHeader = 16 << 10

// nextLink returns the target of the rel="next" entry of the Link header
// values (RFC 8288), resolved against base, or nil when there is none. The
// target must keep base's scheme and host and carry no userinfo; otherwise
// the error wraps errForeignLink.
func nextLink(base *url.URL, values []string) (*url.URL, error) {
	header := strings.Join(values, ",")
	if len(header) > maxLinkHeader {
		return nil, fmt.Errorf("link header of %d bytes is over the %d-byte cap", len(header), maxLinkHeader)
	}
	target, ok := findNext(header)
	if !ok {
		return nil, nil
	}
	ref, err := url.Parse(target)
	if err != nil {
		return nil, errors.New("malformed link target")
	}
	u := base.ResolveReference(ref)
	u.Fragment, u.RawFragment = "", ""
	if u.User != nil || !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		return nil, fmt.Errorf("%w (%s://%s)", errForeignLink, strings.ToLower(u.Scheme), u.Host)
	}
	return u, nil
}

// findNext scans link-values (`<target>; param=value; ..., <target>; ...`)
// for the first whose rel parameter lists "next". Quoted parameter values
// may hold commas and semicolons.
func findNext(h string) (string, bool) {
	for {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			return "", false
		}
		j := strings.IndexByte(h[i:], '>')
		if j < 0 {
			return "", false
		}
		target := h[i+1 : i+j]
		h = h[i+j+1:]
		params, rest := splitParams(h)
		h = rest
		for _, p := range params {
			k, v, _ := strings.Cut(p, "=")
			if !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			v = strings.Trim(strings.TrimSpace(v), `"`)
			for _, rel := range strings.Fields(v) {
				if strings.EqualFold(rel, "next") {
					return target, true
				}
			}
		}
	}
}

// splitParams splits the `; k=v; k="v"` parameters that follow a link
// target up to the comma that ends the link-value, and returns the rest.
func splitParams(h string) (params []string, rest string) {
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c == '"':
			quoted = !quoted
			cur.WriteByte(c)
		case c == '\\' && quoted && i+1 < len(h):
			cur.WriteByte(h[i+1])
			i++
		case c == ';' && !quoted:
			params = append(params, cur.String())
			cur.Reset()
		case c == ',' && !quoted:
			return append(params, cur.String()), h[i+1:]
		default:
			cur.WriteByte(c)
		}
	}
	return append(params, cur.String()), ""
}
