package render

import "context"

// robotsOutput writes robots.txt: every crawler is welcome, and is told
// where the sitemap is when there is one.
var robotsOutput = output{name: "robots.txt", write: func(_ context.Context, r *renderer, s *site, _ spawner) error {
	b := "User-agent: *\nAllow: /\n"
	if r.base != "" {
		b += "Sitemap: " + r.base + sitemap + "\n"
	}
	return s.write("robots.txt", []byte(b))
}}
