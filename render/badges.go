package render

import (
	"strconv"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// badgeKind is one kind of badge: its name is its label and the base of
// its SVG file name (<name>.svg) and of its member of badgeSetFile.
type badgeKind struct {
	name string
	draw func(im *snapshot.Image, tag string) badge.Badge
}

// badgeKinds are the badges of every repository and tag, in page order.
// draw gets the image a badge describes (nil when there is none) and the
// tag it is drawn for ("" for an untagged image); it never fails: data
// that is missing gives a grey badge, so every badge URL has a file.
var badgeKinds = []badgeKind{
	{"version", versionBadge},
	{"size", sizeBadge},
	{"layers", layersBadge},
	{"image", imageBadge},
	{"created", createdBadge},
	{"commit", commitBadge},
	{"license", licenseBadge},
	{"platforms", platformsBadge},
	{"signed", signedBadge},
	{"sbom", sbomBadge},
}

// badgeColor is the colour of a badge that says something; badges for
// missing data are badge.DefaultColor grey.
const badgeColor = badge.Blue

// badgeDefaultPlatform is the platform whose size and layers badges of a
// multi-platform image show, when the image has it; else they show its
// largest platform. Either way the message names the platform.
const badgeDefaultPlatform = "linux/amd64"

// known returns a badge saying msg, or fallback(label) when msg is empty.
func known(label, msg string, fallback func(string) badge.Badge) badge.Badge {
	if msg == "" {
		return fallback(label)
	}
	return badge.Badge{Label: label, Message: msg, Color: badgeColor}
}

// versionBadge says org.opencontainers.image.version (or Label Schema's
// version), else the tag; without an image (a tag the crawl could not
// read) it is unknown.
func versionBadge(im *snapshot.Image, tag string) badge.Badge {
	if im == nil {
		return badge.Unknown("version")
	}
	v := oneLine(catalog.Label(im, snapshot.KeyVersion))
	if v == "" {
		v = tag
	}
	return known("version", v, badge.Unknown)
}

// sizeBadge says the compressed size: of the badge platform for images
// and indexes, of every blob for artifacts.
func sizeBadge(im *snapshot.Image, _ string) badge.Badge {
	if im == nil {
		return badge.Unknown("size")
	}
	p, which := badgePlatform(im)
	if p == nil {
		return known("size", sizeText(im.Size), badge.Unknown)
	}
	if p.Size <= 0 {
		return badge.Unknown("size")
	}
	return known("size", sizeText(p.Size)+which, badge.Unknown)
}

// layersBadge says how many layers the badge platform has.
func layersBadge(im *snapshot.Image, _ string) badge.Badge {
	if im == nil {
		return badge.Unknown("layers")
	}
	p, which := badgePlatform(im)
	if p == nil {
		return badge.Unknown("layers")
	}
	return known("layers", strconv.Itoa(len(p.Layers))+which, badge.Unknown)
}

// imageBadge is MicroBadger's image badge: "size | N layers" of the badge
// platform.
func imageBadge(im *snapshot.Image, _ string) badge.Badge {
	if im == nil {
		return badge.Unknown("image")
	}
	p, which := badgePlatform(im)
	if p == nil || p.Size <= 0 {
		return badge.Unknown("image")
	}
	return known("image", sizeText(p.Size)+" | "+plural(len(p.Layers), "layer", "layers")+which, badge.Unknown)
}

// createdBadge says the creation date, YYYY-MM-DD in UTC: a static badge
// cannot say "3 days ago" without going stale.
func createdBadge(im *snapshot.Image, _ string) badge.Badge {
	if im == nil || im.Created.IsZero() {
		return badge.Unknown("created")
	}
	return known("created", im.Created.UTC().Format("2006-01-02"), badge.Unknown)
}

// commitBadge says the source revision (org.opencontainers.image.revision
// or Label Schema's vcs-ref), a hex commit id cut to 7 digits as git
// abbreviates it.
func commitBadge(im *snapshot.Image, _ string) badge.Badge {
	rev := ""
	if im != nil {
		rev = oneLine(catalog.Label(im, snapshot.KeyRevision))
	}
	if len(rev) > 7 && isHex(rev) {
		rev = rev[:7]
	}
	return known("commit", rev, badge.NotGiven)
}

// licenseBadge says org.opencontainers.image.licenses.
func licenseBadge(im *snapshot.Image, _ string) badge.Badge {
	lic := ""
	if im != nil {
		lic = oneLine(catalog.Label(im, snapshot.KeyLicenses))
	}
	return known("license", lic, badge.NotGiven)
}

// signedBadge says by which kinds of signature the image (or one of its
// platforms) is signed, "no" in grey when by none.
func signedBadge(im *snapshot.Image, _ string) badge.Badge {
	if im == nil {
		return badge.Unknown("signed")
	}
	s := snapshot.SupplyOf(im)
	if len(s.Signed) == 0 {
		return badge.Badge{Label: "signed", Message: "no", Color: badge.DefaultColor}
	}
	return known("signed", strings.Join(s.Signed, ", "), badge.Unknown)
}

// sbomBadge names the formats of the image's SBOMs (attached or buildx
// attestations), "none" in grey when it has none.
func sbomBadge(im *snapshot.Image, _ string) badge.Badge {
	if im == nil {
		return badge.Unknown("sbom")
	}
	s := snapshot.SupplyOf(im)
	if len(s.SBOM) == 0 {
		return badge.Badge{Label: "sbom", Message: "none", Color: badge.DefaultColor}
	}
	names := make([]string, len(s.SBOM))
	for i, f := range s.SBOM {
		names[i] = sbomName(f)
	}
	return known("sbom", strings.Join(names, ", "), badge.Unknown)
}

// sbomName is how an SBOM format is written.
func sbomName(f string) string {
	switch f {
	case snapshot.FormatSPDX:
		return "SPDX"
	case snapshot.FormatCycloneDX:
		return "CycloneDX"
	}
	return "yes"
}

// maxListedPlatforms is the most platforms a platforms badge names; with
// more it gives their number.
const maxListedPlatforms = 3

// platformsBadge names an image's platforms, or counts them when there
// are more than maxListedPlatforms.
func platformsBadge(im *snapshot.Image, _ string) badge.Badge {
	if im == nil || len(im.Platforms) == 0 {
		return badge.Unknown("platforms")
	}
	if len(im.Platforms) > maxListedPlatforms {
		return known("platforms", strconv.Itoa(len(im.Platforms)), badge.Unknown)
	}
	names := make([]string, len(im.Platforms))
	for i := range im.Platforms {
		names[i] = shortPlatform(&im.Platforms[i])
	}
	return known("platforms", strings.Join(names, ", "), badge.Unknown)
}

// badgePlatform returns the platform whose size and layers badges show
// and, for an index, " (os/arch)" to say which: badgeDefaultPlatform
// when the index has it, else its largest platform (the first in
// snapshot order on a tie). It returns nil for images that have no
// platform, such as artifacts.
func badgePlatform(im *snapshot.Image) (*snapshot.Platform, string) {
	i := defaultPlatform(im.Kind, len(im.Platforms),
		func(i int) string { return shortPlatform(&im.Platforms[i]) },
		func(i int) int64 { return im.Platforms[i].Size })
	switch {
	case i < 0:
		return nil, ""
	case im.Kind != snapshot.KindIndex:
		return &im.Platforms[i], ""
	}
	return &im.Platforms[i], " (" + shortPlatform(&im.Platforms[i]) + ")"
}

// defaultPlatform is the index of badgePlatform's platform among the n
// platforms of an image of kind, named and sized by name and size; -1
// when there are none.
func defaultPlatform(kind snapshot.Kind, n int, name func(int) string, size func(int) int64) int {
	if n == 0 {
		return -1
	}
	if kind != snapshot.KindIndex {
		return 0
	}
	best := -1
	for i := range n {
		if name(i) == badgeDefaultPlatform {
			return i
		}
		if best < 0 || size(i) > size(best) {
			best = i
		}
	}
	return best
}

// shortPlatform is "os/arch[/variant]", without the OS version, to keep
// badges short.
func shortPlatform(p *snapshot.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return oneLine(s)
}

// sizeText is a size for a badge, or "" when unknown (zero or less: no
// image is empty).
func sizeText(n int64) string {
	if n <= 0 {
		return ""
	}
	return badge.HumanSize(n)
}

// isHex reports whether s is lower- or upper-case hex digits only.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}
