package render

import (
	"html"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/render/badge"
)

// repoBadges is the "Get the badges" data of a repository page: its own
// badges, or nil when they were left out.
func (r *renderer) repoBadges(rp *catalog.Repo, full *catalog.Full) *BadgesView {
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
		moving := "latest, stable"
		if bt := r.cfg.badgeTag(); !channelTags[bt] {
			moving += ", " + bt
		}
		note += " Tags that move with new releases (" + moving + " and version aliases such as 1 and 1.2) have badges of their own, shown on their image pages; other tags, full releases such as 1.2.3 among them, have none."
	}
	return r.badgeViews(set, full, repoPage(rp.Name), note+r.snippetNote())
}

// imageBadges is the "Get the badges" data of an image page: the badges
// of one of its tags (see imageBadgeDir), else a link to the
// repository's (see imageRepoBadges).
func (r *renderer) imageBadges(ip *catalog.Image, full *catalog.Full) *BadgesView {
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
	return r.badgeViews(set, full, imagePage(ip.Repo.Name, ip.Digest), note+r.snippetNote())
}

// imageRepoBadges is the "Get the badges" data of an image none of whose
// tags has badges of its own (a full release such as 1.2.3 under the
// default policy, or an untagged image): a link to the repository page,
// whose section has the repository's own badges, or nil when they were
// left out. The page does not repeat them: they are the same on every
// such image page of the repository, and most of its bytes.
func (r *renderer) imageRepoBadges(ip *catalog.Image) *BadgesView {
	set := r.badges.repos[ip.Repo]
	if set == nil {
		return nil
	}
	var note string
	switch {
	case set.image == ip:
		note = "show this image."
	case set.tag != "":
		note = "show tag " + set.tag + "."
	default:
		note = "show its newest image."
	}
	return &BadgesView{Note: note, RepoPage: indexPage}
}

// snippetNote tells, when there is no base URL, that the snippets hold
// paths relative to the site root.
func (r *renderer) snippetNote() string {
	if r.base != "" {
		return ""
	}
	return " The URLs and snippets hold paths relative to the site root: put the site's URL before them, or render with a base URL."
}

// badgeViews is the page data of set's badges, for the page at path page;
// full is the whole record of set's repository.
func (r *renderer) badgeViews(set *badgeDir, full *catalog.Full, page, note string) *BadgesView {
	target := repoPage(set.repo.Name)
	alt := set.repo.Name
	if !set.own {
		alt += ":" + set.tag
		if set.image != nil {
			target = imagePage(set.repo.Name, set.image.Digest)
		}
	}
	root := rootFrom(page)
	out := &BadgesView{Note: note, Badges: make([]BadgeView, len(badgeKinds)), JSON: r.siteURL(set.dir + badgeSetFile)}
	bs := set.draw(full)
	for i, k := range badgeKinds {
		b := bs[i]
		file := set.dir + k.name + ".svg"
		out.Badges[i] = BadgeView{
			Title:  k.name,
			Image:  root + file,
			Alt:    oneLine(b.Label + ": " + b.Message),
			Width:  badge.Width(b),
			Height: badge.Height,
			URL:    r.siteURL(file),
		}
	}
	out.Kind = badgeKinds[0].name
	link, src, kindAlt := r.siteURL(target), out.Badges[0].URL, alt+" "+out.Kind
	out.Markdown = "[![" + kindAlt + "](" + markdownURL.Replace(src) + ")](" + markdownURL.Replace(link) + ")"
	out.HTML = `<a href="` + html.EscapeString(link) + `"><img src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(kindAlt) + `"></a>`
	out.RST = ".. image:: " + src + "\n   :alt: " + kindAlt + "\n   :target: " + link
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
