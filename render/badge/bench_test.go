package badge

import (
	"bytes"
	"testing"
)

// BenchmarkSVG draws regcat's typical badges, reporting badges drawn per
// second and bytes per badge.
func BenchmarkSVG(b *testing.B) {
	for _, s := range []Style{Flat, FlatSquare} {
		b.Run(s.String(), func(b *testing.B) {
			var size int
			for _, badge := range sampleBadges {
				svg := SVG(badge, s)
				if _, err := parseSVG(svg); err != nil {
					b.Fatalf("SVG(%+v): %v", badge, err)
				}
				size += len(svg)
			}
			want := SVG(sampleBadges[0], s)
			var last []byte
			for b.Loop() {
				for _, badge := range sampleBadges {
					last = SVG(badge, s)
				}
			}
			if !bytes.Equal(SVG(sampleBadges[len(sampleBadges)-1], s), last) || !bytes.Equal(SVG(sampleBadges[0], s), want) {
				b.Fatal("badges changed between runs")
			}
			n := float64(b.N * len(sampleBadges))
			b.ReportMetric(n/b.Elapsed().Seconds(), "badges/s")
			b.ReportMetric(float64(size)/float64(len(sampleBadges)), "bytes/badge")
		})
	}
}

// BenchmarkEndpoint writes endpoint JSON for regcat's typical badges.
func BenchmarkEndpoint(b *testing.B) {
	for b.Loop() {
		for _, badge := range sampleBadges {
			Endpoint(badge)
		}
	}
	b.ReportMetric(float64(b.N*len(sampleBadges))/b.Elapsed().Seconds(), "badges/s")
}
