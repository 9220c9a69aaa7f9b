package render

import (
	"bytes"
	"io"
	"log/slog"
	"testing"

	"github.com/regcat/regcat/render/badge"
)

// BenchmarkBadges plans and draws, without writing, the badges of a
// 1,000-repository × 20-tag snapshot: a repository's own set and one
// per tag (21 with "latest"), each of every kind as SVG and endpoint
// JSON.
func BenchmarkBadges(b *testing.B) {
	snap := synthetic(b, 1000, 20)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := newPlan(snap, log)
	var svgs, size int
	for b.Loop() {
		bp := newBadgePlan(p, DefaultBadgeTag, log)
		svgs, size = 0, 0
		for _, rp := range p.repos {
			for _, set := range append([]*badgeSet{bp.repos[rp]}, bp.tags[rp]...) {
				for _, bd := range set.badges {
					svg := badge.SVG(bd, badge.Flat)
					if !bytes.HasPrefix(svg, []byte("<svg ")) {
						b.Fatalf("%s: not a badge", set.dir)
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
