package render

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/render/badge"
)

// BenchmarkBadges plans and draws, without writing, the badges of a
// 1,000-repository × 20-tag snapshot: a repository's own directory and one
// per tag (21 with "latest"), each of every kind as SVG and endpoint
// JSON.
func BenchmarkBadges(b *testing.B) {
	snap := synthetic(b, 1000, 20)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := catalog.New(snap, catalog.Config{Logger: log})
	var svgs, size int
	for b.Loop() {
		bp := newBadgePlan(c, TagBadgesAll, DefaultBadgeTag, log)
		svgs, size = 0, 0
		for _, rp := range c.Repos {
			full, err := c.Load(context.Background(), rp)
			if err != nil {
				b.Fatal(err)
			}
			for _, dir := range append([]*badgeDir{bp.repos[rp]}, bp.tags[rp]...) {
				for _, bd := range dir.draw(full) {
					svg := badge.SVG(bd, badge.Flat)
					if !bytes.HasPrefix(svg, []byte("<svg ")) {
						b.Fatalf("%s: not a badge", dir.dir)
					}
					svgs++
					size += len(svg) + len(badge.Endpoint(bd))
				}
			}
		}
	}
	if want := 1000 * 22 * len(badgeKinds); svgs != want {
		b.Fatalf("drew %d badges, want %d", svgs, want)
	}
	b.ReportMetric(float64(svgs)*float64(b.N)/b.Elapsed().Seconds(), "badges/s")
	b.ReportMetric(float64(size)/float64(2*svgs), "bytes/file")
}
