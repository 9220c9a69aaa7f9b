package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strconv"

	"github.com/regcat/regcat/internal/sitefs"
)

// maxSitemapURLs is the sitemaps.org limit of URLs in one sitemap file;
// bigger sites get a sitemap index.
const maxSitemapURLs = 50000

// sitemapOutput writes sitemap.xml (sitemaps.org protocol 0.9) when a
// base URL is set, with absolute URLs under it, split into sitemap-N.xml
// files under a sitemap index when there are too many pages for one file.
var sitemapOutput = output{name: "sitemap", write: func(_ context.Context, r *renderer, s *sitefs.Dir, spawn spawner) error {
	if r.base == "" {
		return nil
	}
	return spawn(func(ctx context.Context) error { return r.sitemap(ctx, s) })
}}

// pagePaths lists the site's pages in site order, for the sitemap: the
// site pages, the label index's key pages, then each repository's pages
// followed by its images'.
func (r *renderer) pagePaths() []string {
	var site, label, repo, image []*page
	for _, o := range r.outputs {
		switch p := o.page; {
		case p == nil || p.noSitemap:
		case p.scope == siteScope:
			site = append(site, p)
		case p.scope == labelScope:
			label = append(label, p)
		case p.scope == repoScope:
			repo = append(repo, p)
		case p.scope == imageScope:
			image = append(image, p)
		}
	}
	out := make([]string, 0, len(site)+len(label)*len(r.labels)+len(repo)*len(r.cat.Repos)+len(image)*len(r.cat.Images))
	for _, p := range site {
		out = append(out, p.path(subject{}))
	}
	for _, p := range label {
		for _, sub := range r.subjects(labelScope, nil, nil) {
			out = append(out, p.path(sub))
		}
	}
	for _, rp := range r.cat.Repos {
		for n := range r.historyPages(rp) {
			for _, p := range repo {
				out = append(out, p.path(subject{repo: rp, page: n + 1}))
			}
		}
		for _, ip := range rp.Images {
			for _, p := range image {
				out = append(out, p.path(subject{repo: rp, image: ip}))
			}
		}
	}
	return out
}

func (r *renderer) sitemap(ctx context.Context, s *sitefs.Dir) error {
	paths := r.pagePaths()
	urls := make([]string, len(paths))
	for i, p := range paths {
		urls[i] = r.base + p
	}
	if len(urls) <= maxSitemapURLs {
		return r.xml(s, sitemap, urlset(urls))
	}
	var parts []string
	for i := 0; i < len(urls); i += maxSitemapURLs {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := "sitemap-" + strconv.Itoa(len(parts)+1) + ".xml"
		if err := r.xml(s, name, urlset(urls[i:min(i+maxSitemapURLs, len(urls))])); err != nil {
			return err
		}
		parts = append(parts, r.base+name)
	}
	return r.xml(s, sitemap, sitemapIndex(parts))
}

func urlset(urls []string) []byte { return locList("urlset", "url", urls) }

func sitemapIndex(urls []string) []byte { return locList("sitemapindex", "sitemap", urls) }

// locList writes the sitemaps.org document <root> of one <entry><loc> per
// URL.
func locList(root, entry string, urls []string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header + "<" + root + ` xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, u := range urls {
		b.WriteString("<" + entry + "><loc>")
		xml.EscapeText(&b, []byte(u))
		b.WriteString("</loc></" + entry + ">")
	}
	b.WriteString("</" + root + ">\n")
	return b.Bytes()
}

func (r *renderer) xml(s *sitefs.Dir, name string, b []byte) error {
	b, err := r.min.Bytes(typeXML, b)
	if err != nil {
		return fmt.Errorf("minify %s: %w", name, err)
	}
	return s.Write(name, b)
}
