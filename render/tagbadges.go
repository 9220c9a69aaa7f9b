package render

import (
	"fmt"
	"regexp"
)

// TagBadges is the policy for which tags get badges of their own
// (badges/<repo>/<tag>/); a repository's own badges are always written.
type TagBadges string

// The tag badge policies.
const (
	// TagBadgesDefault writes badges for the tags a README is likely to
	// embed: see [TagBadges.Wants]. The zero value means it.
	TagBadgesDefault TagBadges = "default"
	// TagBadgesAll writes badges for every valid tag.
	TagBadgesAll TagBadges = "all"
	// TagBadgesNone writes no tag badges.
	TagBadgesNone TagBadges = "none"
)

// ParseTagBadges reads a policy name: all, default or none.
func ParseTagBadges(s string) (TagBadges, error) {
	switch p := TagBadges(s); p {
	case TagBadgesAll, TagBadgesDefault, TagBadgesNone:
		return p, nil
	}
	return "", fmt.Errorf("tag badges %q: want all, default or none", s)
}

// versionAlias is a moving version tag, one that follows the newest
// release of a major or minor version: an optional "v", a major of 1 to
// 4 digits, at most one more dot-separated number, and an optional
// suffix after "-" or "+" (1, v2, 1.2, 3.19-alpine, 2024.05). A full
// release (1.2.3, v1.2.3-rc.1, 1.2.3.4) names one build for good, and a
// README embeds the alias, not it. It also leaves out CI tags: sha-…,
// pr-…, main-123, commit hashes and long numbers such as build numbers
// or timestamps.
var versionAlias = regexp.MustCompile(`^v?[0-9]{1,4}(\.[0-9]+)?([-+][0-9A-Za-z][0-9A-Za-z._-]*)?$`)

// channelTags are the moving tags that name a release channel.
var channelTags = map[string]bool{"latest": true, "stable": true}

// Wants reports whether p writes badges for tag of a repository whose
// own badges follow badgeTag. With TagBadgesDefault (and the zero
// value): the tags a README embeds, which move with new releases: the
// badge tag, latest and stable, and version aliases (see versionAlias).
// It depends on the tag's name alone, so a tag's badge URLs do not come
// and go as other tags are pushed: the newest tag of a repository without
// the badge tag, which the repository's own badges follow, gets none for
// being the newest (they would vanish with the next release).
func (p TagBadges) Wants(tag, badgeTag string) bool {
	switch p {
	case TagBadgesAll:
		return true
	case TagBadgesNone:
		return false
	}
	return tag == badgeTag || channelTags[tag] || versionAlias.MatchString(tag)
}

func (c *Config) tagBadges() TagBadges {
	if c.TagBadges == "" {
		return TagBadgesDefault
	}
	return c.TagBadges
}
