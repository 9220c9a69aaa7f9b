package render

import (
	"html"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/render/badge"
)

// repoBadges is the "Get the badges" data of a repository page: its own
// badges, or nil when they were left out.
func (r *renderer) repoBadges(rp *catalog.Repo) []BadgeView {
	set := r.badges.repos[rp]
	if set == nil {
		return nil
	}
	var note string
	switch {
	case set.image == nil:
		note = "This repository has no images yet: its badges say “unknown” until it has."
	case set.tag == r.cfg.badgeTag():
		note = "These badges show the image tagged " + set.tag + "."
	case set.tag != "":
		note = "There is no tag " + r.cfg.badgeTag() + ", so these badges show the newest tagged image, " + set.tag + "."
	default:
		note = "These badges show the newest image, which has no tag."
	}
	switch n := len(r.badges.tags[rp]); {
	case n == 0:
		note += " No tag of this repository has badges of its own."
	case r.cfg.tagBadges() == TagBadgesAll:
		note += " Each tag has badges of its own, shown on its image page."
	default:
		note += " Tags that move with new releases (latest, stable, the default tag and version aliases such as 1 and 1.2) have badges of their own, shown on their image pages; other tags, full releases such as 1.2.3 among them, have none."
	}
	return r.badgeViews(set, repoPage(rp.Name), note+r.snippetNote())
}

// imageBadges is the "Get the badges" data of an image page: the badges
// of one of its tags (see imageBadgeDir), else the repository's (see
// imageRepoBadges).
func (r *renderer) imageBadges(ip *catalog.Image) []BadgeView {
	set := r.badges.images[ip]
	if set == nil {
		return r.imageRepoBadges(ip)
	}
	note := "These badges show tag " + set.tag + "."
	var others []string
	for _, s := range r.badges.tags[ip.Repo] {
		if s.image == ip && s != set {
			others = append(others, s.tag)
		}
	}
	if len(others) > 0 {
		note += " Its other tags that have badges of their own, at badges/" + ip.Repo.Name + "/<tag>/<kind>.svg: " + strings.Join(others, ", ") + "."
	}
	return r.badgeViews(set, imagePage(ip.Repo.Name, ip.Snap.Digest), note+r.snippetNote())
}

// imageRepoBadges is the "Get the badges" data of an image none of whose
// tags has badges of its own (a full release such as 1.2.3 under the
// default policy, or an untagged image): the repository's own badges,
// or nil when they were left out.
func (r *renderer) imageRepoBadges(ip *catalog.Image) []BadgeView {
	set := r.badges.repos[ip.Repo]
	if set == nil {
		return nil
	}
	note := "No tag of this image has badges of its own, so these are the repository's badges"
	switch {
	case set.image == ip:
		note += ", which show this image."
	case set.tag != "":
		note += ", which show tag " + set.tag + "."
	default:
		note += ", which show the repository's newest image."
	}
	return r.badgeViews(set, imagePage(ip.Repo.Name, ip.Snap.Digest), note+r.snippetNote())
}

// snippetNote tells, when there is no base URL, that the snippets hold
// paths relative to the site root.
func (r *renderer) snippetNote() string {
	if r.base != "" {
		return ""
	}
	return " The snippets hold paths relative to the site root: put the site's URL before them, or render with a base URL."
}

// badgeViews is the page data of set's badges, for the page at path page.
func (r *renderer) badgeViews(set *badgeDir, page, note string) []BadgeView {
	target := repoPage(set.repo.Name)
	alt := set.repo.Name
	if !set.own {
		alt += ":" + set.tag
		if set.image != nil {
			target = imagePage(set.repo.Name, set.image.Snap.Digest)
		}
	}
	link := r.siteURL(target)
	root := rootFrom(page)
	out := make([]BadgeView, len(badgeKinds))
	for i, k := range badgeKinds {
		b := set.badges[i]
		file := set.dir + k.name + ".svg"
		src := r.siteURL(file)
		kindAlt := alt + " " + k.name
		out[i] = BadgeView{
			Title:    k.name,
			Image:    root + file,
			Alt:      oneLine(b.Label + ": " + b.Message),
			Width:    badge.Width(b),
			Height:   badge.Height,
			Markdown: "[![" + kindAlt + "](" + markdownURL.Replace(src) + ")](" + markdownURL.Replace(link) + ")",
			HTML:     `<a href="` + html.EscapeString(link) + `"><img src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(kindAlt) + `"></a>`,
			RST:      ".. image:: " + src + "\n   :alt: " + kindAlt + "\n   :target: " + link,
			Note:     note,
		}
	}
	return out
}

// siteURL is the URL of the site path p for use outside the site: under
// the base URL when there is one (a directory's index.html as the
// directory, as in canonical links), else p itself, relative to the site
// root.
func (r *renderer) siteURL(p string) string {
	if r.base == "" {
		return p
	}
	return r.base + strings.TrimSuffix(p, indexPage)
}

// markdownURL escapes what would end a Markdown link destination early.
// Paths of badges and pages cannot hold these; a base URL can.
var markdownURL = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")
