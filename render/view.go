package render

import (
	"strconv"
	"strings"
	"time"

	"github.com/regcat/regcat/catalog"

	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// timeView formats a time from the snapshot; the zero time is unknown.
func timeView(t time.Time) Time {
	if t.IsZero() {
		return Time{}
	}
	t = t.UTC()
	return Time{ISO: t.Format(time.RFC3339), Text: t.Format("2006-01-02 15:04 UTC")}
}

// sizeView formats a size in decimal units, as docker and the badges do.
func sizeView(n int64) Size { return Size{Bytes: n, Text: badge.HumanSize(n)} }

// shownSize is the size that tables give for an image, and for an index
// the platform it is of: the size and layers badges' platform (see
// badgePlatform), since a sum over platforms is no size anyone pulls.
// Other images, and an index whose platform has no size, give their own
// size and "".
func shownSize(ip *catalog.Image) (Size, string) {
	if ip.Kind == snapshot.KindIndex {
		pl := ip.Platforms
		name := func(i int) string { return oneLine(pl[i].Name) }
		i := defaultPlatform(ip.Kind, len(pl), name, func(i int) int64 { return pl[i].Size })
		if i >= 0 && pl[i].Size > 0 {
			return sizeView(pl[i].Size), name(i)
		}
	}
	return sizeView(ip.Size), ""
}

// plural is n with the noun that fits it: "1 tag", "2 tags", "0 tags".
// Templates call it as {{plural .Tags "tag" "tags"}}.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// textLink is text linked to itself when it is an http(s) URL.
func textLink(s string) Link {
	s = clean(s)
	return Link{Text: s, Href: webURL(s)}
}

// platformName is "os/arch[/variant]" with the OS version, if any.
func platformName(p *snapshot.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	if p.OSVersion != "" {
		s += " " + p.OSVersion
	}
	return oneLine(s)
}

// platformSummary is a short list of an image's platforms for a table
// cell.
func platformSummary(im *snapshot.Image) string {
	switch n := len(im.Platforms); {
	case n == 0:
		return ""
	case n <= 3:
		names := make([]string, n)
		for i := range im.Platforms {
			names[i] = platformName(&im.Platforms[i])
		}
		return strings.Join(names, ", ")
	default:
		return plural(n, "platform", "platforms")
	}
}

// pullCommands are the docker pull commands for an image, by each tag and
// by digest.
func pullCommands(registry, repo string, tags []string, digest string) []Command {
	ref := repo
	if registry != "" {
		ref = registry + "/" + repo
	}
	var out []Command
	for _, t := range tags {
		out = append(out, Command{Label: "by tag " + t, Text: "docker pull " + ref + ":" + t})
	}
	return append(out, Command{Label: "by digest", Text: "docker pull " + ref + "@" + digest})
}

// namespaceOf is the part of a repository name before its last "/".
func namespaceOf(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return ""
}

// stepText shortens a build step as `docker history` does, dropping the
// classic builder's "/bin/sh -c #(nop) " marker.
func (r *renderer) stepText(s string) string {
	if !r.cfg.ShowEnv {
		s = r.redact(s)
	}
	s = strings.TrimPrefix(s, "/bin/sh -c #(nop) ")
	return oneLine(s)
}
