package snapshot

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Limits on names, from the OCI Distribution Specification ("Pulling
// manifests": <name> and <reference> grammar) and the distribution
// registry's reference package.
const (
	// MaxRepoNameLen is the longest repository name accepted. Longer names
	// could not be stored as a file name (NAME_MAX is 255 bytes).
	MaxRepoNameLen = 250
	// MaxTagLen is the longest tag the specification allows.
	MaxTagLen = 128
)

var (
	repoNameRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$`)
	tagRE      = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)
	digestRE   = regexp.MustCompile(`^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$`)
)

// ErrInvalidName is wrapped by the errors of [ValidateRepoName],
// [ValidateTag] and [ValidateDigest].
var ErrInvalidName = errors.New("invalid name")

// ValidateRepoName reports whether name is a repository name that the
// Distribution Specification allows and that is short enough to be stored.
// A valid name has no "..", no leading "/", and only [a-z0-9._/-], so it is
// safe to derive paths from.
func ValidateRepoName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty repository name", ErrInvalidName)
	case len(name) > MaxRepoNameLen:
		return fmt.Errorf("%w: repository name of %d bytes is over the limit of %d", ErrInvalidName, len(name), MaxRepoNameLen)
	case !repoNameRE.MatchString(name):
		return fmt.Errorf("%w: repository name %q does not match the distribution grammar", ErrInvalidName, name)
	}
	return nil
}

// ValidateTag reports whether tag is a tag the Distribution Specification
// allows: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
func ValidateTag(tag string) error {
	switch {
	case tag == "":
		return fmt.Errorf("%w: empty tag", ErrInvalidName)
	case len(tag) > MaxTagLen:
		return fmt.Errorf("%w: tag of %d bytes is over the limit of %d", ErrInvalidName, len(tag), MaxTagLen)
	case !tagRE.MatchString(tag):
		return fmt.Errorf("%w: tag %q does not match the distribution grammar", ErrInvalidName, tag)
	}
	return nil
}

// ValidateDigest reports whether d is a sha256 or sha512 digest in
// canonical lower-case hex form.
func ValidateDigest(d string) error {
	if !digestRE.MatchString(d) {
		return fmt.Errorf("%w: digest %q is not a canonical sha256 or sha512 digest", ErrInvalidName, Truncate(d, 80))
	}
	return nil
}

// RepoPath returns the path, relative to the snapshot directory and with
// forward slashes, of the file holding repository name:
// "repos/" + name with each "/" replaced by "~" + ".json". The mapping is
// one-to-one because "~" cannot appear in a valid name. It returns an error
// for a name [ValidateRepoName] rejects, so no name can escape the
// directory.
func RepoPath(name string) (string, error) {
	if err := ValidateRepoName(name); err != nil {
		return "", err
	}
	return "repos/" + strings.ReplaceAll(name, "/", "~") + ".json", nil
}
