package render

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// webURL returns s as a link target when it is an absolute http or https
// URL with a host and without credentials, else "". Only such links are
// made from registry text: javascript:, data:, relative and other URLs
// stay plain text.
func webURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2048 || !isPlain(s) || strings.ContainsAny(s, " \t\n") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return u.String()
}

// revisionRE matches a git commit id, abbreviated or full (SHA-1 or
// SHA-256).
var revisionRE = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// commitURL returns the web page of revision in the repository at
// source, for the forges whose URL scheme is known, else "".
func commitURL(source, revision string) string {
	src := webURL(source)
	if src == "" || !revisionRE.MatchString(revision) {
		return ""
	}
	u, _ := url.Parse(src)
	host := strings.ToLower(strings.TrimPrefix(u.Host, "www."))
	p := strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
	parts := strings.Split(p, "/")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return ""
	}
	var path string
	switch host {
	case "github.com":
		path = parts[0] + "/" + parts[1] + "/commit/" + revision
	case "codeberg.org":
		path = parts[0] + "/" + parts[1] + "/commit/" + revision
	case "bitbucket.org":
		path = parts[0] + "/" + parts[1] + "/commits/" + revision
	case "gitlab.com":
		// GitLab projects may sit in nested groups; "/-/" ends the
		// project path.
		if i := slices.Index(parts, "-"); i >= 0 {
			parts = parts[:i]
		}
		path = strings.Join(parts, "/") + "/-/commit/" + revision
	default:
		return ""
	}
	return (&url.URL{Scheme: "https", Host: host, Path: "/" + path}).String()
}
