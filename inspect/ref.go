package inspect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// Ref names one image: [REGISTRY/]REPO[:TAG|@DIGEST].
type Ref struct {
	// Registry is host[:port], or "" when the reference names none.
	Registry string
	// Repo is the repository name.
	Repo string
	// Tag and Digest: Digest wins when both are given; Tag is "latest"
	// when neither is.
	Tag, Digest string
}

// Reference is the digest, else the tag.
func (r Ref) Reference() string {
	if r.Digest != "" {
		return r.Digest
	}
	return r.Tag
}

func (r Ref) String() string {
	s := r.Repo
	if r.Registry != "" {
		s = r.Registry + "/" + s
	}
	if r.Digest != "" {
		return s + "@" + r.Digest
	}
	return s + ":" + r.Tag
}

// ParseRef reads [REGISTRY/]REPO[:TAG|@DIGEST]. The first path component
// is the registry when it holds a "." or a ":" or is "localhost", as
// docker reads image names. Names, tags and digests are validated as a
// crawl validates them.
func ParseRef(s string) (Ref, error) {
	var r Ref
	if s == "" {
		return r, errors.New("image: empty reference")
	}
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.Digest, rest = rest[i+1:], rest[:i]
		if err := snapshot.ValidateDigest(r.Digest); err != nil {
			return r, fmt.Errorf("image %q: %w", snapshot.Truncate(s, 200), err)
		}
	}
	if first, after, ok := strings.Cut(rest, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		r.Registry, rest = strings.ToLower(first), after
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		r.Tag, rest = rest[i+1:], rest[:i]
		if err := snapshot.ValidateTag(r.Tag); err != nil {
			return r, fmt.Errorf("image %q: %w", snapshot.Truncate(s, 200), err)
		}
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	r.Repo = rest
	if err := snapshot.ValidateRepoName(r.Repo); err != nil {
		return r, fmt.Errorf("image %q: %w", snapshot.Truncate(s, 200), err)
	}
	return r, nil
}
