package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
)

// maxSitemapURLs is the sitemaps.org limit of URLs in one sitemap file;
// bigger sites get a sitemap index.
const maxSitemapURLs = 50000

// pagePaths lists the site's pages in a fixed order, for the sitemap.
func (r *renderer) pagePaths() []string {
	out := []string{indexPage, failuresPage}
	for _, rp := range r.plan.repos {
		out = append(out, repoPage(rp.name))
		for _, ip := range rp.images {
			out = append(out, imagePage(rp.name, ip.im.Digest))
		}
	}
	return out
}

// sitemap writes sitemap.xml (sitemaps.org protocol 0.9) with absolute
// URLs under the base URL, split into sitemap-N.xml files under a
// sitemap index when there are too many pages for one file.
func (r *renderer) sitemap(s *site) error {
	urls := make([]string, 0, len(r.plan.images)+len(r.plan.repos)+2)
	for _, p := range r.pagePaths() {
		urls = append(urls, r.base+p)
	}
	if len(urls) <= maxSitemapURLs {
		return r.xml(s, sitemap, urlset(urls))
	}
	var parts []string
	for i := 0; i < len(urls); i += maxSitemapURLs {
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

func (r *renderer) xml(s *site, name string, b []byte) error {
	b, err := r.min.Bytes(typeXML, b)
	if err != nil {
		return fmt.Errorf("minify %s: %w", name, err)
	}
	return s.write(name, b)
}
